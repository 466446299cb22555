import { afterEach, beforeEach, expect, it, jest } from '@jest/globals';
import { Kysely, sql } from 'kysely';
import { sqliteConnection, STATISTICS_REFRESH_MS } from '../../src/database/sqlite.dialect.js';

let db: Kysely<Record<string, never>>;

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  db = new Kysely({ dialect: sqliteConnection(':memory:') });
});

afterEach(async () => {
  await db.destroy();
  jest.useRealTimers();
});

/** The planner's statistics of the index `t_g`: its table's row count first. */
const statistics = async () =>
  (await sql<{ stat: string }>`select stat from sqlite_stat1 where idx = 't_g'`.execute(db)).rows[0]?.stat;

const grow = (rows: number, executor: Kysely<Record<string, never>> = db) =>
  sql`with recursive n (i) as (select 1 union all select i + 1 from n where i < ${rows})
      insert into t (g) select i % 50 from n`.execute(executor);

it('refreshes the statistics of a table that grew, hourly while the connection lives, outside transactions', async () => {
  await sql`create table t (id integer primary key, g integer)`.execute(db);
  await sql`create index t_g on t (g)`.execute(db);
  await grow(10);
  await sql`analyze`.execute(db);
  expect(await statistics()).toMatch(/^10 /);

  await db.transaction().execute(async (transaction) => {
    await grow(5000, transaction);
    await sql`select count(*) from t where g = 3`.execute(transaction);
    // A turn that comes while a request's transaction is open leaves it alone.
    jest.advanceTimersByTime(STATISTICS_REFRESH_MS);
  });
  expect(await statistics()).toMatch(/^10 /);

  jest.advanceTimersByTime(STATISTICS_REFRESH_MS);
  expect(await statistics()).toMatch(/^5010 /);
});

it('stops refreshing once the connection is closed', async () => {
  await sql`select 1`.execute(db);
  expect(jest.getTimerCount()).toBe(1);
  await db.destroy();
  expect(jest.getTimerCount()).toBe(0);
  db = new Kysely({ dialect: sqliteConnection(':memory:') });
});

import { MikroORM } from '@mikro-orm/sqlite';
import { ormConfig } from '../../mikro-orm.config.js';
import { migrations } from '../../database/migrations/index.js';

/** The tables of the database, without SQLite's own and the migrator's. */
async function tables(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .execute<{ name: string }[]>(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != 'mikro_orm_migrations' order by name",
    );
  return rows.map((row) => row.name);
}

async function triggers(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .execute<{ name: string }[]>("select name from sqlite_master where type = 'trigger' order by name");
  return rows.map((row) => row.name);
}

describe('migrations', () => {
  let orm: MikroORM;
  beforeEach(async () => {
    orm = await MikroORM.init({ ...ormConfig(':memory:'), logger: () => undefined });
  });
  afterEach(() => orm.close());

  it('build exactly the schema the entities describe', async () => {
    await orm.migrator.up();
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
    expect(await tables(orm)).toEqual([...orm.getMetadata().getAll().values()].map((meta) => meta.tableName).sort());
  });

  it('every migration has a down() that undoes it: down then up again gives the same schema', async () => {
    await orm.migrator.up();
    const schema = await tables(orm);
    const allTriggers = await triggers(orm);
    expect(allTriggers.length).toBeGreaterThan(0);

    for (const migration of [...migrations].reverse()) {
      await orm.migrator.down();
      expect((await orm.migrator.getExecuted()).map((executed) => executed.name)).not.toContain(migration.name);
    }
    expect(await tables(orm)).toEqual([]);
    expect(await triggers(orm)).toEqual([]);

    await orm.migrator.up();
    expect(await tables(orm)).toEqual(schema);
    expect(await triggers(orm)).toEqual(allTriggers);
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
  });

  it('the counters migration makes counters of existing data exact', async () => {
    await orm.migrator.up({ to: migrations[0].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, correct_count, wrong_count, created_at, updated_at)
       values (1, 'น้ำ', 'water', '{}', 7, 7, 0, 0)`,
    );
    await em.execute(
      `insert into groups (id, name, words_count, created_at, updated_at) values (1, 'Drinks', 5, 0, 0)`,
    );
    await em.execute(`insert into words_groups (word_id, group_id, created_at) values (1, 1, 0)`);
    await em.execute(
      `insert into words_review_items (word_id, correct, reviewed_at, created_at) values (1, 1, 0, 0), (1, 0, 0, 0), (1, 1, 0, 0)`,
    );

    await orm.migrator.up();

    expect(await em.execute('select correct_count, wrong_count from words')).toEqual([
      { correct_count: 2, wrong_count: 1 },
    ]);
    expect(await em.execute('select words_count from groups')).toEqual([{ words_count: 1 }]);
  });
});

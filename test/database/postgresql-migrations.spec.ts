import { type EntityManager, MikroORM } from '@mikro-orm/sql';
import { ormConfig } from '../../mikro-orm.config.js';
import { postgresqlMigrations } from '../../database/migrations/postgresql/index.js';
import { validateEnvironment } from '../../src/config.js';
import { dialect } from '../../src/database/dialect.js';
import { migrate } from '../../src/database/migrate.js';
import { expressionIndexes } from '../api.js';
import { freshDatabase } from '../postgres.js';
import {
  expectNamesFolded,
  expectFoldingJoinsRefused,
  expectNamesRefolded,
  expectRepeatedNamesRefused,
  storeNamesTheFoldingJoins,
  storeNamesToFold,
  storeNamesToRefold,
  storeRepeatedNames,
} from './folded-names.js';
import { expectRetyped, expectRomanizationsMigrated, STORED_PARTS, wordsWithRomanizations } from './stored-parts.js';
import { appsWithLaunchUrls, expectAppPathsMigrated } from './launch-urls.js';

/** The tables of the portal's schema, without the migrator's own. */
async function tables(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em.fork().execute<{ name: string }[]>(
    `select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_name != 'mikro_orm_migrations' order by 1`,
  );
  return rows.map((row) => row.name);
}

async function triggers(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em.fork().execute<{ name: string }[]>(
    `select t.tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid
        join pg_namespace n on n.oid = c.relnamespace
        where not t.tgisinternal and n.nspname = current_schema() order by 1`,
  );
  return rows.map((row) => row.name);
}

async function triggerFunctions(orm: MikroORM): Promise<number> {
  const [{ count }] = await orm.em.fork().execute<{ count: number }[]>(
    `select count(*) as count from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = current_schema() and p.prorettype = 'trigger'::regtype`,
  );
  return count;
}

// The PostgreSQL run only (TEST_DATABASE_URL); test/database/migrations.spec.ts checks SQLite's migrations.
(dialect.name === 'postgresql' ? describe : describe.skip)('PostgreSQL migrations', () => {
  let orm: MikroORM;
  beforeEach(async () => {
    const database = await freshDatabase();
    orm = await MikroORM.init({
      ...ormConfig({ ...validateEnvironment(process.env), DATABASE_URL: database }),
      logger: () => undefined,
    });
  });
  afterEach(() => orm.close());

  it('build exactly the schema the entities describe', async () => {
    expect(await orm.migrator.getPending()).toEqual([]);
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
    expect(await tables(orm)).toEqual([...orm.getMetadata().getAll().values()].map((meta) => meta.tableName).sort());
    expect(await triggers(orm)).toHaveLength(7);
  });

  it('build the indexes the entities declare as statements as they declare them', async () => {
    // MikroORM compares such an index by its name only: each is built again from its statement beside the
    // migrations' one, and PostgreSQL's definitions of both compared.
    const declared = expressionIndexes(orm);
    expect(declared.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['words_correct_count_desc_index', 'words_english_trigram_index']),
    );
    const em = orm.em.fork();
    const definitionOf = async (index: string) =>
      (
        await em.execute<{ definition: string | null }[]>('select pg_get_indexdef(to_regclass(?)) as definition', [
          index,
        ])
      )[0].definition;
    for (const { name, expression } of declared) {
      const copy = `${name}_as_declared`;
      await em.execute(expression.replace(`"${name}"`, `"${copy}"`));
      expect({ name, built: await definitionOf(name) }).toEqual({
        name,
        built: (await definitionOf(copy))?.replace(copy, name),
      });
    }
  });

  it('build the triggers the entities declare as statements as they declare them', async () => {
    // MikroORM does not compare a trigger declared by its statement: each is built again from it, in a transaction
    // rolled back, and PostgreSQL's definitions of both (the trigger and its function's body) compared.
    const declared = [...orm.getMetadata().getAll().values()].flatMap((meta) =>
      meta.triggers.flatMap(({ name, expression }) =>
        typeof expression === 'string' && name !== undefined ? [{ table: meta.tableName, name, expression }] : [],
      ),
    );
    expect(declared.map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        'member_counted_in_group',
        'member_uncounted_in_group',
        'review_counted',
        'review_uncounted',
      ]),
    );
    const definitionOf = async (em: EntityManager, table: string, name: string) =>
      em.execute(
        `select pg_get_triggerdef(t.oid) as trigger, p.prosrc as body from pg_trigger t
            join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
            where c.relname = ? and t.tgname = ?`,
        [table, name],
      );
    for (const { table, name, expression } of declared) {
      const built = await definitionOf(orm.em.fork(), table, name);
      expect(built).toHaveLength(1);
      let asDeclared: unknown;
      const rolledBack = new Error('rolled back');
      await expect(
        orm.em.fork().transactional(async (em) => {
          await em.execute(`drop trigger "${name}" on "${table}"`);
          await em.execute(expression);
          asDeclared = await definitionOf(em, table, name);
          throw rolledBack;
        }),
      ).rejects.toBe(rolledBack);
      expect({ name, built }).toEqual({ name, built: asDeclared });
    }
  });

  it('every migration has a down() that undoes it: down then up again gives the same schema', async () => {
    const schema = await tables(orm);
    const allTriggers = await triggers(orm);
    for (const migration of [...postgresqlMigrations].reverse()) {
      await orm.migrator.down();
      expect((await orm.migrator.getExecuted()).map((executed) => executed.name)).not.toContain(migration.name);
    }
    expect(await tables(orm)).toEqual([]);
    expect(await triggerFunctions(orm)).toBe(0);

    await orm.migrator.up();
    expect(await tables(orm)).toEqual(schema);
    expect(await triggers(orm)).toEqual(allTriggers);
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
  });

  it('the folded names migration folds every stored name and english as the API does, and indexes those', async () => {
    await orm.migrator.down({ to: 'Migration20261219090000_caseless_uniques' });
    const em = orm.em.fork();
    await storeNamesToFold(em, 'now()');

    await orm.migrator.up();

    await expectNamesFolded(em, 'now()');
  });

  it('the folded names migration stops at names it would make one, naming them, and changes nothing', async () => {
    await orm.migrator.down({ to: 'Migration20261219090000_caseless_uniques' });
    const em = orm.em.fork();
    await storeRepeatedNames(em, 'now()');

    await expectRepeatedNamesRefused(orm, em, postgresqlMigrations);
  });

  it('the session counters migration counts the answers each existing session has', async () => {
    await orm.migrator.down({ to: 'Migration20261206090000_initial' });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at) values (1, 'น้ำ', 'water', '{}', now(), now())`,
    );
    await em.execute(`insert into groups (id, name, created_at, updated_at) values (1, 'Drinks', now(), now())`);
    await em.execute(
      `insert into study_sessions (id, group_id, created_at) values (1, 1, now()), (2, 1, now()), (3, 1, now())`,
    );
    await em.execute(
      `insert into words_review_items (word_id, study_session_id, correct, reviewed_at, created_at) values
         (1, 1, true, '2026-11-01T05:00:00Z', now()), (1, 1, false, '2026-11-01T09:00:00Z', now()),
         (1, 1, true, '2026-11-01T07:00:00Z', now()), (1, 2, false, '2026-11-01T03:00:00Z', now()),
         (1, null, true, '2026-11-01T08:00:00Z', now())`,
    );

    await orm.migrator.up();

    const rows = await em.execute<{ id: number; review_items_count: number; correct_count: number; last: string }[]>(
      `select id, review_items_count, correct_count, to_char(last_reviewed_at at time zone 'UTC', 'HH24:MI') as last
         from study_sessions order by id`,
    );
    expect(rows).toEqual([
      { id: 1, review_items_count: 3, correct_count: 2, last: '09:00' },
      { id: 2, review_items_count: 1, correct_count: 0, last: '03:00' },
      { id: 3, review_items_count: 0, correct_count: 0, last: null },
    ]);
  });
  it('the answer groups migration gives each answer of a session its group, and each group its counters', async () => {
    await orm.migrator.down({ to: 'Migration20261207090000_session_counters' });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at) values (1, 'น้ำ', 'water', '{}', now(), now())`,
    );
    await em.execute(
      `insert into groups (id, name, created_at, updated_at) values (1, 'Drinks', now(), now()), (2, 'Food', now(), now())`,
    );
    await em.execute(`insert into study_sessions (id, group_id, created_at) values (1, 2, now()), (2, 1, now())`);
    await em.execute(
      `insert into words_review_items (id, word_id, study_session_id, correct, reviewed_at, created_at) values
         (1, 1, 1, true, '2026-11-01T05:00:00Z', now()), (2, 1, 2, false, '2026-11-01T06:00:00Z', now()),
         (3, 1, null, true, '2026-11-01T07:00:00Z', now()), (4, 1, 1, false, '2026-11-01T04:00:00Z', now())`,
    );

    await orm.migrator.up();

    expect(await em.execute('select id, group_id from words_review_items order by id')).toEqual([
      { id: 1, group_id: 2 },
      { id: 2, group_id: 1 },
      { id: 3, group_id: null },
      { id: 4, group_id: 2 },
    ]);
    expect(
      await em.execute(
        `select id, review_items_count, correct_count, studied_word_count,
           to_char(last_reviewed_at at time zone 'UTC', 'HH24:MI') as last from groups order by id`,
      ),
    ).toEqual([
      { id: 1, review_items_count: 1, correct_count: 0, studied_word_count: 1, last: '06:00' },
      { id: 2, review_items_count: 2, correct_count: 1, studied_word_count: 1, last: '05:00' },
    ]);
  });
  it('the word last review migration gives each answered word the time of its newest answer', async () => {
    await orm.migrator.down({ to: 'Migration20261208090000_answer_groups' });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at)
         values (1, 'น้ำ', 'water', '{}', now(), now()), (2, 'ไฟ', 'fire', '{}', now(), now())`,
    );
    await em.execute(
      `insert into words_review_items (word_id, correct, reviewed_at, created_at) values
         (1, true, '2026-11-01T05:00:00Z', now()), (1, false, '2026-11-01T09:00:00Z', now())`,
    );

    await orm.migrator.up();

    expect(
      await em.execute(
        `select id, to_char(last_reviewed_at at time zone 'UTC', 'HH24:MI') as last from words order by id`,
      ),
    ).toEqual([
      { id: 1, last: '09:00' },
      { id: 2, last: null },
    ]);
  });
  it('the group session counts migration counts the sessions each existing group has', async () => {
    await orm.migrator.down({ to: 'Migration20261209090000_word_last_review' });
    const em = orm.em.fork();
    await em.execute(
      `insert into groups (id, name, created_at, updated_at) values (1, 'Drinks', now(), now()), (2, 'Food', now(), now())`,
    );
    await em.execute(`insert into study_sessions (id, group_id, created_at) values (1, 2, now()), (2, 2, now())`);

    await orm.migrator.up();

    expect(await em.execute('select id, study_sessions_count from groups order by id')).toEqual([
      { id: 1, study_sessions_count: 0 },
      { id: 2, study_sessions_count: 2 },
    ]);
  });

  it('the parts types migration gives the parts stored before their types were checked those types', async () => {
    await orm.migrator.down({ to: 'Migration20261217090000_member_counts_per_statement' });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at) values ${STORED_PARTS.map(
        ([parts], index) => `(${index + 1}, 'คำ${index}', 'word ${index}', '${JSON.stringify(parts)}', now(), now())`,
      ).join(', ')}`,
    );

    await orm.migrator.up();

    expectRetyped(await em.execute('select id, parts from words order by id'));
  });

  it('the refolded names migration folds every stored name and english as the API folds them now', async () => {
    await orm.migrator.down({ to: 'Migration20261221090000_blank_romanizations' });
    const em = orm.em.fork();
    await storeNamesToRefold(em, 'now()');

    await orm.migrator.up();

    await expectNamesRefolded(em);
  });

  it('the refolded names migration stops at names the folding makes one, naming them, and changes nothing', async () => {
    await orm.migrator.down({ to: 'Migration20261221090000_blank_romanizations' });
    const em = orm.em.fork();
    await storeNamesTheFoldingJoins(em, 'now()');

    await expectFoldingJoinsRefused(orm, em, postgresqlMigrations);
  });

  it('the blank romanizations migration makes a romanization empty once trimmed none, and leaves the others', async () => {
    await orm.migrator.down({ to: 'Migration20261220090000_folded_names' });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at) values ${wordsWithRomanizations('now()')}`,
    );

    await orm.migrator.up();

    expectRomanizationsMigrated(await em.execute('select parts from words order by id'));
  });

  it('the portal app paths migration makes the seeded example app a path on the portal, and leaves other apps', async () => {
    await orm.migrator.down({ to: 'Migration20261224090000_answers_counted_per_statement' });
    const em = orm.em.fork();
    await em.execute(
      `insert into learning_apps (id, name, name_folded, launch_url, created_at, updated_at) values ${appsWithLaunchUrls('now()')}`,
    );

    await orm.migrator.up();

    expectAppPathsMigrated(await em.execute('select launch_url from learning_apps order by id'));
  });

  it('a database a newer portal migrated is refused, as db:restore refuses its backup, and left as it is', async () => {
    expect(await migrate(orm, 'postgresql://host/lang')).toEqual([]);
    await orm.em
      .fork()
      .execute(
        "insert into mikro_orm_migrations (name, executed_at) values ('Migration20991231000000_future', current_timestamp)",
      );
    await expect(migrate(orm, 'postgresql://host/lang')).rejects.toThrow(
      'the database postgresql://host/lang cannot be used: it was written by a newer version of the portal (migrations Migration20991231000000_future): update the portal first',
    );
    expect((await orm.migrator.getExecuted()).map((migration) => migration.name)).toContain(
      'Migration20991231000000_future',
    );
  });
});

import { MikroORM } from '@mikro-orm/sql';
import { ormConfig } from '../../mikro-orm.config.js';
import { validateEnvironment } from '../../src/config.js';
import { dialect } from '../../src/database/dialect.js';
import { migrate } from '../../src/database/migrate.js';
import { migrations } from '../../database/migrations/index.js';
import { WORD_SEARCH_TABLES } from '../../src/words/search.sqlite.js';
import { thaiSortKey } from '../../src/words/thai.js';
import { expressionIndexes } from '../api.js';
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

/** The tables of the database, without SQLite's own, the migrator's and the full-text index of words. */
async function tables(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .execute<{ name: string }[]>(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != 'mikro_orm_migrations' order by name",
    );
  return rows.map((row) => row.name).filter((name) => !WORD_SEARCH_TABLES.test(name));
}

async function searchTables(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .execute<{ name: string }[]>("select name from sqlite_master where name like 'words_search%' order by name");
  return rows.map((row) => row.name);
}

async function triggers(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .execute<{ name: string }[]>("select name from sqlite_master where type = 'trigger' order by name");
  return rows.map((row) => row.name);
}

// SQLite's migrations; test/database/postgresql-migrations.spec.ts checks PostgreSQL's.
(dialect.name === 'sqlite' ? describe : describe.skip)('migrations', () => {
  let orm: MikroORM;
  beforeEach(async () => {
    orm = await MikroORM.init({
      ...ormConfig({ ...validateEnvironment(process.env), DATABASE_PATH: ':memory:' }),
      logger: () => undefined,
    });
  });
  afterEach(() => orm.close());

  it('build exactly the schema the entities describe', async () => {
    await orm.migrator.up();
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
    expect(await tables(orm)).toEqual([...orm.getMetadata().getAll().values()].map((meta) => meta.tableName).sort());
    expect(await searchTables(orm)).toContain('words_search');
  });

  it('build the indexes the entities declare as statements as they declare them', async () => {
    // MikroORM compares such an index by its name only.
    await orm.migrator.up();
    const declared = expressionIndexes(orm);
    expect(declared.map(({ name }) => name)).toContain('words_correct_count_desc_index');
    const normal = (statement = '') => statement.replaceAll('`', '"').replace(/\s+/g, ' ').trim().toLowerCase();
    for (const { name, expression } of declared) {
      const [built] = await orm.em
        .fork()
        .execute<{ sql: string }[]>("select sql from sqlite_master where type = 'index' and name = ?", [name]);
      expect({ name, built: normal(built?.sql) }).toEqual({ name, built: normal(expression) });
    }
  });

  it('every migration has a down() that undoes it: down then up again gives the same schema', async () => {
    await orm.migrator.up();
    const schema = await tables(orm);
    const allTriggers = await triggers(orm);
    const search = await searchTables(orm);
    expect(allTriggers.length).toBeGreaterThan(0);

    for (const migration of [...migrations].reverse()) {
      await orm.migrator.down();
      expect((await orm.migrator.getExecuted()).map((executed) => executed.name)).not.toContain(migration.name);
    }
    expect(await tables(orm)).toEqual([]);
    expect(await triggers(orm)).toEqual([]);
    expect(await searchTables(orm)).toEqual([]);

    await orm.migrator.up();
    expect(await tables(orm)).toEqual(schema);
    expect(await triggers(orm)).toEqual(allTriggers);
    expect(await searchTables(orm)).toEqual(search);
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

  it('the search migration gives existing words their sort key and derived columns, and indexes them', async () => {
    const search = migrations.findIndex((migration) => migration.name === 'Migration20261201090000_search');
    await orm.migrator.up({ to: migrations[search - 1].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, correct_count, wrong_count, created_at, updated_at)
       values (1, 'ข้าว', 'rice', '{"romanization":"Khao"}', 0, 0, 0, 0), (2, 'เข้าใจ', 'understand', '{}', 0, 0, 0, 0)`,
    );

    await orm.migrator.up();

    expect(await em.execute('select id, thai_plain, romanization_lower, thai_sort from words order by id')).toEqual([
      { id: 1, thai_plain: 'ขาว', romanization_lower: 'khao', thai_sort: thaiSortKey('ข้าว') },
      { id: 2, thai_plain: 'เขาใจ', romanization_lower: null, thai_sort: thaiSortKey('เข้าใจ') },
    ]);
    const found = (match: string) =>
      em.execute<{ rowid: number }[]>('select rowid from words_search where words_search match ? order by rowid', [
        match,
      ]);
    expect(await found('thai_plain : "ขาว"')).toEqual([{ rowid: 1 }]);
    expect(await found('"าใจ"')).toEqual([{ rowid: 2 }]);
    expect(await found('"KHAO"')).toEqual([{ rowid: 1 }]);
    // FTS5 compares its index with the words table, and throws if they differ.
    await em.execute(`insert into words_search (words_search, rank) values ('integrity-check', 1)`);
  });

  it('the folded names migration folds every stored name and english as the API does, and indexes those', async () => {
    const folding = migrations.findIndex((migration) => migration.name === 'Migration20261220090000_folded_names');
    await orm.migrator.up({ to: migrations[folding - 1].name });
    const em = orm.em.fork();
    await storeNamesToFold(em, '0');

    await orm.migrator.up();

    await expectNamesFolded(em, '0');
  });

  it('the folded names migration stops at names it would make one, naming them, and changes nothing', async () => {
    const folding = migrations.findIndex((migration) => migration.name === 'Migration20261220090000_folded_names');
    await orm.migrator.up({ to: migrations[folding - 1].name });
    const em = orm.em.fork();
    await storeRepeatedNames(em, '0');

    await expectRepeatedNamesRefused(orm, em, migrations);
  });

  it('the session counters migration counts the answers each existing session has', async () => {
    const counters = migrations.findIndex((migration) => migration.name === 'Migration20261207090000_session_counters');
    await orm.migrator.up({ to: migrations[counters - 1].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at) values (1, 'น้ำ', 'water', '{}', 0, 0)`,
    );
    await em.execute(`insert into groups (id, name, created_at, updated_at) values (1, 'Drinks', 0, 0)`);
    await em.execute(`insert into study_sessions (id, group_id, created_at) values (1, 1, 0), (2, 1, 0), (3, 1, 0)`);
    await em.execute(
      `insert into words_review_items (word_id, study_session_id, correct, reviewed_at, created_at)
       values (1, 1, 1, 5000, 0), (1, 1, 0, 9000, 0), (1, 1, 1, 7000, 0), (1, 2, 0, 3000, 0), (1, null, 1, 8000, 0)`,
    );

    await orm.migrator.up();

    expect(
      await em.execute(
        'select id, review_items_count, correct_count, last_reviewed_at from study_sessions order by id',
      ),
    ).toEqual([
      { id: 1, review_items_count: 3, correct_count: 2, last_reviewed_at: 9000 },
      { id: 2, review_items_count: 1, correct_count: 0, last_reviewed_at: 3000 },
      { id: 3, review_items_count: 0, correct_count: 0, last_reviewed_at: null },
    ]);
  });
  it('the answer groups migration gives each answer of a session its group, and each group its counters', async () => {
    const groups = migrations.findIndex((migration) => migration.name === 'Migration20261208090000_answer_groups');
    await orm.migrator.up({ to: migrations[groups - 1].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at) values (1, 'น้ำ', 'water', '{}', 0, 0)`,
    );
    await em.execute(
      `insert into groups (id, name, created_at, updated_at) values (1, 'Drinks', 0, 0), (2, 'Food', 0, 0)`,
    );
    await em.execute(`insert into study_sessions (id, group_id, created_at) values (1, 2, 0), (2, 1, 0)`);
    await em.execute(
      `insert into words_review_items (id, word_id, study_session_id, correct, reviewed_at, created_at)
       values (1, 1, 1, 1, 5000, 0), (2, 1, 2, 0, 6000, 0), (3, 1, null, 1, 7000, 0), (4, 1, 1, 0, 4000, 0)`,
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
        'select id, review_items_count, correct_count, studied_word_count, last_reviewed_at from groups order by id',
      ),
    ).toEqual([
      { id: 1, review_items_count: 1, correct_count: 0, studied_word_count: 1, last_reviewed_at: 6000 },
      { id: 2, review_items_count: 2, correct_count: 1, studied_word_count: 1, last_reviewed_at: 5000 },
    ]);
  });
  it('the word last review migration gives each answered word the time of its newest answer', async () => {
    const last = migrations.findIndex((migration) => migration.name === 'Migration20261209090000_word_last_review');
    await orm.migrator.up({ to: migrations[last - 1].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at)
       values (1, 'น้ำ', 'water', '{}', 0, 0), (2, 'ไฟ', 'fire', '{}', 0, 0)`,
    );
    await em.execute(
      `insert into words_review_items (word_id, correct, reviewed_at, created_at) values (1, 1, 5000, 0), (1, 0, 9000, 0)`,
    );

    await orm.migrator.up();

    expect(await em.execute('select id, last_reviewed_at from words order by id')).toEqual([
      { id: 1, last_reviewed_at: 9000 },
      { id: 2, last_reviewed_at: null },
    ]);
  });
  it('the group session counts migration counts the sessions each existing group has', async () => {
    const counts = migrations.findIndex(
      (migration) => migration.name === 'Migration20261210090000_group_session_counts',
    );
    await orm.migrator.up({ to: migrations[counts - 1].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into groups (id, name, created_at, updated_at) values (1, 'Drinks', 0, 0), (2, 'Food', 0, 0)`,
    );
    await em.execute(`insert into study_sessions (id, group_id, created_at) values (1, 2, 0), (2, 2, 0)`);

    await orm.migrator.up();

    expect(await em.execute('select id, study_sessions_count from groups order by id')).toEqual([
      { id: 1, study_sessions_count: 0 },
      { id: 2, study_sessions_count: 2 },
    ]);
  });

  it('the parts types migration gives the parts stored before their types were checked those types', async () => {
    const retyping = migrations.findIndex((migration) => migration.name === 'Migration20261218090000_word_parts_types');
    await orm.migrator.up({ to: migrations[retyping - 1].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at) values ${STORED_PARTS.map(
        ([parts], index) => `(${index + 1}, 'คำ${index}', 'word ${index}', '${JSON.stringify(parts)}', 0, 0)`,
      ).join(', ')}`,
    );

    await orm.migrator.up();

    expectRetyped(await em.execute('select id, parts from words order by id'));
  });

  it('the refolded names migration folds every stored name and english as the API folds them now', async () => {
    const refolding = migrations.findIndex((migration) => migration.name === 'Migration20261222090000_refolded_names');
    await orm.migrator.up({ to: migrations[refolding - 1].name });
    const em = orm.em.fork();
    await storeNamesToRefold(em, '0');

    await orm.migrator.up();

    await expectNamesRefolded(em);
  });

  it('the refolded names migration stops at names the folding makes one, naming them, and changes nothing', async () => {
    const refolding = migrations.findIndex((migration) => migration.name === 'Migration20261222090000_refolded_names');
    await orm.migrator.up({ to: migrations[refolding - 1].name });
    const em = orm.em.fork();
    await storeNamesTheFoldingJoins(em, '0');

    await expectFoldingJoinsRefused(orm, em, migrations);
  });

  it('the blank romanizations migration makes a romanization empty once trimmed none, and leaves the others', async () => {
    const blanks = migrations.findIndex(
      (migration) => migration.name === 'Migration20261221090000_blank_romanizations',
    );
    await orm.migrator.up({ to: migrations[blanks - 1].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into words (id, thai, english, parts, created_at, updated_at) values ${wordsWithRomanizations('0')}`,
    );

    await orm.migrator.up();

    expectRomanizationsMigrated(await em.execute('select parts from words order by id'));
  });

  it('the portal app paths migration makes the seeded example app a path on the portal, and leaves other apps', async () => {
    const paths = migrations.findIndex((migration) => migration.name === 'Migration20261225090000_portal_app_paths');
    await orm.migrator.up({ to: migrations[paths - 1].name });
    const em = orm.em.fork();
    await em.execute(
      `insert into learning_apps (id, name, name_folded, launch_url, created_at, updated_at) values ${appsWithLaunchUrls('0')}`,
    );

    await orm.migrator.up();

    expectAppPathsMigrated(await em.execute('select launch_url from learning_apps order by id'));
    // Undone, it names an address again, as an older portal reads it.
    await orm.migrator.down({ to: migrations[paths - 1].name });
    const [example] = await em.execute<{ launch_url: string }[]>('select launch_url from learning_apps where id = 1');
    expect(new URL(example.launch_url).pathname).toBe('/apps/flashcards/');
  });

  it('a database a newer portal migrated is refused, as db:restore refuses its backup, and left as it is', async () => {
    expect(await migrate(orm, 'portal.sqlite')).toEqual(migrations.map((migration) => migration.name));
    await orm.em
      .fork()
      .execute(
        "insert into mikro_orm_migrations (name, executed_at) values ('Migration20991231000000_future', current_timestamp)",
      );
    await expect(migrate(orm, 'portal.sqlite')).rejects.toThrow(
      'the database portal.sqlite cannot be used: it was written by a newer version of the portal (migrations Migration20991231000000_future): update the portal first',
    );
    expect((await orm.migrator.getExecuted()).map((migration) => migration.name)).toContain(
      'Migration20991231000000_future',
    );
  });
});

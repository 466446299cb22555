import './node-version-guard.js';
import './load-env.js';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import pg from 'pg';
import { migrations } from '../database/migrations/index.js';
import { isInUse } from './backups/backup.js';
import { printableUrl } from './config.js';
import { messageOf } from './core/errors.js';
import { problemWithMigrations } from './database/migrate.js';

/**
 * `npm run db:copy -- --from FILE.sqlite --to postgresql://…`: moves a whole portal from its SQLite file into a new
 * PostgreSQL database, in one transaction: every row of every table the entities map, as it is (ids, counters and
 * summaries included), then each id sequence set past the largest id, then a check that each table has as many rows
 * on both sides and that the counters equal what they count. Anything wrong and nothing is committed.
 */

const USAGE = 'Usage: npm run db:copy -- --from FILE.sqlite --to postgresql://user:password@host:port/database';
/** PostgreSQL takes at most 65,535 parameters in a statement; a batch is also at most this many rows. */
const MAX_PARAMETERS = 65_535;
const MAX_BATCH_ROWS = 1_000;
/** How the report names the tables whose names say it less well. */
const LABELS: Record<string, string> = { words_review_items: 'answers', words_groups: 'group memberships' };
/** The tables the report names first. */
const FIRST = ['words', 'groups', 'words_review_items'];

/** A table to copy: its name, the columns written (not generated ones), how each value is converted, its parents. */
interface Table {
  name: string;
  columns: string[];
  convert: ((value: unknown) => unknown)[];
  orderBy: string[];
  parents: string[];
  /** The column the database numbers (serial), if any. */
  serial?: string;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** SQLite keeps an instant as epoch milliseconds (older rows may hold text); PostgreSQL takes a Date. */
function instant(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'bigint') {
    return new Date(Number(value));
  }
  if (typeof value === 'string') {
    return new Date(
      /^\d+$/.test(value) ? Number(value) : value.replace(' ', 'T') + (/[Z+-]\d*:?\d*$/.test(value) ? '' : 'Z'),
    );
  }
  return value;
}

/** How a SQLite value becomes the PostgreSQL column's: JSON (text) and blobs (Buffer) pass as they are. */
function converterOf(columnType: string): (value: unknown) => unknown {
  if (columnType.startsWith('timestamp')) {
    return instant;
  }
  if (columnType === 'boolean') {
    return (value) => (value === null ? null : Boolean(value));
  }
  return (value) => value;
}

/** The stored columns of one entity's table, read from the PostgreSQL metadata (generated columns are computed). */
function tableOf(meta: EntityMetadata): Table {
  const stored = (meta.props as EntityProperty[]).filter(
    (property) =>
      property.persist !== false &&
      !property.generated &&
      !property.formula &&
      (property.kind === 'scalar' || property.kind === 'm:1' || (property.kind === '1:1' && property.owner)),
  );
  const keys = meta.primaryKeys.map((key) => meta.properties[key as keyof typeof meta.properties]);
  return {
    name: meta.tableName,
    columns: stored.flatMap((property) => property.fieldNames),
    convert: stored.flatMap((property) => property.columnTypes.map(converterOf)),
    orderBy: keys.flatMap((key) => key.fieldNames),
    parents: stored
      .filter((property) => property.kind !== 'scalar' && property.targetMeta!.tableName !== meta.tableName)
      .map((property) => property.targetMeta!.tableName),
    serial: keys.length === 1 && keys[0].autoincrement ? keys[0].fieldNames[0] : undefined,
  };
}

/** The tables, each after the tables its rows refer to, so that every foreign key is satisfied as rows arrive. */
function inDependencyOrder(tables: Table[]): Table[] {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const ordered: Table[] = [];
  const visited = new Set<string>();
  const visit = (table: Table) => {
    if (!visited.has(table.name)) {
      visited.add(table.name);
      table.parents.forEach((parent) => visit(byName.get(parent)!));
      ordered.push(table);
    }
  };
  [...tables].sort((a, b) => a.name.localeCompare(b.name)).forEach(visit);
  return ordered;
}

/** The source, read-only: a migrated portal of the current schema that no server has open. */
function openSource(file: string): Database.Database {
  const source = new Database(file, { readonly: true, fileMustExist: true });
  let hasLog: Database.Statement;
  try {
    hasLog = source.prepare("select 1 from sqlite_master where type = 'table' and name = 'mikro_orm_migrations'");
  } catch (error) {
    source.close();
    throw (error as { code?: string }).code === 'SQLITE_NOTADB'
      ? new Error(`${file} is not an SQLite database: name the portal's SQLite file (DATABASE_PATH)`, { cause: error })
      : error;
  }
  const applied = new Set(
    hasLog.get()
      ? (source.prepare('select name from mikro_orm_migrations').pluck().all() as string[]).map((name) =>
          name.replace(/\.[jt]s$/, ''),
        )
      : [],
  );
  // A newer portal's tables and columns are unknown to these entities: they would be left out, unnoticed by the checks.
  const newer = problemWithMigrations([...applied], migrations);
  if (newer) {
    source.close();
    throw new Error(`${file} cannot be copied: ${newer}`);
  }
  const missing = migrations.filter((migration) => !applied.has(migration.name));
  if (missing.length > 0) {
    source.close();
    throw new Error(
      `${file} is not migrated to the current schema (${missing.length} of ${migrations.length} migrations not applied): ` +
        `run npm start or npm run db:migrate on it first (DATABASE_PATH=${file})`,
    );
  }
  return source;
}

/** Inserts the rows of `table` from the source, streamed, in parameterised batches; how many rows. */
async function copyTable(source: Database.Database, target: pg.ClientBase, table: Table): Promise<number> {
  const perBatch = Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMETERS / table.columns.length));
  const columns = table.columns.map(quote).join(', ');
  const insert = (rows: unknown[][]) =>
    target.query(
      `insert into ${quote(table.name)} (${columns}) values ${rows
        .map(
          (_, row) =>
            `(${table.columns.map((__, column) => `$${row * table.columns.length + column + 1}`).join(', ')})`,
        )
        .join(', ')}`,
      rows.flatMap((row) => row.map((value, column) => table.convert[column](value))),
    );
  const select = source
    .prepare(`select ${columns} from ${quote(table.name)} order by ${table.orderBy.map(quote).join(', ')}`)
    .raw(true);
  let batch: unknown[][] = [];
  let copied = 0;
  for (const row of select.iterate() as Iterable<unknown[]>) {
    batch.push(row);
    if (batch.length === perBatch) {
      await insert(batch);
      copied += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await insert(batch);
    copied += batch.length;
  }
  return copied;
}

/** What is wrong with the target's counters and summaries (each equal to what it counts), if anything. */
async function counterProblems(target: pg.ClientBase, quarterHourOf: (column: string) => string): Promise<string[]> {
  const checks: [problem: string, mismatches: string][] = [
    [
      "words' correct_count/wrong_count/last_reviewed_at differ from their answers",
      `select count(*) from words w left join (select word_id, sum(correct::int) as correct, sum((not correct)::int) as wrong,
           max(reviewed_at) as last from words_review_items group by word_id) r on r.word_id = w.id
       where w.correct_count <> coalesce(r.correct, 0) or w.wrong_count <> coalesce(r.wrong, 0)
          or w.last_reviewed_at is distinct from r.last`,
    ],
    [
      "study sessions' review_items_count/correct_count/last_reviewed_at differ from their answers",
      `select count(*) from study_sessions s left join (select study_session_id, count(*) as answers,
           sum(correct::int) as correct, max(reviewed_at) as last from words_review_items group by study_session_id) r
         on r.study_session_id = s.id
       where s.review_items_count <> coalesce(r.answers, 0) or s.correct_count <> coalesce(r.correct, 0)
          or s.last_reviewed_at is distinct from r.last`,
    ],
    [
      "groups' review_items_count/correct_count/studied_word_count/last_reviewed_at differ from their answers",
      `select count(*) from groups g left join (select group_id, count(*) as answers, sum(correct::int) as correct,
           count(distinct word_id) as studied, max(reviewed_at) as last from words_review_items group by group_id) r
         on r.group_id = g.id
       where g.review_items_count <> coalesce(r.answers, 0) or g.correct_count <> coalesce(r.correct, 0)
          or g.studied_word_count <> coalesce(r.studied, 0) or g.last_reviewed_at is distinct from r.last`,
    ],
    [
      "groups' study_sessions_count differ from their sessions",
      `select count(*) from groups g left join (select group_id, count(*) as sessions from study_sessions group by group_id) s
         on s.group_id = g.id where g.study_sessions_count <> coalesce(s.sessions, 0)`,
    ],
    [
      "groups' words_count differ from their memberships",
      `select count(*) from groups g left join (select group_id, count(*) as members from words_groups group by group_id) m
         on m.group_id = g.id where g.words_count <> coalesce(m.members, 0)`,
    ],
    [
      'answer_totals differ from the answers',
      `select count(*) from (select count(*) as answers, coalesce(sum(correct::int), 0) as correct,
           count(distinct word_id) as studied_words from words_review_items) l
         left join answer_totals t on t.id = 1
       where (l.answers, l.correct, l.studied_words) <> (coalesce(t.answers, 0), coalesce(t.correct, 0), coalesce(t.studied_words, 0))`,
    ],
    [
      'answer_quarter_hours differ from the answers',
      `select count(*) from (select ${quarterHourOf('reviewed_at')} as quarter, count(*) as answers,
           sum((coalesce(card_state, 0) = 2)::int) as review_answers,
           sum(((coalesce(card_state, 0) = 2) and correct)::int) as review_correct
         from words_review_items group by 1) l
         full join answer_quarter_hours q on q.quarter = l.quarter
       where (coalesce(l.answers, 0), coalesce(l.review_answers, 0), coalesce(l.review_correct, 0))
          <> (coalesce(q.answers, 0), coalesce(q.review_answers, 0), coalesce(q.review_correct, 0))`,
    ],
  ];
  const problems: string[] = [];
  for (const [problem, mismatches] of checks) {
    const { rows } = await target.query<{ count: number }>(mismatches);
    if (Number(rows[0].count) > 0) {
      problems.push(`${problem} (${rows[0].count} rows)`);
    }
  }
  return problems;
}

/** Refuses a target with rows in any of its tables (the record of its migrations aside), naming them. */
async function refuseOccupied(target: pg.Client, to: string): Promise<void> {
  const { rows: tables } = await target.query<{ name: string }>(
    `select table_name as name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations'
     order by table_name`,
  );
  const occupied: string[] = [];
  for (const { name } of tables) {
    const { rows } = await target.query<{ count: number }>(`select count(*) from ${quote(name)}`);
    if (Number(rows[0].count) > 0) {
      occupied.push(`${name}: ${rows[0].count} rows`);
    }
  }
  if (occupied.length > 0) {
    throw new Error(
      `${printableUrl(to)} is not empty (${occupied.join(', ')}): copy into a new database (createdb), not over a portal`,
    );
  }
}

/** The whole copy; its one-line report. */
async function copy(from: string, to: string): Promise<string> {
  if (!existsSync(from)) {
    throw new Error(
      `${from} does not exist: name the portal's SQLite file (DATABASE_PATH, database/lang-portal.sqlite by default)`,
    );
  }
  if (isInUse(from)) {
    throw new Error(`${from} is open in a running portal: stop it first, then copy`);
  }
  const source = openSource(from);
  // The entities' SQL is that of the database DATABASE_URL names when they are first loaded: PostgreSQL's here.
  process.env.DATABASE_URL = to;
  const { MikroORM } = await import('@mikro-orm/postgresql');
  const { ormConfig } = await import('../mikro-orm.config.js');
  const { dialect } = await import('./database/dialect.js');
  const { BoundedClient } = await import('./database/postgresql.dialect.js');

  const target = new BoundedClient({ connectionString: to, application_name: 'lang-portal db:copy' });
  await target.connect().catch((error: unknown) => {
    throw new Error(
      `PostgreSQL at ${printableUrl(to)} cannot be reached (${messageOf(error)}): check --to, and that the server runs and the database exists`,
      { cause: error },
    );
  });
  try {
    // 1. The target must be empty, before its migrations would change a portal already there.
    await refuseOccupied(target, to);

    // 2. The target's schema, by the PostgreSQL migrations (a no-op when it is up to date); the tables, from the metadata.
    const orm = await MikroORM.init({ ...ormConfig(), logger: () => undefined });
    let tables: Table[];
    try {
      await orm.migrator.up();
      tables = inDependencyOrder(
        [...orm.getMetadata()].filter((meta) => meta.tableName && !meta.embeddable && !meta.virtual).map(tableOf),
      );
    } finally {
      await orm.close();
    }

    // 3. One transaction on each side: the source's rows as of one moment, the target all or nothing, and still empty.
    // Its triggers are off while the rows arrive: the counters and summaries come with them, and a trigger would
    // count each answer and membership a second time.
    source.exec('begin');
    await target.query('begin');
    await refuseOccupied(target, to);
    const expected = new Map(
      tables.map((table) => [
        table.name,
        Number(
          source
            .prepare(`select count(*) from ${quote(table.name)}`)
            .pluck()
            .get(),
        ),
      ]),
    );
    for (const table of tables) {
      await target.query(`alter table ${quote(table.name)} disable trigger user`);
    }

    // 4. Every table, parents first, so that the foreign keys (still on) hold at each row.
    const copied = new Map<string, number>();
    for (const table of tables) {
      copied.set(table.name, await copyTable(source, target, table));
    }
    for (const table of tables) {
      await target.query(`alter table ${quote(table.name)} enable trigger user`);
    }

    // 5. Checks: as many rows on both sides, and the counters equal to what they count.
    const problems: string[] = [];
    for (const table of tables) {
      const { rows } = await target.query<{ count: number }>(`select count(*) from ${quote(table.name)}`);
      const [want, got] = [expected.get(table.name)!, Number(rows[0].count)];
      if (got !== want || copied.get(table.name) !== want) {
        problems.push(`${table.name} has ${got} rows, not ${want}`);
      }
    }
    problems.push(...(await counterProblems(target, dialect.quarterHourOf)));
    if (problems.length > 0) {
      throw new Error(`the copy does not check out, nothing was committed: ${problems.join('; ')}`);
    }

    // 6. The next id of each table follows its largest (the copy set ids explicitly), then commit.
    for (const { name, serial } of tables.filter((table) => table.serial)) {
      await target.query(
        `select setval(pg_get_serial_sequence($1, $2), coalesce(max(${quote(serial!)}), 0) + 1, false) from ${quote(name)}`,
        [quote(name), serial],
      );
    }
    await target.query('commit');

    const named = [...FIRST, ...tables.map((table) => table.name).filter((name) => !FIRST.includes(name))];
    const counts = named
      .filter((name) => copied.get(name)! > 0 || FIRST.includes(name))
      .map((name) => `${copied.get(name)} ${LABELS[name] ?? name.replaceAll('_', ' ')}`);
    return `Copied ${counts.join(', ')} from ${from} to ${printableUrl(to)}: counts and counters verified`;
  } catch (error) {
    await target.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await target.end();
    source.close();
  }
}

/**
 * The reason of a failure, without the password of the URL wherever the message may quote it: the URL as given, or
 * the password where a URL holds it (`:password@`). Its letters elsewhere in the message stay (a password `y` would
 * have taken the y out of every word).
 */
function reason(error: unknown, to: string): string {
  const message = messageOf(error);
  if (!URL.canParse(to) || new URL(to).password === '') {
    return message;
  }
  const { password } = new URL(to);
  return [password, decodeURIComponent(password)].reduce(
    (masked, quoted) => masked.replaceAll(`:${quoted}@`, ':***@'),
    message.replaceAll(to, printableUrl(to)),
  );
}

/** `--from` and `--to`, or the usage and exit code 2. */
function parsedArguments(): { from: string; to: string } {
  try {
    const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
    if (values.from && values.to && /^postgres(ql)?:\/\/\S+$/.test(values.to)) {
      return { from: values.from, to: values.to };
    }
  } catch {
    // An unknown option or a missing value: the usage says what is expected.
  }
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const { from, to } = parsedArguments();
try {
  const started = performance.now();
  const report = await copy(from, to);
  process.stdout.write(`${report} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
} catch (error) {
  process.stderr.write(`Copy failed: ${reason(error, to)}\n`);
  process.exitCode = 1;
}

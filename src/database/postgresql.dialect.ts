import type { Configuration } from '@mikro-orm/core';
import { AbstractSqlDriver, MikroORM, PostgreSqlConnection, PostgreSqlPlatform } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/sql';
import { PostgresQueryCompiler, sql } from 'kysely';
import pg from 'pg';
import type { Dialect } from './dialect.interface.js';
import { releasingConnections } from './released-connections.js';

// Counts and sums come back as numbers, as from SQLite: bigint (count) and numeric (sum of bigints) are text
// in `pg` by default; the portal's never pass 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);
// Instants are sent in UTC: in the process's time zone `pg` writes the offset in whole minutes, and an instant
// before a zone's standard time (Bangkok's mean time until 1920, +06:42:04) was stored 4 s off.
pg.defaults.parseInputDatesAsUTC = true;

/** Rows locked per statement. */
const LOCKS_PER_STATEMENT = 1000;

// Any number, the same in every server process: the key of the lock the migrations are applied under.
const MIGRATIONS_LOCK = 7_201_125;

/**
 * How long a new connection may take to be ready. Without a limit, a PostgreSQL host cut off by the network held
 * start-up (and any request needing a new connection) until the system's TCP timeout, minutes.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * `pg`'s client, its connecting bounded by CONNECT_TIMEOUT_MS. Set on the pool, `connectionTimeoutMillis` would also
 * fail a request waiting its turn for one of DATABASE_POOL_SIZE busy connections, which is load, not an outage.
 */
export class BoundedClient extends pg.Client {
  constructor(config: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

/** The options of each pooled connection: a statement running longer than `statementTimeoutMs` is cancelled. */
export const postgresqlConnection = (statementTimeoutMs: number) => ({
  Client: BoundedClient,
  statement_timeout: statementTimeoutMs,
  application_name: 'lang-portal',
});

// The id columns are integer (serial): 32 bits.
const LARGEST_INTEGER = 2 ** 31 - 1;

/**
 * Kysely's SQL with an integer beyond 32 bits bound as a bigint: an id the API takes (up to 2^53) then matches no
 * row of an integer column, where PostgreSQL would refuse the parameter as out of range (MikroORM's own statements
 * hold their values in the SQL text, where such a literal is a bigint already).
 */
class WideIntegersCompiler extends PostgresQueryCompiler {
  protected override appendValue(value: unknown): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) <= LARGEST_INTEGER) {
      super.appendValue(value);
      return;
    }
    this.append('cast(');
    super.appendValue(value);
    this.append(' as bigint)');
  }
}

/**
 * MikroORM's PostgreSQL connection, its Kysely queries compiled by `WideIntegersCompiler`, its transactions giving
 * their connection back to the pool when the connection was lost in the middle (`releasingConnections`).
 */
class WideIntegersConnection extends PostgreSqlConnection {
  override createKyselyDialect(overrides: Parameters<PostgreSqlConnection['createKyselyDialect']>[0]) {
    const dialect = super.createKyselyDialect(overrides);
    dialect.createQueryCompiler = () => new WideIntegersCompiler();
    const createDriver = dialect.createDriver.bind(dialect);
    dialect.createDriver = () => releasingConnections(createDriver());
    return dialect;
  }
}

/**
 * MikroORM's PostgreSQL platform, an instant before the year 1 in UTC written as PostgreSQL's year BC: MikroORM's own
 * statements hold it in their text as toISOString's year 0 or below, which PostgreSQL refuses (a card first answered
 * on 1 January of the year 1 east of UTC could not be recomputed).
 */
class YearsBcPlatform extends PostgreSqlPlatform {
  override formatDate(date: Date): string {
    const year = date.getUTCFullYear();
    if (year >= 1) {
      return super.formatDate(date);
    }
    const iso = date.toISOString();
    return `${String(1 - year).padStart(4, '0')}${iso.slice(iso.indexOf('-', 1))} BC`;
  }
}

/** MikroORM's PostgreSQL driver on a `WideIntegersConnection`. */
export class PostgreSqlDriver extends AbstractSqlDriver<WideIntegersConnection, PostgreSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new YearsBcPlatform(), WideIntegersConnection, ['kysely', 'pg']);
  }

  override getORMClass() {
    return MikroORM;
  }
}

/** A timestamptz as `pg` gives it to raw SQL (`2026-11-30 13:22:39.123+00`), as an instant. */
function instantOf(value: number | string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value !== 'string') {
    return new Date(value);
  }
  // A year before 1 is written as a year BC ("0001-12-31 23:00:00+00 BC", 1 BC being JavaScript's year 0): an answer on
  // 1 January of the year 1 east of UTC is given then.
  let text = value;
  const bc = value.endsWith(' BC') ? /^(\d+)(-.*) BC$/.exec(value) : null;
  if (bc) {
    const year = 1 - Number(bc[1]);
    text = `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}${bc[2]}`;
  }
  return new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}

/** PostgreSQL's way of saying each concern of dialect.ts. */
export const postgresqlDialect: Dialect = {
  name: 'postgresql',
  // ICU's root locale folds every script, whatever the database's own locale.
  folded: (expression) => `lower((${expression}) collate "und-x-icu")`,
  asInteger: (expression) => `(${expression})::int`,
  jsonText: (column, key) => `(${column} ->> '${key}')`,
  withoutCharacters: (column, characters) =>
    characters.reduce((sql, character) => `replace(${sql}, chr(${character.codePointAt(0)}), '')`, column),
  lowerAscii: (column) => `lower(${column})`,
  generated: (expression) => `(${expression}) stored`,
  // A row trigger's function must return: a before trigger the row to write, an after trigger anything.
  triggers: (definitions) =>
    definitions.map((trigger) => ({
      ...trigger,
      body: `${String(trigger.body)} return ${trigger.timing !== 'before' ? 'null' : trigger.events.includes('delete') ? 'old' : 'new'};`,
    })),
  // A statement trigger, reading the statement's rows as a transition table: each update of one row in a
  // transaction leaves a version that the next has to walk past, so a row trigger made adding 4,000 words to a
  // group quadratic (4.9 s; one update a group: 0.1 s). MikroORM declares no transition table: the whole DDL.
  countingTriggers: ({ table, key, parent, counter, countedIn, countedOut }) =>
    (
      [
        [countedIn, 'insert', 'new', '+'],
        [countedOut, 'delete', 'old', '-'],
      ] as const
    ).map(([name, event, rows, sign]) => {
      const fn = `"${table}_${name}_fn"`;
      return {
        name,
        timing: 'after',
        events: [event],
        forEach: 'statement',
        expression:
          `create or replace function ${fn}() returns trigger as $$ begin update ${parent} set ${counter} = ` +
          `${counter} ${sign} counted.rows_count from (select ${key}, count(*) as rows_count from ${rows}_rows group by ${key}) ` +
          `as counted where ${parent}.id = counted.${key}; return null; end; $$ language plpgsql;\n` +
          `create trigger "${name}" after ${event} on "${table}" referencing ${rows} table as ${rows}_rows ` +
          `for each statement execute function ${fn}();`,
      };
    }),
  // One statement trigger, for the reason countingTriggers has: each row it counts into is updated once per statement,
  // not once per written row (a forced delete of a group of 60,000 answers: 82 -> 0.6 s; an Anki import of 100,000
  // answers: 121 -> 16 s). A single answer pays ~0.1 ms more for it (0.42 -> 0.53 ms, the insert, pgbench).
  writtenRowsTriggers: (table, event, name, _byRow, byStatement) => {
    const fn = `"${table}_${name}_fn"`;
    const [rows, transition] = event === 'insert' ? ['new', 'inserted'] : ['old', 'deleted'];
    return [
      {
        name,
        timing: 'after',
        events: [event],
        forEach: 'statement',
        expression:
          `create or replace function ${fn}() returns trigger as $$ begin ${byStatement} return null; end; $$ language plpgsql;\n` +
          `create trigger "${name}" after ${event} on "${table}" referencing ${rows} table as ${transition} ` +
          `for each statement execute function ${fn}();`,
      },
    ];
  },
  instantOf,
  // date_part's seconds are a double, extract's a numeric: the queue orders the large portal's ~58,000 due cards by
  // this in 20 ms instead of 33 (its statement, without parallel workers). Whole days come out the same.
  daysSince: (column, now) =>
    sql<number>`floor(date_part('epoch', cast(${now} as timestamptz) - ${sql.ref(column)}) / 86400)`,
  quarterHourOf: (column) => `floor(extract(epoch from ${column}) / 900)::int`,
  // No row trigger runs on a truncate. It locks the tables until the commit: their readers wait for it meanwhile.
  emptyWithoutTriggers: async (em, tables) => {
    await em.execute(`truncate table ${tables.join(', ')}`);
  },
  // Not the migrator's log, which a reset keeps: restarted, its sequence gave the next migration applied id 1, a
  // duplicate key, and the server did not start.
  restartIds: async (em: EntityManager) => {
    await em.execute(
      `select setval(c.oid::regclass, 1, false) from pg_class c
        join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'S' and n.nspname = current_schema()
        and c.oid is distinct from pg_get_serial_sequence(?, 'id')::regclass`,
      [em.config.get('migrations').tableName],
    );
  },
  // The references that may be checked late are declared deferrable (initially immediate).
  deferForeignKeys: async (em: EntityManager) => {
    await em.execute('set constraints all deferred');
  },
  largestId: LARGEST_INTEGER,
  lockRows: async (em, table, key, ids) => {
    // In key order across statements too, each bounded in its parameters (a word import may name 100,000 words).
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    for (let start = 0; start < sorted.length; start += LOCKS_PER_STATEMENT) {
      const chunk = sorted.slice(start, start + LOCKS_PER_STATEMENT);
      await em.execute(
        `select ${key} from ${table} where ${key} in (${chunk.map(() => '?').join(', ')}) order by ${key} for update`,
        chunk,
      );
    }
  },
  // Advisory locks of the table's own class (its oid), apart from the migrations' one-key lock; sorted as `lockRows`.
  lockKeys: async (em, table, keys) => {
    const sorted = [...new Set(keys)].sort((a, b) => a - b);
    for (let start = 0; start < sorted.length; start += LOCKS_PER_STATEMENT) {
      const chunk = sorted.slice(start, start + LOCKS_PER_STATEMENT);
      await em.execute(
        `select pg_advisory_xact_lock('${table}'::regclass::oid::int, key)
          from (values ${chunk.map(() => '(?)').join(', ')}) as keys (key) order by key`,
        chunk,
      );
    }
  },
  // An advisory lock of one key, the table's oid, apart from `lockKeys`' two-key ones. Not a lock of the table, which
  // would also hold back its updates and deletes (voiding, a session's delete) for the inserting transaction's length.
  lockInserts: async (em, table) => {
    await em.execute(`select pg_advisory_xact_lock('${table}'::regclass::oid::bigint)`);
  },
  // The shared side of `lockInserts`' lock, in a statement of its own (outside a transaction): let go once granted.
  awaitInserts: async (em, table) => {
    await em.execute(`select pg_advisory_xact_lock_shared('${table}'::regclass::oid::bigint)`);
    return true;
  },
  lockTable: async (em, table) => {
    await em.execute(`lock table ${table} in exclusive mode`);
  },
  lockEveryTableAtOnce: async (em) => {
    const [{ tables }] = await em.execute<{ tables: string }[]>(
      `select string_agg(format('%I', tablename), ', ') as tables from pg_tables where schemaname = current_schema()`,
    );
    try {
      await em.execute(`lock table ${tables} in access exclusive mode nowait`);
      return true;
    } catch (error) {
      // lock_not_available: another transaction holds a lock of one of them.
      if ((error as { code?: string }).code === '55P03') {
        return false;
      }
      throw error;
    }
  },
  // deadlock_detected, serialization_failure, lock_not_available: PostgreSQL rolled the transaction back.
  isContention: (error) => ['40P01', '40001', '55P03'].includes(String((error as { code?: unknown } | null)?.code)),
  // disk_full: PostgreSQL could not extend a file (or its WAL) and rolled the transaction back.
  isStorageFull: (error) => String((error as { code?: unknown } | null)?.code) === '53100',
  // Servers started together (on several machines, too) take a lock of the database in turn, each on a
  // connection of its own that holds it until it ends; the later ones find the migrations applied.
  exclusively: async (orm, work) => {
    const client = new BoundedClient({ connectionString: orm.config.get('clientUrl') });
    await client.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATIONS_LOCK]);
      return await work();
    } finally {
      await client.end();
    }
  },
};

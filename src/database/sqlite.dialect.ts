import Database from 'better-sqlite3';
import type {
  AnyEntity,
  Configuration,
  EntityData,
  LoggingOptions,
  QueryResult,
  RawQueryFragment,
  Transaction,
} from '@mikro-orm/core';
import { AbstractSqlDriver, type EntityManager, type NativeQueryBuilder, SqlitePlatform } from '@mikro-orm/sql';
import { MikroORM, SqliteConnection as MikroOrmSqliteConnection } from '@mikro-orm/sqlite';
import {
  CompiledQuery,
  type Driver,
  type Kysely,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  sql,
} from 'kysely';

import { WORKER_SLOT } from '../config.js';
import type { Dialect } from './dialect.interface.js';
import { releasingConnections } from './released-connections.js';

/** Kysely's SQLite dialect, holding its better-sqlite3 database once it is open (for backups and tests). */
export type SqliteConnection = SqliteDialect & { database?: Database.Database };

/**
 * Transactions begin with `begin immediate`: they take the write lock at once, waiting (busy_timeout) while
 * another process holds it. A deferred one reads first and fails with SQLITE_BUSY at its first write when
 * another process has written since (a WAL snapshot cannot be upgraded), and waiting cannot help it.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    // A `begin immediate` refused (the write lock held past busy_timeout) must not keep the one connection.
    return releasingConnections(driver);
  }
}

/**
 * A better-sqlite3 database with the settings every reader and writer of the portal's file wants (the server,
 * the CLI, tests, and the benchmark's baseline): WAL, foreign keys, waiting for the write lock, text folding.
 */
export function openSqlite(path: string): Database.Database {
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  // In WAL, NORMAL syncs at checkpoints, not at every commit: a crash of the process loses nothing, a power
  // cut the commits since the last checkpoint that the OS had not written back yet (it does within ~30 s), and
  // the file is never corrupt; an answer's commit costs no fsync.
  database.pragma('synchronous = NORMAL');
  // A checkpoint every 10,000 pages written (~40 MB of log) instead of 1,000: a checkpoint syncs the file while
  // the server waits, and pages rewritten in between (summaries, hot index pages) are copied once. Halves the
  // time an answer's commit takes under load (bench/results.md). What a power cut can lose is bounded, as
  // before, by the OS writing the log back within ~30 s.
  database.pragma('wal_autocheckpoint = 10000');
  database.pragma('foreign_keys = ON');
  // Another process writing (the CLI, a backup, a second server) makes a statement wait, not fail.
  database.pragma('busy_timeout = 5000');
  // 64 MB of page cache instead of 2 MB: the hot indexes of a large portal stay in memory. (No mmap_size:
  // mapped pages count as the process's resident memory, and the OS caches the file anyway.)
  database.pragma('cache_size = -65536');
  // lower() folds only A–Z; names and search are case-insensitive in every script.
  database.function('unicode_lower', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? text.toLowerCase() : text,
  );
  return database;
}

// Statements kept compiled per database: the portal's queries are a few hundred distinct texts.
const COMPILED_STATEMENTS = 500;
// Longer texts (bulk writes of hundreds of rows) are compiled at each use: their programs are large, and running
// them outweighs compiling them.
const COMPILED_TEXT_LENGTH = 4096;

/** Values as SQLite stores them (`bindable`); one it cannot store as it is (NaN, an object) is a fault of the caller. */
const stored = (values: readonly unknown[]) =>
  values.map((value) => {
    const bound = bindable(value);
    if (bound === undefined) {
      throw new TypeError(`A statement cannot bind ${typeof value} ${String(value)}`);
    }
    return bound;
  });

/**
 * A statement that binds the values a Kysely query holds (instants, booleans, integers) as SQLite stores them, so
 * that a query written through `em.getKysely()` passes the values its entities hold, on both databases.
 */
function storing(statement: Database.Statement): SqliteStatement & { statement: Database.Statement } {
  return {
    statement,
    reader: statement.reader,
    all: (values) => statement.all(stored(values)),
    run: (values) => statement.run(stored(values)),
    iterate: (values) => statement.iterate(stored(values)),
  };
}

/**
 * The database as Kysely sees it, compiling each statement text once: better-sqlite3 takes ~60 µs to compile
 * one, more than most of the portal's queries take to run. A statement still being iterated (a stream) is
 * busy and cannot run twice at once: that text gets a fresh one meanwhile.
 */
function compilingOnce(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, ReturnType<typeof storing>>();
  return {
    prepare(sql: string) {
      const compiled = statements.get(sql);
      if (compiled && !compiled.statement.busy) {
        // The least recently used text leaves first: a Map iterates in insertion order.
        statements.delete(sql);
        statements.set(sql, compiled);
        return compiled;
      }
      const statement = storing(database.prepare(sql));
      if (!compiled && sql.length <= COMPILED_TEXT_LENGTH) {
        statements.set(sql, statement);
        if (statements.size > COMPILED_STATEMENTS) {
          statements.delete(statements.keys().next().value!);
        }
      }
      return statement;
    },
    close: () => database.close(),
  };
}

/**
 * How often a connection's planner statistics are refreshed while it lives, as SQLite advises for long-lived
 * connections: a server started on the seed's 388 words may hold 100,000 and millions of answers months later, and a
 * history reset drops the log's statistics with its indexes (`emptyWithoutTriggers`).
 */
export const STATISTICS_REFRESH_MS = 60 * 60 * 1000;

/** The connection every part of the portal uses (server, CLI, tests). */
export function sqliteConnection(path: string): SqliteConnection {
  const connection: SqliteConnection = new ImmediateSqliteDialect({
    database: async () => {
      const database = openSqlite(path);
      // Statistics for the query planner on tables that have none or outgrew theirs (sampled: milliseconds,
      // once, on a database never analysed before).
      database.pragma('analysis_limit = 1000');
      database.pragma('optimize = 0x10002');
      connection.database = database;
      const refresh = setInterval(() => refreshStatistics(database), STATISTICS_REFRESH_MS).unref();
      const compiled = compilingOnce(database);
      return {
        ...compiled,
        close: () => {
          clearInterval(refresh);
          return compiled.close();
        },
      };
    },
  });
  return connection;
}

/** Analyses the tables this connection's queries read that changed much since their statistics were gathered. */
function refreshStatistics(database: Database.Database): void {
  // The connection is shared: a transaction of a request in flight is left alone, and refreshed at the next turn.
  if (database.inTransaction) {
    return;
  }
  try {
    database.pragma('optimize');
  } catch {
    // Another process held the write lock longer than busy_timeout: the statistics stay as they are until the next turn.
  }
}

/**
 * A parameter as better-sqlite3 binds it, or undefined for one only MikroORM's formatting can write (a list,
 * a raw fragment, an object). Integers go as BigInt: better-sqlite3 binds every number as a REAL otherwise.
 */
function bindable(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      // NaN and the infinities go formatted, which SQLite refuses, rather than bound, which it stores as null.
      return Number.isSafeInteger(value) ? BigInt(value) : Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value ? 1n : 0n;
    case 'string':
    case 'bigint':
      return value;
    default:
      if (value === null || value === undefined) {
        return null;
      }
      if (value instanceof Date) {
        return BigInt(value.getTime());
      }
      return Buffer.isBuffer(value) ? value : undefined;
  }
}

/** The statement with its values bound to its `?`s, or undefined when only formatting can write it. */
function bound(query: unknown, params: unknown): { sql: string; values: unknown[] } | undefined {
  // `??` is an identifier and `\?` a literal question mark: MikroORM's formatting writes those.
  if (typeof query !== 'string' || !Array.isArray(params) || query.includes('??') || query.includes('\\?')) {
    return undefined;
  }
  if (params.length === 0 || query.split('?').length - 1 !== params.length) {
    return undefined;
  }
  const values = params.map(bindable);
  return values.includes(undefined) ? undefined : { sql: query, values };
}

/**
 * MikroORM writes every value into the SQL text, so each request's statements are new texts, compiled again;
 * with the values bound instead, a statement's text is the same at every request and compiled once.
 */
class BoundSqliteConnection extends MikroOrmSqliteConnection {
  override async execute<T extends QueryResult | EntityData<AnyEntity> | EntityData<AnyEntity>[]>(
    query: string | NativeQueryBuilder | RawQueryFragment,
    params: readonly unknown[] = [],
    method: 'all' | 'get' | 'run' = 'all',
    ctx?: Transaction,
    loggerContext?: LoggingOptions,
  ): Promise<T> {
    const statement = bound(query, params);
    if (!statement) {
      return super.execute(query, params, method, ctx, loggerContext);
    }
    await this.ensureConnection();
    const sql = this.config.get('onQuery')(statement.sql, statement.values);
    const client: Pick<Kysely<unknown>, 'executeQuery'> = ctx ?? this.getClient();
    return this.executeQuery(
      sql,
      async () =>
        this.transformRawResult<T>(await client.executeQuery(CompiledQuery.raw(sql, statement.values)), method),
      { query: sql, params: statement.values, ...loggerContext },
    );
  }
}

/** MikroORM's SQLite driver on a connection that binds values. */
export class SqliteDriver extends AbstractSqlDriver<BoundSqliteConnection> {
  constructor(config: Configuration) {
    super(config, new SqlitePlatform(), BoundSqliteConnection, ['kysely', 'better-sqlite3']);
  }

  override getORMClass() {
    return MikroORM;
  }
}

/** SQLite's way of saying each concern of dialect.ts. */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  folded: (expression) => `unicode_lower(${expression})`,
  // SQLite stores booleans as 0 and 1 already.
  asInteger: (expression) => expression,
  jsonText: (column, key) => `json_extract(${column}, '$.${key}')`,
  withoutCharacters: (column, characters) =>
    characters.reduce((sql, character) => `replace(${sql}, char(${character.codePointAt(0)}), '')`, column),
  lowerAscii: (column) => `lower(${column})`,
  generated: (expression) => `(${expression}) virtual`,
  triggers: (definitions) => definitions,
  // A row trigger: SQLite updates the parent's row in place, as often as it must.
  countingTriggers: ({ key, parent, counter, countedIn, countedOut }) => [
    {
      name: countedIn,
      timing: 'after',
      events: ['insert'],
      body: `update ${parent} set ${counter} = ${counter} + 1 where id = new.${key};`,
    },
    {
      name: countedOut,
      timing: 'after',
      events: ['delete'],
      body: `update ${parent} set ${counter} = ${counter} - 1 where id = old.${key};`,
    },
  ],
  // No statement triggers: each row is counted in or out as it is written (an after row trigger runs at once).
  writtenRowsTriggers: (_table, _event, _name, byRow) => byRow,
  // Timestamps are stored as epoch milliseconds.
  instantOf: (value) => (value === null || value === undefined ? null : new Date(Number(value))),
  daysSince: (column, now) => sql<number>`((${now} - ${sql.ref(column)}) / ${sql.lit(24 * 60 * 60 * 1000)})`,
  // Integer division rounds toward zero: an instant before 1970 is moved back by a quarter hour less a
  // millisecond first, so that its quarter is rounded down, as PostgreSQL's and JavaScript's are.
  quarterHourOf: (column) => `(${column} - (${column} < 0) * ${15 * 60 * 1000 - 1}) / ${15 * 60 * 1000}`,
  // No trigger can be turned off: the tables' triggers are dropped and created again from their own SQL, in the
  // transaction. So are their indexes, which the deletes would otherwise update row by row (the large portal's
  // 2,000,000 answers and their activities: 15 -> 2 s). The planner's statistics of those indexes go with them; the
  // connection's hourly `optimize` (sqliteConnection) gathers them again.
  emptyWithoutTriggers: async (em, tables) => {
    const schema = await em.execute<{ type: string; name: string; sql: string }[]>(
      `select type, name, sql from sqlite_master
        where type in ('trigger', 'index') and sql is not null and tbl_name in (${tables.map(() => '?').join(', ')})`,
      tables,
    );
    for (const { type, name } of schema) {
      await em.execute(`drop ${type} "${name}"`);
    }
    for (const table of tables) {
      await em.execute(`delete from ${table}`);
    }
    for (const { sql } of schema) {
      await em.execute(sql);
    }
  },
  restartIds: async (em: EntityManager) => {
    await em.execute('delete from sqlite_sequence');
  },
  // PRAGMA defer_foreign_keys would expire every compiled statement of the connection, and `begin immediate`
  // lets one transaction write at a time: references are looked up before the write instead.
  deferForeignKeys: null,
  // An integer has 64 bits: it holds every id the API takes (up to 2^53).
  largestId: Number.MAX_SAFE_INTEGER,
  // `begin immediate` takes the write lock of the whole database first.
  lockRows: async () => {},
  lockKeys: async () => {},
  lockInserts: async () => {},
  // In this process the one connection orders every statement after the transaction under way. Another process's (a
  // cluster's other workers, the only other processes that write) is not waited for: `begin immediate` would stop this
  // process for as long as any write of the other holds the lock (an import's seconds), and fail past busy_timeout.
  awaitInserts: async () => process.env[WORKER_SLOT] === undefined,
  lockTable: async () => {},
  lockEveryTableAtOnce: async () => true,
  // busy_timeout (openSqlite) ran out: another process (a cluster's worker importing, the CLI) kept the write lock.
  isContention: (error) => String((error as { code?: unknown } | null)?.code).startsWith('SQLITE_BUSY'),
  // The disk, or max_page_count, has no room for the pages the statement needed: SQLite rolled the transaction back.
  isStorageFull: (error) => String((error as { code?: unknown } | null)?.code) === 'SQLITE_FULL',
  // One file on one machine: a cluster's first worker migrates before the others start (src/cluster.ts).
  exclusively: (_orm, work) => work(),
};

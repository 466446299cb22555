import Database from 'better-sqlite3';
import { type EntityManager, type EntityName, type FilterQuery, raw } from '@mikro-orm/sqlite';
import { CompiledQuery, type Driver, SqliteDialect } from 'kysely';

/**
 * Everything the portal's SQL needs that SQLite says its own way, one function per concern. Services
 * build their queries from these, so a PostgreSQL driver is this file written again.
 */

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
    return driver;
  }
}

/** The connection every part of the portal uses (server, CLI, tests): WAL, foreign keys, text folding. */
export function sqliteConnection(path: string): SqliteConnection {
  const connection: SqliteConnection = new ImmediateSqliteDialect({
    database: async () => {
      const database = new Database(path);
      database.pragma('journal_mode = WAL');
      // In WAL, NORMAL syncs at checkpoints, not at every commit: a crash of the process loses nothing, a power
      // cut at most the last commits, and the file is never corrupt; an answer's commit costs no fsync.
      database.pragma('synchronous = NORMAL');
      database.pragma('foreign_keys = ON');
      // Another process writing (the CLI, a backup, a second server) makes a statement wait, not fail.
      database.pragma('busy_timeout = 5000');
      // 64 MB of page cache instead of 2 MB: the hot indexes of a large portal stay in memory. (No mmap_size:
      // mapped pages count as the process's resident memory, and the OS caches the file anyway.)
      database.pragma('cache_size = -65536');
      // Statistics for the query planner on tables that have none or outgrew theirs (sampled: milliseconds,
      // once, on a database never analysed before).
      database.pragma('analysis_limit = 1000');
      database.pragma('optimize = 0x10002');
      // lower() folds only A–Z; names and search are case-insensitive in every script.
      database.function('unicode_lower', { deterministic: true }, (text: unknown) =>
        typeof text === 'string' ? text.toLowerCase() : text,
      );
      connection.database = database;
      return database;
    },
  });
  return connection;
}

/** SQL for `expression` folded to lower case in every script. */
export const folded = (expression: string) => `unicode_lower(${expression})`;

/** SQL for a boolean column's value as 0 or 1 (SQLite stores booleans so already). */
export const asInteger = (column: string) => column;

/** SQL for the text of a top-level key of a JSON column. */
export const jsonText = (column: string, key: string) => `json_extract(${column}, '$.${key}')`;

/** SQL for a text column without any of `characters` (each one code point). */
export const withoutCharacters = (column: string, characters: readonly string[]) =>
  characters.reduce((sql, character) => `replace(${sql}, char(${character.codePointAt(0)}), '')`, column);

/** SQL for a text column with A–Z in lower case (deterministic, so a generated column may use it). */
export const lowerAscii = (column: string) => `lower(${column})`;

/** Filter: the property's column equals `text` case-insensitively in every script. */
export function equalsFolded<T extends object>(column: string, text: string): FilterQuery<T> {
  return { [raw((alias) => `${folded(`${alias}.${column}`)} = ?`, [text.toLowerCase()])]: [] } as FilterQuery<T>;
}

/** A timestamp column as it comes back from raw SQL (epoch milliseconds), as an instant. */
export function instantOf(value: number | string | null | undefined): Date | null {
  return value === null || value === undefined ? null : new Date(Number(value));
}

/** SQL for the whole days from a timestamp column to `now` (FSRS counts elapsed time so). */
export const daysSince = (column: string, now: Date) => `((${now.getTime()} - ${column}) / ${24 * 60 * 60 * 1000})`;

/** SQL for the UTC quarter hour (a number) of a timestamp column, and that number's first instant. */
export const quarterHour = {
  sql: (column: string) => `${column} / ${15 * 60 * 1000}`,
  of: (instant: Date) => Math.floor(instant.getTime() / (15 * 60 * 1000)),
  start: (quarter: number) => new Date(quarter * 15 * 60 * 1000),
};

/** Restarts every table's ids, as on a fresh install. */
export async function restartIds(em: EntityManager): Promise<void> {
  await em.execute('delete from sqlite_sequence');
}

/**
 * Checks the foreign key of `relation` on the rows `write` creates only once it is done, and returns the
 * values of it that refer to no row: the database itself names the ids that do not exist.
 */
export async function danglingReferences<T extends { id: number }>(
  em: EntityManager,
  entity: EntityName<T>,
  relation: string,
  write: () => Promise<T[]>,
): Promise<number[]> {
  await em.execute('pragma defer_foreign_keys = on');
  const ids = (await write()).map((row) => row.id);
  const meta = em.getMetadata(entity);
  const property = (meta.properties as Record<string, (typeof meta.properties)[keyof typeof meta.properties]>)[
    relation
  ];
  const column = property.fieldNames[0];
  const parent = property.targetMeta!;
  const rows = await em.execute<{ value: number }[]>(
    `select distinct c.${column} as value from ${meta.tableName} c
      where c.id in (${ids.map(() => '?').join(', ')})
        and not exists (select 1 from ${parent.tableName} p where p.${parent.primaryKeys[0]} = c.${column})
      order by 1`,
    ids,
  );
  return rows.map((row) => row.value);
}

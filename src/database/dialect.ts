import { crc32 } from 'node:zlib';
import type { EntityManager, EntityMetadata, EntityName } from '@mikro-orm/sql';
import type { Dialect } from './dialect.interface.js';
import { postgresqlDialect } from './postgresql.dialect.js';
import { sqliteDialect } from './sqlite.dialect.js';

/** Whether `url` names a PostgreSQL database (`DATABASE_URL`); anything else is the embedded SQLite file. */
export const isPostgresqlUrl = (url: string | undefined): url is string => /^postgres(ql)?:\/\//.test(url ?? '');

/**
 * The dialect of the database this process uses: PostgreSQL when `DATABASE_URL` names one, else SQLite. It is
 * fixed at start-up, before the entities (whose generated columns and triggers are SQL) are loaded.
 */
export const dialect: Dialect = isPostgresqlUrl(process.env.DATABASE_URL) ? postgresqlDialect : sqliteDialect;

export const {
  folded,
  asInteger,
  jsonText,
  withoutCharacters,
  lowerAscii,
  generated,
  triggers,
  countingTriggers,
  writtenRowsTriggers,
  instantOf,
  daysSince,
  restartIds,
  lockEveryTableAtOnce,
} = dialect;

/** The UTC quarter hour of a timestamp column (SQL), of an instant, and a quarter's first instant. */
export const quarterHour = {
  sql: (column: string) => dialect.quarterHourOf(column),
  of: (instant: Date) => Math.floor(instant.getTime() / (15 * 60 * 1000)),
  start: (quarter: number) => new Date(quarter * 15 * 60 * 1000),
};

/** The entity `relation` of `entity` refers to, and the column that holds the reference. */
function referenceOf<T extends object>(em: EntityManager, entity: EntityName<T>, relation: string) {
  const meta = em.getMetadata(entity);
  const property = (meta.properties as Record<string, (typeof meta.properties)[keyof typeof meta.properties]>)[
    relation
  ];
  return { meta, column: property.fieldNames[0], parent: property.targetMeta! };
}

/**
 * Locks the rows of `entity` whose ids these are, in id order, until the transaction ends (where rows have locks),
 * so that two transactions taking such locks never wait for each other both.
 */
export function lockRows<T extends object>(em: EntityManager, entity: EntityName<T>, ids: number[]): Promise<void> {
  return lockRowsOf(em, em.getMetadata(entity), ids);
}

/** Locks the rows that `relation` of `entity` refers to by `ids`, as `lockRows`. */
export function lockReferences<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  relation: string,
  ids: number[],
): Promise<void> {
  return lockRowsOf(em, referenceOf(em, entity, relation).parent, ids);
}

/**
 * Locks these values of a unique key of `entity` until the transaction ends, whether a row holds one yet or not (where
 * rows have locks): a transaction that is to insert a row with one, unless there is one, waits for another that may
 * be inserting it, and then finds it. Each stands for its CRC-32: two that share one only wait for each other.
 */
export function lockKeys<T extends object>(em: EntityManager, entity: EntityName<T>, values: string[]): Promise<void> {
  return dialect.lockKeys(
    em,
    em.getMetadata(entity).tableName,
    values.map((value) => crc32(value) | 0),
  );
}

/** Locks every row of `entity`, as `lockRows` locks some: the whole table, against writes only (where rows have locks). */
export function lockTable<T extends object>(em: EntityManager, entity: EntityName<T>): Promise<void> {
  return dialect.lockTable(em, em.getMetadata(entity).tableName);
}

/**
 * Makes the transactions that insert rows of `entity` (after this call) do so one at a time, until each ends, so that
 * they commit in the order of the ids they give them (where several transactions write at once).
 */
export function lockInserts<T extends object>(em: EntityManager, entity: EntityName<T>): Promise<void> {
  return dialect.lockInserts(em, em.getMetadata(entity).tableName);
}

/**
 * Waits until no transaction that called `lockInserts` for `entity` is under way: a read made after it sees every row
 * such a transaction had given an id or a time before the call. Called outside a transaction. False where another
 * process's transactions could not be waited for: then only what is committed is known.
 */
export function awaitInserts<T extends object>(em: EntityManager, entity: EntityName<T>): Promise<boolean> {
  return dialect.awaitInserts(em, em.getMetadata(entity).tableName);
}

/** Locks every row of the table that `relation` of `entity` refers to, as `lockTable`. */
export function lockReferencedTable<T extends object>(em: EntityManager, entity: EntityName<T>, relation: string) {
  return dialect.lockTable(em, referenceOf(em, entity, relation).parent.tableName);
}

const lockRowsOf = (em: EntityManager, meta: EntityMetadata, ids: number[]): Promise<void> =>
  dialect.lockRows(em, meta.tableName, meta.primaryKeys[0], ids);

/**
 * Writes rows whose `relation` refers to the `referenced` ids (`write` returns the ids of the rows it wrote), and
 * returns those of the referenced ids that refer to no row, sorted (the caller then refuses the write, its
 * transaction rolled back). Where foreign keys can be deferred, the rows are written first and the database names
 * what they miss; otherwise the ids are looked up first, which no concurrent write can outdate where one
 * transaction writes at a time.
 */
export async function danglingReferences<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  relation: string,
  referenced: number[],
  write: () => Promise<number[]>,
): Promise<number[]> {
  const { meta, column, parent } = referenceOf(em, entity, relation);
  const key = parent.primaryKeys[0];
  if (!dialect.deferForeignKeys) {
    const ids = [...new Set(referenced)];
    // `in ()` is no SQL in PostgreSQL: nothing written refers to nothing.
    const found =
      ids.length === 0
        ? new Set<number>()
        : new Set(
            (
              await em.execute<{ id: number }[]>(
                `select ${key} as id from ${parent.tableName} where ${key} in (${ids.map(() => '?').join(', ')})`,
                ids,
              )
            ).map((row) => row.id),
          );
    const missing = ids.filter((id) => !found.has(id)).sort((a, b) => a - b);
    if (missing.length === 0) {
      await write();
    }
    return missing;
  }
  await dialect.deferForeignKeys(em);
  const ids = await write();
  if (ids.length === 0) {
    return [];
  }
  const rows = await em.execute<{ value: number }[]>(
    `select distinct c.${column} as value from ${meta.tableName} c
      where c.id in (${ids.map(() => '?').join(', ')})
        and not exists (select 1 from ${parent.tableName} p where p.${key} = c.${column})
      order by 1`,
    ids,
  );
  return rows.map((row) => row.value);
}

import type { MikroORM } from '@mikro-orm/core';
import { type EntityManager, type EntityName, type FilterQuery, raw, type TriggerDef } from '@mikro-orm/sql';
import type { RawBuilder } from 'kysely';
import { postgresqlDialect } from './postgresql.dialect.js';
import { sqliteDialect } from './sqlite.dialect.js';

/**
 * Everything the portal's SQL needs that a database says its own way, one member per concern. Entities,
 * migrations and services build their SQL from these; each database is one implementation of this interface
 * (sqlite.dialect.ts, postgresql.dialect.ts).
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgresql';
  /** SQL for `expression` folded to lower case in every script. */
  folded(expression: string): string;
  /** SQL for a boolean expression's value as 0 or 1. */
  asInteger(expression: string): string;
  /** SQL for the text of a top-level key of a JSON column. */
  jsonText(column: string, key: string): string;
  /** SQL for a text column without any of `characters` (each one code point). */
  withoutCharacters(column: string, characters: readonly string[]): string;
  /** SQL for a text column with A–Z in lower case (immutable, so a generated column may use it). */
  lowerAscii(column: string): string;
  /** The definition of a column the database computes from `expression` on every write. */
  generated(expression: string): string;
  /** Row triggers whose bodies are plain statements, as this database declares them. */
  triggers(definitions: TriggerDef[]): TriggerDef[];
  /**
   * Row triggers (for `triggers`) that must see the rows their statement wrote before theirs and none after, as
   * SQLite's after triggers do: a count of distinct values kept by one of them counts a value once per statement.
   */
  rowByRow(definitions: TriggerDef[]): TriggerDef[];
  /** A timestamp as it comes back from raw SQL, as an instant. */
  instantOf(value: number | string | Date | null | undefined): Date | null;
  /** The whole days from a timestamp column to `now`, bound as a parameter (FSRS counts elapsed time so). */
  daysSince(column: string, now: Date): RawBuilder<number>;
  /** SQL for the UTC quarter hour (a number) of a timestamp column. */
  quarterHourOf(column: string): string;
  /** Restarts every table's ids, as on a fresh install (the tables are empty). */
  restartIds(em: EntityManager): Promise<void>;
  /**
   * Makes the foreign keys of the transaction's writes be checked at its commit instead of at each statement;
   * null where references are checked before the write instead (`danglingReferences`).
   */
  deferForeignKeys: ((em: EntityManager) => Promise<void>) | null;
  /** The largest id a row can have (a key the API takes beyond it refers to no row, and cannot be written). */
  readonly largestId: number;
  /** Whether rows can be locked one by one (`select … for update`); SQLite writes one transaction at a time. */
  readonly rowLocks: boolean;
  /** Runs `work` (the migrations at start-up) while no other server process on the same database runs it. */
  exclusively<T>(orm: MikroORM, work: () => Promise<T>): Promise<T>;
}

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
  rowByRow,
  instantOf,
  daysSince,
  restartIds,
} = dialect;

/** Filter: the property's column equals `text` case-insensitively in every script. */
export function equalsFolded<T extends object>(column: string, text: string): FilterQuery<T> {
  return { [raw((alias) => `${folded(`${alias}.${column}`)} = ?`, [text.toLowerCase()])]: [] } as FilterQuery<T>;
}

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
 * Locks the rows that `relation` of `entity` refers to by `ids`, in id order, until the transaction ends
 * (where rows have locks), so that two transactions taking such locks never wait for each other both.
 */
export async function lockReferences<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  relation: string,
  ids: number[],
): Promise<void> {
  if (!dialect.rowLocks || ids.length === 0) {
    return;
  }
  const { parent } = referenceOf(em, entity, relation);
  const key = parent.primaryKeys[0];
  await em.execute(
    `select ${key} from ${parent.tableName} where ${key} in (${ids.map(() => '?').join(', ')}) order by ${key} for update`,
    ids,
  );
}

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

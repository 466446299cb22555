import type { InferKyselyDB } from '@mikro-orm/sql';
import type { ColumnType, Generated, InsertType, SelectQueryBuilder, SelectType, UpdateType } from 'kysely';

/**
 * Tables as a module's Kysely queries see them (`em.getKysely<…>()`), typed from its entities. Kysely builds a
 * statement in a fraction of the time MikroORM's query builder and entity manager take to map it through the
 * entities' metadata (~0.2 ms a statement; on a cheap read, half of the request's CPU), so hot paths use it.
 */
export type TablesOf<Entities extends { name: string }> = {
  [Table in keyof InferKyselyDB<Entities>]: Stored<InferKyselyDB<Entities>[Table]>;
};

/** MikroORM's inference takes an autoincrement id as one to insert. */
export type Numbered<Table> = Omit<Table, 'id'> & { id: Generated<number> };

// What a read gives back of what an entity holds: SQLite keeps an instant as epoch ms, a boolean as 0 or 1 and JSON
// as its text (`instantOf`, `Boolean` and `partsOf` read both databases' alike).
type AsRead<Value> = Value extends Date
  ? Date | number | string
  : Value extends boolean
    ? boolean | number
    : Value extends object
      ? Value | string
      : Value;

export type Stored<Table> = {
  [Column in keyof Table]: ColumnType<
    AsRead<SelectType<Table[Column]>>,
    InsertType<Table[Column]>,
    UpdateType<Table[Column]>
  >;
};

/** How many rows a Kysely selection holds. */
export async function countOf<Tables, Table extends keyof Tables>(
  rows: SelectQueryBuilder<Tables, Table, object>,
): Promise<number> {
  const { count } = await rows
    .select((row) => row.fn.countAll().as('count'))
    // A number on both databases (postgresql.dialect.ts parses pg's bigint); Kysely cannot infer it for any table.
    .$castTo<{ count: number }>()
    .executeTakeFirstOrThrow();
  return count;
}

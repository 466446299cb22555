import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager, TriggerDef } from '@mikro-orm/sql';
import type { RawBuilder } from 'kysely';

/** A column of `parent` that counts the rows of `table` whose `key` is the parent's id. */
export interface CountedRows {
  table: string;
  key: string;
  parent: string;
  counter: string;
  /** The names of the trigger that counts a written row in, and of the one that counts a deleted row out. */
  countedIn: string;
  countedOut: string;
}

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
  /** The two triggers that keep a parent's count of the rows naming it (`counted`), as this database runs them best. */
  countingTriggers(counted: CountedRows): TriggerDef[];
  /**
   * The triggers that count the rows an insert or a delete (`event`) of `table` writes into other tables or out of
   * them: `byRow`, row triggers whose bodies are plain statements, or, where the database runs it best, one statement
   * trigger `name` that runs `byStatement`, which reads the statement's rows as the table `inserted` or `deleted`.
   */
  writtenRowsTriggers(
    table: string,
    event: 'insert' | 'delete',
    name: string,
    byRow: TriggerDef[],
    byStatement: string,
  ): TriggerDef[];
  /** A timestamp as it comes back from raw SQL, as an instant. */
  instantOf(value: number | string | Date | null | undefined): Date | null;
  /** The whole days from a timestamp column to `now`, bound as a parameter (FSRS counts elapsed time so). */
  daysSince(column: string, now: Date): RawBuilder<number>;
  /** SQL for the UTC quarter hour (a number) of a timestamp column, rounded down as `quarterHour.of` rounds it. */
  quarterHourOf(column: string): string;
  /**
   * Deletes every row of `tables` (children before their parents) in the caller's transaction without running their
   * row triggers, for a caller that leaves what those triggers keep as no rows make it.
   */
  emptyWithoutTriggers(em: EntityManager, tables: string[]): Promise<void>;
  /** Restarts the ids of every table but the migrator's log, as on a fresh install (the tables are empty). */
  restartIds(em: EntityManager): Promise<void>;
  /**
   * Makes the foreign keys of the transaction's writes be checked at its commit instead of at each statement;
   * null where references are checked before the write instead (`danglingReferences`).
   */
  deferForeignKeys: ((em: EntityManager) => Promise<void>) | null;
  /** The largest id a row can have (a key the API takes beyond it refers to no row, and cannot be written). */
  readonly largestId: number;
  /**
   * Locks the rows of `table` whose `key` is one of `ids`, in key order, until the transaction ends. Nothing where
   * one transaction writes at a time (SQLite).
   */
  lockRows(em: EntityManager, table: string, key: string, ids: number[]): Promise<void>;
  /**
   * Locks `keys` of `table`, numbers standing for values of one of its unique keys, whether a row holds one yet or
   * not, in order, until the transaction ends; nothing on SQLite, as `lockRows`.
   */
  lockKeys(em: EntityManager, table: string, keys: number[]): Promise<void>;
  /**
   * Makes the transactions that call this for `table` go on one at a time, each from the call until it ends: what they
   * then insert commits in the order of the ids (and times) it is given. Nothing on SQLite, as `lockRows`.
   */
  lockInserts(em: EntityManager, table: string): Promise<void>;
  /**
   * Waits until no transaction that called `lockInserts` for `table` is under way; called outside a transaction. False
   * where those of other processes writing the database could not be waited for (SQLite, in a cluster's worker).
   */
  awaitInserts(em: EntityManager, table: string): Promise<boolean>;
  /** Locks a whole table against writes until the transaction ends; nothing on SQLite, as `lockRows`. */
  lockTable(em: EntityManager, table: string): Promise<void>;
  /**
   * Locks every table of the schema against any other use until the transaction ends, without waiting for one: false
   * when another transaction uses one (the caller's transaction is then to be rolled back). True on SQLite, as
   * `lockRows`.
   */
  lockEveryTableAtOnce(em: EntityManager): Promise<boolean>;
  /**
   * Whether `error` ended a transaction because another one held what it needed: held the write lock longer than a
   * write waits for it (SQLite), or deadlocked with it (PostgreSQL). Nothing was written, and the same request may
   * succeed in a moment.
   */
  isContention(error: unknown): boolean;
  /** Whether `error` ended a transaction because the database's disk (or its size limit) is full: nothing was written. */
  isStorageFull(error: unknown): boolean;
  /** Runs `work` (the migrations at start-up) while no other server process on the same database runs it. */
  exclusively<T>(orm: MikroORM, work: () => Promise<T>): Promise<T>;
}

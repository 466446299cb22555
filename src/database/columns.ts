import { p } from '@mikro-orm/core';
import { foldedName } from '../core/names.js';
import { dialect } from './dialect.js';

/** When the row was inserted, set by the ORM. */
export const creationTime = () => p.datetime().onCreate(() => new Date());

/** The surrogate key and the creation time every table has. */
export const rowOf = () => ({ id: p.integer().primary(), createdAt: creationTime() });

/** The surrogate key, the creation time and the time of the last change. */
export const changingRowOf = () => ({
  ...rowOf(),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date()),
});

/** A reference to the row this one belongs to, deleted with it, and indexed. */
export const partOf = <T extends Parameters<typeof p.manyToOne>[0]>(parent: T) =>
  p.manyToOne(parent).deleteRule('cascade').index();

/**
 * A part-of reference that a transaction may check at its commit (dialect.ts, `danglingReferences`): PostgreSQL
 * defers only a key declared deferrable; SQLite defers any.
 */
export const lateCheckedPartOf = <T extends Parameters<typeof p.manyToOne>[0]>(parent: T) =>
  dialect.name === 'postgresql' ? partOf(parent).deferMode('immediate') : partOf(parent);

/** An integer that may pass 2^31 (epoch milliseconds): every SQLite integer has 64 bits, PostgreSQL's is bigint. */
export const bigInteger = () => p.bigint('number').columnType(dialect.name === 'sqlite' ? 'integer' : 'bigint');

/** A 64-bit float, as SQLite's real is: PostgreSQL's real has 32 bits, and FSRS's state would drift in it. */
export const doublePrecision = () => p.float().columnType(dialect.name === 'sqlite' ? 'real' : 'double precision');

/**
 * An index of `properties` whose entries end in the row's id, which breaks ties: SQLite's index of a table with an
 * integer primary key ends in it anyway (the rowid), PostgreSQL's holds it as one more column.
 */
export const endingInId = <const P extends string>(name: string, properties: readonly P[]) => ({
  name,
  properties: [...properties, ...(dialect.name === 'postgresql' ? ['id' as const] : [])],
});

/**
 * The collation of text compared ignoring case: SQLite's NOCASE (A–Z), on PostgreSQL the ICU collation of that
 * name (every script) that the first migration creates.
 */
export const CASELESS = 'nocase';

/** A name sorted ignoring case (its uniqueness ignoring case is its `foldedOf` column's). */
export const caselessName = () => p.text().collation(CASELESS);

/**
 * The text of `property` folded ignoring case (`foldedName`), written by the ORM with the row: what names are unique
 * by and looked up by, in one folding on every database, which folds otherwise each its own way (SQLite's NOCASE
 * A–Z only; PostgreSQL's ICU by another Unicode version than Node's).
 */
export const foldedOf = <const K extends string>(property: K) => {
  const fold = (row: Record<K, string>) => foldedName(row[property]);
  return p.text().default('').onCreate(fold).onUpdate(fold).lazy();
};

/** The unique index that no two rows of `table` have one name in any case, as the migrations named it. */
export const uniqueNameOf = (table: string) => ({ name: `${table}_name_unique`, properties: ['nameFolded' as const] });

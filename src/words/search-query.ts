import type { TriggerDef } from '@mikro-orm/core';
import { type FilterQuery, raw } from '@mikro-orm/sql';
import { hasToneMarks } from './thai.js';

/** What each database's word search provides (search.sqlite.ts, search.postgresql.ts). */
export interface SearchDialect {
  /** Triggers on `words` that keep a search index the database does not keep itself. */
  triggers: TriggerDef[];
  /** Indexes of `words` for search that its columns' own indexes are not. */
  indexes: { name: string; expression: string }[];
  /** Filter: the words `q` finds. */
  matching<T extends object>(q: string): FilterQuery<T>;
}

/** How `q` (trimmed, not empty) is searched. */
export function searchOf(q: string) {
  return {
    /** The column of thai it reads: with tone marks as given, without them tone-insensitively. */
    thai: hasToneMarks(q) ? 'thai' : 'thai_plain',
    /** `q` in lower case, for english and romanization. */
    latin: q.toLowerCase(),
    /** Whether the trigram index can answer it (three characters or more). */
    indexed: [...q].length >= 3,
  };
}

/** The smallest string greater than every string that starts with `prefix` (in code point order). */
function after(prefix: string, caseless: boolean): string {
  const codePoints = [...prefix].map((char) => char.codePointAt(0)!);
  let last = codePoints.pop()! + 1;
  if (last >= 0xd800 && last <= 0xdfff) {
    last = 0xe000;
  }
  if (caseless && last >= 0x41 && last <= 0x5a) {
    // NOCASE compares A–Z as a–z: after `@` comes `[`.
    last = 0x5b;
  }
  return String.fromCodePoint(...codePoints, last);
}

/** A condition and its parameters. */
export interface Sql {
  sql: string;
  params: unknown[];
}

/** `column` starts with `prefix`, as a range its index answers (`caseless`: for a NOCASE column). */
export const startsWith = (column: string, prefix: string, caseless = false): Sql => ({
  sql: `(${column} >= ? and ${column} < ?)`,
  params: [prefix, after(prefix, caseless)],
});

/** A filter of MikroORM from SQL over the alias of the words table. */
export const filterOf = <T extends object>(sql: (alias: string) => string, params: unknown[]): FilterQuery<T> =>
  ({ [raw(sql, params)]: [] }) as FilterQuery<T>;

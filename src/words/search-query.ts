import type { TriggerDef } from '@mikro-orm/core';
import { type RawBuilder, sql, type SqlBool } from 'kysely';
import { hasToneMarks } from './thai.js';

/** What each database's word search provides (search.sqlite.ts, search.postgresql.ts). */
export interface SearchDialect {
  /** Triggers on `words` that keep a search index the database does not keep itself. */
  triggers: TriggerDef[];
  /** Indexes of `words` for search that its columns' own indexes are not. */
  indexes: { name: string; expression: string }[];
  /** The condition, over the words table as `w`, that the words `q` finds meet. */
  matching(q: string): RawBuilder<SqlBool>;
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

/**
 * The smallest string greater than every string that starts with `prefix` (in code point order), if any: none when
 * `prefix` is only U+10FFFF, the last code point.
 */
function after(prefix: string, caseless: boolean): string | undefined {
  const codePoints = [...prefix].map((char) => char.codePointAt(0)!);
  while (codePoints.length > 0) {
    let last = codePoints.pop()! + 1;
    if (last > 0x10ffff) {
      // No code point follows U+10FFFF: the one before it is the one to step.
      continue;
    }
    if (last >= 0xd800 && last <= 0xdfff) {
      last = 0xe000;
    }
    if (caseless && last >= 0x41 && last <= 0x5a) {
      // NOCASE compares A–Z as a–z: after `@` comes `[`.
      last = 0x5b;
    }
    return String.fromCodePoint(...codePoints, last);
  }
  return undefined;
}

/** `column` starts with `prefix`, as a range its index answers (`caseless`: for a NOCASE column). */
export function startsWith(column: string, prefix: string, caseless = false): RawBuilder<SqlBool> {
  const end = after(prefix, caseless);
  return end === undefined
    ? sql<SqlBool>`(${sql.ref(column)} >= ${prefix})`
    : sql<SqlBool>`(${sql.ref(column)} >= ${prefix} and ${sql.ref(column)} < ${end})`;
}

/** Any of these conditions, in parentheses. */
export const anyOf = (conditions: RawBuilder<SqlBool>[]): RawBuilder<SqlBool> =>
  sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;

import type { TriggerDef } from '@mikro-orm/core';
import { type FilterQuery, type QueryOrderMap, raw } from '@mikro-orm/sqlite';
import type { Order } from '../core/pagination.js';
import { folded } from '../database/dialect.js';
import { hasToneMarks } from './thai.js';

/**
 * Word search, SQLite's way: everything here is SQL only SQLite speaks (FTS5), so a PostgreSQL driver is
 * this file written again (pg_trgm indexes on the same columns, the same three tiers of rank).
 *
 * `words_search` is an FTS5 index with the trigram tokenizer over four columns of `words`: `thai`,
 * `thai_plain` (thai without tone marks), `english` and `romanization_lower`. Trigrams match any substring
 * of three characters or more, so Thai, written without spaces between words, needs no word segmentation;
 * they fold case in every script. The index is external content (`content='words'`): it stores only the
 * trigrams, and the triggers below, declared on the Word entity, keep it in step with every insert, update
 * and delete of a word (a cascade, a reset and the seeder too). Migration20261201090000_search creates it.
 *
 * A query of one or two characters has no trigram: it matches the start of those columns instead, through
 * their B-tree indexes (English and romanization ignoring case in A–Z only).
 *
 * A query without tone marks searches `thai_plain`, so `ขาว` finds `ข้าว` too; a query with tone marks
 * searches `thai`, so `ข้าว` finds `ข้าว` only (the marks were typed on purpose).
 */

/** The FTS5 table, and the shadow tables SQLite keeps for it (which the schema generator leaves alone). */
export const WORD_SEARCH_TABLE = 'words_search';
export const WORD_SEARCH_TABLES = new RegExp(`^${WORD_SEARCH_TABLE}(_\\w+)?$`);

const INDEXED = ['thai', 'thai_plain', 'english', 'romanization_lower'];
const valuesOf = (row: 'new' | 'old') => INDEXED.map((column) => `${row}.${column}`).join(', ');
const INDEX_NEW = `insert into ${WORD_SEARCH_TABLE} (rowid, ${INDEXED.join(', ')}) values (new.id, ${valuesOf('new')});`;
// External content: the index forgets a row given the values it indexed.
const FORGET_OLD = `insert into ${WORD_SEARCH_TABLE} (${WORD_SEARCH_TABLE}, rowid, ${INDEXED.join(', ')}) values ('delete', old.id, ${valuesOf('old')});`;

/** The triggers that keep `words_search` equal to `words`; an update re-indexes only when an indexed text changes. */
export const WORD_SEARCH_TRIGGERS: TriggerDef[] = [
  { name: 'word_indexed_for_search', timing: 'after', events: ['insert'], body: INDEX_NEW },
  {
    name: 'word_reindexed_for_search',
    timing: 'after',
    events: ['update'],
    when: ['thai', 'english', 'romanization_lower'].map((column) => `old.${column} is not new.${column}`).join(' or '),
    body: `${FORGET_OLD} ${INDEX_NEW}`,
  },
  { name: 'word_unindexed_for_search', timing: 'after', events: ['delete'], body: FORGET_OLD },
];

/** How `q` (trimmed, not empty) is searched. */
function searchOf(q: string) {
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
interface Sql {
  sql: string;
  params: unknown[];
}

/** `column` starts with `prefix`, as a range its index answers (`caseless`: for a NOCASE column). */
const startsWith = (column: string, prefix: string, caseless = false): Sql => ({
  sql: `(${column} >= ? and ${column} < ?)`,
  params: [prefix, after(prefix, caseless)],
});

/** A phrase of the FTS5 query language: the text in double quotes, its own double quotes doubled. */
const phrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** A filter of MikroORM from SQL over the alias of the words table. */
const filterOf = <T extends object>(sql: (alias: string) => string, params: unknown[]): FilterQuery<T> =>
  ({ [raw(sql, params)]: [] }) as FilterQuery<T>;

/** Filter: the words `q` finds (see above). */
export function matching<T extends object>(q: string): FilterQuery<T> {
  const search = searchOf(q);
  if (search.indexed) {
    return filterOf(
      (alias) => `${alias}.id in (select rowid from ${WORD_SEARCH_TABLE} where ${WORD_SEARCH_TABLE} match ?)`,
      [`{${search.thai} english romanization_lower} : ${phrase(q)}`],
    );
  }
  const prefixes = (alias: string) => [
    startsWith(`${alias}.${search.thai}`, q),
    startsWith(`${alias}.english`, search.latin, true),
    startsWith(`${alias}.romanization_lower`, search.latin),
  ];
  return filterOf(
    (alias) =>
      `(${prefixes(alias)
        .map((prefix) => prefix.sql)
        .join(' or ')})`,
    prefixes('w').flatMap((prefix) => prefix.params),
  );
}

/**
 * Order: the words `q` finds by relevance, each tier in Thai dictionary order (`order`), then by id: first
 * an exact match of thai, english or romanization, then of thai without tone marks, then a match at the
 * start of one of them, then the rest (a match inside).
 */
export function relevanceOrder(q: string, order: Order): QueryOrderMap<object>[] {
  const search = searchOf(q);
  const [length, latinLength] = [[...q].length, [...search.latin].length];
  const tiers = (alias: string): Sql[] => {
    const [english, romanization] = [`${alias}.english`, `${alias}.romanization_lower`];
    return [
      {
        sql: `${alias}.thai = ? or ${folded(english)} = ? or ${romanization} = ?`,
        params: [q, search.latin, search.latin],
      },
      { sql: `${alias}.thai_plain = ?`, params: [q] },
      {
        sql: `substr(${alias}.${search.thai}, 1, ?) = ? or ${folded(`substr(${english}, 1, ?)`)} = ? or substr(${romanization}, 1, ?) = ?`,
        params: [length, q, latinLength, search.latin, latinLength, search.latin],
      },
    ];
  };
  const rank = (alias: string) =>
    `case ${tiers(alias)
      .map((tier, i) => `when ${tier.sql} then ${i}`)
      .join(' ')} else ${tiers(alias).length} end`;
  return [
    {
      [raw(
        rank,
        tiers('w').flatMap((tier) => tier.params),
      )]: 'asc',
    },
    { thaiSort: order },
    { id: 'asc' },
  ] as QueryOrderMap<object>[];
}

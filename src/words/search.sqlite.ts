import type { TriggerDef } from '@mikro-orm/core';
import { sql, type SqlBool } from 'kysely';
import { anyOf, type SearchDialect, searchOf, startsWith } from './search-query.js';

/**
 * Word search, SQLite's way. `words_search` is an FTS5 index with the trigram tokenizer over four columns of
 * `words`: `thai`, `thai_plain` (thai without tone marks), `english` and `romanization_lower`. Trigrams match
 * any substring of three characters or more, so Thai, written without spaces between words, needs no word
 * segmentation; they fold case in every script. The index is external content (`content='words'`): it stores
 * only the trigrams, and the triggers below, declared on the Word entity, keep it in step with every insert,
 * update and delete of a word (a cascade, a reset and the seeder too). Migration20261201090000_search creates it.
 *
 * A query of one or two characters has no trigram: it matches the start of those columns instead, through
 * their B-tree indexes (English and romanization ignoring case in A–Z only).
 */

/** The FTS5 table, and the shadow tables SQLite keeps for it (which the schema generator leaves alone). */
const WORD_SEARCH_TABLE = 'words_search';
export const WORD_SEARCH_TABLES = new RegExp(`^${WORD_SEARCH_TABLE}(_\\w+)?$`);

const INDEXED = ['thai', 'thai_plain', 'english', 'romanization_lower'];
const valuesOf = (row: 'new' | 'old') => INDEXED.map((column) => `${row}.${column}`).join(', ');
const INDEX_NEW = `insert into ${WORD_SEARCH_TABLE} (rowid, ${INDEXED.join(', ')}) values (new.id, ${valuesOf('new')});`;
// External content: the index forgets a row given the values it indexed.
const FORGET_OLD = `insert into ${WORD_SEARCH_TABLE} (${WORD_SEARCH_TABLE}, rowid, ${INDEXED.join(', ')}) values ('delete', old.id, ${valuesOf('old')});`;

/** The triggers that keep `words_search` equal to `words`; an update re-indexes only when an indexed text changes. */
const WORD_SEARCH_TRIGGERS: TriggerDef[] = [
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

/**
 * `text` with A–Z in lower case, as `romanization_lower` holds its romanization and NOCASE compares english: a query
 * lowered in every script (`É` as `é`) would find nothing of what it names in the letters as written (`Éclair`).
 */
const lowerAscii = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/** A phrase of the FTS5 query language: the text in double quotes, its own double quotes doubled. */
const phrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

export const sqliteSearch: SearchDialect = {
  triggers: WORD_SEARCH_TRIGGERS,
  indexes: [],
  matching(q) {
    const search = searchOf(q);
    if (search.indexed) {
      const index = sql.table(WORD_SEARCH_TABLE);
      return sql<SqlBool>`w.id in (select rowid from ${index} where ${index} match ${`{${search.thai} english romanization_lower} : ${phrase(q)}`})`;
    }
    // unlikely(): the planner reads the matches from these ranges and sorts them, rather than walking a sort's index
    // until a page of them turns up: `q=s&sort_by=english`, whose matches come late in that index, 252 -> 69 ms;
    // `q=s` by `created_at` descending, whose matches came early in its index, pays 9 -> 30 ms.
    return sql<SqlBool>`unlikely(${anyOf([
      startsWith(`w.${search.thai}`, q),
      startsWith('w.english', lowerAscii(q), true),
      startsWith('w.romanization_lower', lowerAscii(q)),
    ])})`;
  },
};

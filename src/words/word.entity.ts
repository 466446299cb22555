import { defineEntity, type InferEntity, type Opt, p } from '@mikro-orm/core';
import { CASELESS, changingRowOf, foldedOf } from '../database/columns.js';
import { generated, jsonText, lowerAscii, withoutCharacters } from '../database/dialect.js';
import { wordSearch } from './search.js';
import { thaiSortKey, TONE_MARKS } from './thai.js';

export type WordParts = Record<string, unknown>;

// parts.romanization, as the database reads it.
const romanization = jsonText('parts', 'romanization');

/**
 * The keys of each sort of the word lists (`sort_by`) but id, as words.service.ts orders by them, by the name of
 * their indexes; words without a romanization last.
 */
const SORT_KEYS = {
  thai_sort: '"thai_sort"',
  english: '"english"',
  correct_count: '"correct_count"',
  wrong_count: '"wrong_count"',
  created_at: '"created_at"',
  romanization: `(${romanization} is null), (${romanization})`,
};

/**
 * A list sorted by `keys` in either order reads its words in that order from an index: ties go by ascending id,
 * which neither database's index of the keys alone gives in descending order (read backwards, it breaks ties by
 * descending id), nor PostgreSQL's in either (SQLite's ends in the rowid, so its ascending one would do); a deep
 * page sorted every word before it (the statement of page 500 of the large portal by `correct_count`, descending:
 * 105 ms, 0.9 ms from its index; of any page by romanization, read from JSON: 50 ms, 0.03 ms). The index of the
 * counters also finds the queue's never-answered words (both 0). As statements, the same in both databases but
 * for the JSON: MikroORM's SQLite schema reader does not see an index's `desc` (and compares statements by name
 * only: the migration tests compare their definitions).
 */
const sortIndexes = ([name, keys]: [string, string]) =>
  [
    ['index', ''],
    ['desc_index', ' desc'],
  ].map(([suffix, direction]) => ({
    name: `words_${name}_${suffix}`,
    expression: `create index "words_${name}_${suffix}" on "words" (${keys}${direction}, "id")`,
  }));

export const Word = defineEntity({
  name: 'Word',
  tableName: 'words',
  properties: {
    ...changingRowOf(),
    thai: p.text(),
    // Sorted ignoring case; unique with thai ignoring case by its folded copy (`uniques`).
    english: p.text().collation(CASELESS),
    englishFolded: foldedOf('english'),
    parts: p.json<WordParts>(),
    // Kept equal to the review log by the database (triggers on words_review_items).
    correctCount: p.integer().default(0),
    wrongCount: p.integer().default(0),
    // When the word was last answered, kept with the counters by the same triggers: a word's page reads its row.
    lastReviewedAt: p.datetime().nullable(),
    // What search and sorting read, derived from the columns above on every write, never written by a caller:
    // thai without its tone marks (tone-insensitive search), computed by the database;
    thaiPlain: p
      .text()
      .$type<Opt<string>>()
      .generated(generated(withoutCharacters('thai', TONE_MARKS)))
      .index()
      .lazy(),
    // parts.romanization with A–Z in lower case, computed by the database;
    romanizationLower: p
      .text()
      .$type<Opt<string | null>>()
      .generated(generated(lowerAscii(romanization)))
      .nullable()
      .index()
      .lazy(),
    // the key that sorts thai in Thai dictionary order (thai.ts), computed on every insert and update.
    thaiSort: p
      .text()
      .default('')
      .onCreate((word: { thai: string }) => thaiSortKey(word.thai))
      .onUpdate((word: { thai: string }) => thaiSortKey(word.thai))
      .lazy(),
  },
  uniques: [{ name: 'words_thai_english_unique', properties: ['thai', 'englishFolded'] }],
  // The indexes of the word lists' sorts, and the search indexes of thai, thaiPlain, english and romanizationLower
  // (search.ts), with the triggers that keep them where the database does not.
  indexes: [...Object.entries(SORT_KEYS).flatMap(sortIndexes), ...wordSearch.indexes],
  triggers: wordSearch.triggers,
});
export type Word = InferEntity<typeof Word>;

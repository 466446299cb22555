import { defineEntity, type InferEntity, type Opt, p } from '@mikro-orm/core';
import { changingRowOf } from '../database/columns.js';
import { generated, jsonText, lowerAscii, withoutCharacters } from '../database/dialect.js';
import { Group } from '../groups/group.entity.js';
import { wordSearch } from './search.js';
import { thaiSortKey, TONE_MARKS } from './thai.js';

export type WordParts = Record<string, unknown>;

export const Word = defineEntity({
  name: 'Word',
  tableName: 'words',
  properties: {
    ...changingRowOf(),
    thai: p.text(),
    // NOCASE makes the thai+english uniqueness and the english sort case-insensitive.
    english: p.text().collation('nocase').index(),
    parts: p.json<WordParts>(),
    // Kept equal to the review log by the database (triggers on words_review_items).
    // Indexed for the lists sorted by them, and the queue's never-answered words (both 0).
    correctCount: p.integer().default(0).index(),
    wrongCount: p.integer().default(0).index(),
    // When the word was last answered, kept with the counters by the same triggers: a word's page reads its row.
    lastReviewedAt: p.datetime().nullable(),
    // The inverse side of Group.words: membership is written by the groups module.
    groups: () => p.manyToMany(Group).mappedBy('words'),
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
      .generated(generated(lowerAscii(jsonText('parts', 'romanization'))))
      .nullable()
      .index()
      .lazy(),
    // the key that sorts thai in Thai dictionary order (thai.ts), computed on every insert and update.
    thaiSort: p
      .text()
      .default('')
      .onCreate((word: { thai: string }) => thaiSortKey(word.thai))
      .onUpdate((word: { thai: string }) => thaiSortKey(word.thai))
      .index()
      .lazy(),
  },
  uniques: [{ name: 'words_thai_english_unique', properties: ['thai', 'english'] }],
  // The lists sorted by creation time.
  // The lists sorted by creation time; and the search indexes of thai, thaiPlain, english and romanizationLower
  // (search.ts), with the triggers that keep them where the database does not.
  indexes: [{ name: 'words_created_at_index', properties: ['createdAt'] }, ...wordSearch.indexes],
  triggers: wordSearch.triggers,
});
export type Word = InferEntity<typeof Word>;

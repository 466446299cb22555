import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { changingRowOf } from '../database/columns.js';
import { Group } from '../groups/group.entity.js';

export type WordParts = Record<string, unknown>;

export const Word = defineEntity({
  name: 'Word',
  tableName: 'words',
  properties: {
    ...changingRowOf(),
    thai: p.text(),
    // NOCASE makes the thai+english uniqueness and the english sort case-insensitive.
    english: p.text().collation('nocase'),
    parts: p.json<WordParts>(),
    // Kept equal to the review log by the database (triggers on words_review_items).
    correctCount: p.integer().default(0),
    wrongCount: p.integer().default(0),
    // The inverse side of Group.words: membership is written by the groups module.
    groups: () => p.manyToMany(Group).mappedBy('words'),
  },
  uniques: [{ name: 'words_thai_english_unique', properties: ['thai', 'english'] }],
});
export type Word = InferEntity<typeof Word>;

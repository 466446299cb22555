import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { caselessName, changingRowOf, foldedOf, uniqueNameOf } from '../database/columns.js';
import { Word } from '../words/word.entity.js';
import { WordGroup } from './word-group.entity.js';

export const Group = defineEntity({
  name: 'Group',
  tableName: 'groups',
  properties: {
    ...changingRowOf(),
    name: caselessName(),
    nameFolded: foldedOf('name'),
    // Counter cache of the group's memberships, kept by the database (triggers on words_groups).
    // Indexed for the list sorted by it.
    wordsCount: p.integer().default(0).index(),
    // The group's study sessions, kept by the database (triggers on study_sessions): a group goes with its sessions
    // only on `force`.
    studySessionsCount: p.integer().default(0),
    // The answers given in the group's study sessions, kept by the database as a word's and a session's counters
    // are (triggers on words_review_items, whose rows name their session's group): a group's statistics read its
    // row instead of aggregating the log.
    reviewItemsCount: p.integer().default(0),
    correctCount: p.integer().default(0),
    studiedWordCount: p.integer().default(0),
    lastReviewedAt: p.datetime().nullable(),
    words: () => p.manyToMany(Word).pivotEntity(() => WordGroup),
  },
  uniques: [uniqueNameOf('groups')],
  // The list sorted by creation time.
  indexes: [{ name: 'groups_created_at_index', properties: ['createdAt'] }],
});
export type Group = InferEntity<typeof Group>;

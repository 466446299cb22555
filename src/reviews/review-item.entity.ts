import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';

/** The learning record log: one row per recorded answer, inside a session or not. */
export const ReviewItem = defineEntity({
  name: 'ReviewItem',
  tableName: 'words_review_items',
  properties: {
    id: p.integer().primary(),
    word: () => p.manyToOne(Word).deleteRule('cascade').index(),
    studySession: () => p.manyToOne(StudySession).nullable().deleteRule('cascade').index(),
    correct: p.boolean(),
    reviewedAt: p.datetime().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ReviewItem = InferEntity<typeof ReviewItem>;

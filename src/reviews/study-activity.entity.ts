import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';

/** One answer given inside a study session, beside its row in the review log. */
export const StudyActivity = defineEntity({
  name: 'StudyActivity',
  tableName: 'study_activities',
  properties: {
    id: p.integer().primary(),
    session: () => p.manyToOne(StudySession).deleteRule('cascade').index(),
    word: () => p.manyToOne(Word).deleteRule('cascade').index(),
    correct: p.boolean(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type StudyActivity = InferEntity<typeof StudyActivity>;

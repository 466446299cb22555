import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { partOf, rowOf } from '../database/columns.js';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';

/** One answer given inside a study session, beside its row in the review log. */
export const StudyActivity = defineEntity({
  name: 'StudyActivity',
  tableName: 'study_activities',
  properties: {
    ...rowOf(),
    session: () => partOf(StudySession),
    word: () => partOf(Word),
    correct: p.boolean(),
  },
});
export type StudyActivity = InferEntity<typeof StudyActivity>;

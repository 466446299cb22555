import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { creationTime, partOf } from '../database/columns.js';
import { triggers } from '../database/dialect.js';
import { Group } from '../groups/group.entity.js';
import { LearningApp } from '../learning-apps/learning-app.entity.js';

export const StudySession = defineEntity({
  name: 'StudySession',
  tableName: 'study_sessions',
  properties: {
    id: p.integer().primary(),
    group: () => partOf(Group),
    // Learning history outlives the app that produced it.
    learningApp: () => p.manyToOne(LearningApp).nullable().deleteRule('set null').index(),
    createdAt: creationTime().index(),
    // The xAPI registration (a UUID, lower case) of a session launched from an xAPI app: the statements that
    // carry it are its answers.
    registration: p.text().nullable().unique(),
    // Kept equal to the session's answers by the database (triggers on words_review_items), as a word's counters
    // are: a page of sessions reads them instead of aggregating its answers. Indexed for the lists sorted by them.
    reviewItemsCount: p.integer().default(0).index(),
    correctCount: p.integer().default(0).index(),
    lastReviewedAt: p.datetime().nullable().index(),
  },
  // groups.study_sessions_count follows the sessions in the database, whatever adds or deletes one (a cascade too).
  triggers: triggers([
    {
      name: 'session_counted_in_group',
      timing: 'after',
      events: ['insert'],
      body: 'update groups set study_sessions_count = study_sessions_count + 1 where id = new.group_id;',
    },
    {
      name: 'session_uncounted_in_group',
      timing: 'after',
      events: ['delete'],
      body: 'update groups set study_sessions_count = study_sessions_count - 1 where id = old.group_id;',
    },
  ]),
});
export type StudySession = InferEntity<typeof StudySession>;

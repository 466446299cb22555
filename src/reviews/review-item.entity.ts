import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { partOf, rowOf } from '../database/columns.js';
import { asInteger } from '../database/dialect.js';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';

/** The learning record log: one row per recorded answer, inside a session or not. */
export const ReviewItem = defineEntity({
  name: 'ReviewItem',
  tableName: 'words_review_items',
  properties: {
    ...rowOf(),
    word: () => partOf(Word),
    studySession: () => p.manyToOne(StudySession).nullable().deleteRule('cascade').index(),
    correct: p.boolean(),
    reviewedAt: p.datetime().index(),
    // The state (0 new, 1 learning, 2 review, 3 relearning) of the word's card when the answer was given.
    cardState: p.smallint().nullable(),
  },
  // True retention counts the answers given in review state over a period, from the index alone.
  indexes: [{ name: 'words_review_items_retention_index', properties: ['cardState', 'reviewedAt', 'correct'] }],
  // The word's counters follow the log in the database, whatever adds or deletes a review (a cascade too);
  // so does the card's need to be recomputed.
  triggers: [
    {
      name: 'review_counted_in_word',
      timing: 'after',
      events: ['insert'],
      body: `update words set correct_count = correct_count + ${asInteger('new.correct')},
        wrong_count = wrong_count + 1 - ${asInteger('new.correct')} where id = new.word_id;`,
    },
    {
      name: 'review_uncounted_in_word',
      timing: 'after',
      events: ['delete'],
      body: `update words set correct_count = correct_count - ${asInteger('old.correct')},
        wrong_count = wrong_count - 1 + ${asInteger('old.correct')} where id = old.word_id;`,
    },
    {
      name: 'review_unscheduled_in_card',
      timing: 'after',
      events: ['delete'],
      body: `update cards set stale = true where word_id = old.word_id;`,
    },
  ],
});
export type ReviewItem = InferEntity<typeof ReviewItem>;

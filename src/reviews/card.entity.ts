import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { doublePrecision } from '../database/columns.js';
import { Word } from '../words/word.entity.js';

/**
 * A word's FSRS card: what the scheduler knows of its memory after the word's answers, and when it is
 * due again. It exists from the word's first answer on and is a function of the word's review log.
 */
export const Card = defineEntity({
  name: 'Card',
  tableName: 'cards',
  properties: {
    word: () => p.oneToOne(Word).primary().deleteRule('cascade'),
    due: p.datetime(),
    stability: doublePrecision(),
    difficulty: doublePrecision(),
    elapsedDays: p.integer(),
    scheduledDays: p.integer(),
    learningSteps: p.integer(),
    reps: p.integer(),
    lapses: p.integer(),
    // 0 new, 1 learning, 2 review, 3 relearning.
    state: p.smallint(),
    lastReview: p.datetime(),
    // The word's first answer: the day's new words are the cards first answered that day.
    firstReview: p.datetime().index(),
    // Set by the database when an answer of the word is deleted: the card is recomputed from the log before it is read.
    stale: p.boolean().default(false).index(),
  },
  indexes: [
    // The due cards, and what orders the queue (the days since the last review over the stability): SQLite sorts
    // the ~58,000 due cards of the large portal by their index entries, not their rows (41 -> 6 ms); the entries
    // hold the card's word too on SQLite, where word_id is the rowid.
    { name: 'cards_due_index', properties: ['due', 'lastReview', 'stability'] },
    // The mastered words (review state, stability of three weeks or more) are counted from the index alone.
    { name: 'cards_state_stability_index', properties: ['state', 'stability'] },
  ],
});
export type Card = InferEntity<typeof Card>;

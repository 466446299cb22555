import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * The review log summed up, kept by the database (triggers on `words_review_items`) so that statistics
 * read a row instead of scanning millions: the totals of the whole log, in the one row with id 1.
 */
export const AnswerTotals = defineEntity({
  name: 'AnswerTotals',
  tableName: 'answer_totals',
  properties: {
    id: p.integer().primary().autoincrement(false),
    answers: p.integer(),
    correct: p.integer(),
    studiedWords: p.integer(),
  },
});
export type AnswerTotals = InferEntity<typeof AnswerTotals>;

/**
 * The review log per UTC quarter hour (every time zone's days are whole quarter hours): the answers,
 * and those given to words in review state (for true retention) and how many of them were right.
 */
export const AnswerQuarterHour = defineEntity({
  name: 'AnswerQuarterHour',
  tableName: 'answer_quarter_hours',
  properties: {
    quarter: p.integer().primary().autoincrement(false),
    answers: p.integer(),
    reviewAnswers: p.integer(),
    reviewCorrect: p.integer(),
  },
});
export type AnswerQuarterHour = InferEntity<typeof AnswerQuarterHour>;

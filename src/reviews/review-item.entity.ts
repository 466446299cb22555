import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { bigInteger, endingInId, lateCheckedPartOf, rowOf } from '../database/columns.js';
import { asInteger, quarterHour, rowByRow, triggers } from '../database/dialect.js';
import { Group } from '../groups/group.entity.js';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';

// Whether a row's answer was given to a word in review state (its card state 2), and whether it was also right.
const inReview = (row: 'new' | 'old') => `(${asInteger(`coalesce(${row}.card_state, 0) = 2`)})`;
const rightInReview = (row: 'new' | 'old') => `(${inReview(row)} * ${asInteger(`${row}.correct`)})`;
// Whether the word has no other answer than `row` (new: the one just written; old: none left).
const onlyAnswer = (row: 'new' | 'old') =>
  `(${asInteger(`not exists (select 1 from words_review_items o where o.word_id = ${row}.word_id and o.id <> ${row}.id)`)})`;
// Whether the group has no other answer to the word than `row` (as onlyAnswer, in the group's answers).
const onlyAnswerInGroup = (row: 'new' | 'old') =>
  `(${asInteger(`not exists (select 1 from words_review_items o where o.group_id = ${row}.group_id and o.word_id = ${row}.word_id and o.id <> ${row}.id)`)})`;
// A row's last answer once `new` is counted: the later of the two instants in one update, in terms both databases
// share (SQLite's max() of a null is null, PostgreSQL calls it greatest()).
const LATER_LAST_REVIEW =
  'last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)';
// The newest answer left to `table`'s row once `old` goes, looked for only if `old` was the newest; `stillThere`
// when the trigger runs before the delete (row by row on PostgreSQL), which must not find `old` itself.
const newestLeft = (table: string, key: string, stillThere: boolean) => `update ${table} set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.${key} = old.${key}${stillThere ? ' and o.id <> old.id' : ''})
        where id = old.${key} and last_reviewed_at <= old.reviewed_at;`;
// A session's or a group's answer counters, and `more` of its own, once `new` is counted in its row `key`, or
// `old` is taken out of it (then its last answer too, as `newestLeft`).
type MoreCounts = Record<string, (row: 'new' | 'old') => string>;
const answerCounted = (table: string, key: string, more: MoreCounts = {}) =>
  `update ${table} set review_items_count = review_items_count + 1,
        correct_count = correct_count + ${asInteger('new.correct')},
        ${Object.entries(more)
          .map(([column, count]) => `${column} = ${column} + ${count('new')},\n        `)
          .join('')}${LATER_LAST_REVIEW}
        where id = new.${key};`;
const answerUncounted = (table: string, key: string, stillThere: boolean, more: MoreCounts = {}) =>
  `update ${table} set review_items_count = review_items_count - 1,
        correct_count = correct_count - ${asInteger('old.correct')}${Object.entries(more)
          .map(([column, count]) => `,\n        ${column} = ${column} - ${count('old')}`)
          .join('')} where id = old.${key};
      ${newestLeft(table, key, stillThere)}`;
// Adds one answer and `counts` to a summary's row `key` = `value`, which its first answer inserts.
const countedIn = (summary: string, [key, value]: [string, string], counts: Record<string, string>) => {
  const columns = Object.keys(counts);
  return `insert into ${summary} (${key}, answers, ${columns.join(', ')})
        values (${value}, 1, ${Object.values(counts).join(', ')})
        on conflict (${key}) do update set answers = ${summary}.answers + 1,
          ${columns.map((column) => `${column} = ${summary}.${column} + excluded.${column}`).join(',\n          ')};`;
};

/**
 * The counters the log's triggers (below) keep in other tables, as they are when the log holds no answer: a reset
 * that forgets every answer at once empties the log without its triggers and sets these (`ReviewsService.clear`).
 * The log's own summaries are emptied with it.
 */
export const COUNTERS_WITHOUT_ANSWERS = [
  `update words set correct_count = 0, wrong_count = 0, last_reviewed_at = null
    where correct_count <> 0 or wrong_count <> 0 or last_reviewed_at is not null`,
  `update study_sessions set review_items_count = 0, correct_count = 0, last_reviewed_at = null
    where review_items_count <> 0 or last_reviewed_at is not null`,
  `update groups set review_items_count = 0, correct_count = 0, studied_word_count = 0, last_reviewed_at = null
    where review_items_count <> 0 or last_reviewed_at is not null`,
];

/** The learning record log: one row per recorded answer, inside a session or not. */
export const ReviewItem = defineEntity({
  name: 'ReviewItem',
  tableName: 'words_review_items',
  properties: {
    ...rowOf(),
    word: () => lateCheckedPartOf(Word),
    // No index of its own: the (study_session_id, reviewed_at) index below serves its look-ups and cascades.
    studySession: () => p.manyToOne(StudySession).nullable().deleteRule('cascade').index(false),
    // The group of that session, as the session names it when the answer is written (a session's group never
    // changes; null outside a session): the group's counters follow it. No index of its own: the
    // (group_id, word_id) index below serves its look-ups and cascades.
    group: () => p.manyToOne(Group).nullable().deleteRule('cascade').index(false),
    correct: p.boolean(),
    reviewedAt: p.datetime(),
    // The state (0 new, 1 learning, 2 review, 3 relearning) of the word's card when the answer was given.
    cardState: p.smallint().nullable(),
    // The Anki review log entry an imported answer came from (its id, the epoch ms of the review): imported once.
    ankiRevlogId: bigInteger().nullable().unique(),
  },
  indexes: [
    // True retention counts the answers given in review state over a period, from the index alone.
    { name: 'words_review_items_retention_index', properties: ['cardState', 'reviewedAt', 'correct'] },
    // A session's answers, and its last one in one seek (when an answer leaves the session's counters).
    { properties: ['studySession', 'reviewedAt'] },
    // Whether an answer is the first (or last) to its word in the group, in one seek.
    { properties: ['group', 'word'] },
    // The log in time order, ties by id: a page of `GET /reviews` finds its ids here without reading the rows it skips.
    endingInId('words_review_items_reviewed_at_index', ['reviewedAt']),
    // The right or wrong answers in time order (`GET /reviews?correct=`): a deep page of one kind read every answer
    // of the other before its own (`correct=false&page=2000` on the large portal: 176 -> 10 ms). ~0.03 ms an answer.
    endingInId('words_review_items_correct_reviewed_at_index', ['correct', 'reviewedAt']),
  ],
  // The word's, the session's and the group's counters and the log's summaries (answer_totals,
  // answer_quarter_hours) follow the log in the database, whatever adds, deletes (a cascade too) or recomputes the
  // card state of a review; so does the card's need to be recomputed. The totals and the group's words are counted
  // after the word's counters (PostgreSQL runs a row's triggers in the order of their names): the word's row, locked
  // by that update, makes concurrent first (or last) answers to one word count in turn, each seeing the other;
  // the rows before theirs alone make the first (or last) answer of a word among those one statement writes (and a
  // deleted answer is still there for its own trigger on PostgreSQL, which runs before the delete: `o.id <> old.id`).
  triggers: triggers([
    ...rowByRow([
      {
        name: 'review_counted',
        timing: 'after',
        events: ['insert'],
        body: `update words set correct_count = correct_count + ${asInteger('new.correct')},
        wrong_count = wrong_count + 1 - ${asInteger('new.correct')},
        ${LATER_LAST_REVIEW}
        where id = new.word_id;
      ${countedIn('answer_totals', ['id', '1'], { correct: asInteger('new.correct'), studied_words: onlyAnswer('new') })}`,
      },
      {
        name: 'review_uncounted',
        timing: 'after',
        events: ['delete'],
        body: `update words set correct_count = correct_count - ${asInteger('old.correct')},
        wrong_count = wrong_count - 1 + ${asInteger('old.correct')} where id = old.word_id;
      ${newestLeft('words', 'word_id', true)}
      update answer_totals set answers = answers - 1, correct = correct - ${asInteger('old.correct')},
        studied_words = studied_words - ${onlyAnswer('old')} where id = 1;`,
      },
    ]),
    {
      name: 'review_counted_in_quarter_hour',
      timing: 'after',
      events: ['insert'],
      body: countedIn('answer_quarter_hours', ['quarter', quarterHour.sql('new.reviewed_at')], {
        review_answers: inReview('new'),
        review_correct: rightInReview('new'),
      }),
    },
    {
      name: 'review_uncounted_in_quarter_hour',
      timing: 'after',
      events: ['delete'],
      body: `update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - ${inReview('old')},
        review_correct = review_correct - ${rightInReview('old')} where quarter = ${quarterHour.sql('old.reviewed_at')};`,
    },
    {
      name: 'review_state_counted_in_summaries',
      timing: 'after',
      events: ['update'],
      body: `update answer_quarter_hours
        set review_answers = review_answers + ${inReview('new')} - ${inReview('old')},
          review_correct = review_correct + ${rightInReview('new')} - ${rightInReview('old')}
        where quarter = ${quarterHour.sql('new.reviewed_at')};`,
    },
    {
      name: 'review_counted_in_session',
      timing: 'after',
      events: ['insert'],
      body: answerCounted('study_sessions', 'study_session_id'),
    },
    {
      name: 'review_uncounted_in_session',
      timing: 'after',
      events: ['delete'],
      // The last answer is looked for once the session's row is locked by the first update, so that on
      // PostgreSQL it sees an answer committed while this one waited for the row.
      body: answerUncounted('study_sessions', 'study_session_id', false),
    },
    // Row by row, as the word's: the first answer to a word in the group among the rows of one statement counts.
    ...rowByRow([
      {
        name: 'review_counted_in_group',
        timing: 'after',
        events: ['insert'],
        body: answerCounted('groups', 'group_id', { studied_word_count: onlyAnswerInGroup }),
      },
      {
        name: 'review_uncounted_in_group',
        timing: 'after',
        events: ['delete'],
        body: answerUncounted('groups', 'group_id', true, { studied_word_count: onlyAnswerInGroup }),
      },
    ]),
    {
      name: 'review_unscheduled_in_card',
      timing: 'after',
      events: ['delete'],
      body: `update cards set stale = true where word_id = old.word_id;`,
    },
  ]),
});
export type ReviewItem = InferEntity<typeof ReviewItem>;

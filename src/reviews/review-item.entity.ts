import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { TriggerDef } from '@mikro-orm/sql';
import { bigInteger, endingInId, lateCheckedPartOf, rowOf } from '../database/columns.js';
import { asInteger, quarterHour, triggers, writtenRowsTriggers } from '../database/dialect.js';
import { Group } from '../groups/group.entity.js';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';

// Whether a row's answer was given to a word in review state (its card state 2), and whether it was also right.
const inReview = (row: string) => `(${asInteger(`coalesce(${row}.card_state, 0) = 2`)})`;
const rightInReview = (row: string) => `(${inReview(row)} * ${asInteger(`${row}.correct`)})`;
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
// The newest answer left to `table`'s row once `old` goes, looked for only if `old` was the newest; not `old` itself
// if `stillThere`.
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
 * Row triggers (SQLite's) that count each inserted answer into its word, the totals, its quarter hour, its session and
 * its group, each right after its row is written: a word's first answer (in the log, in a group) among the rows of
 * one statement is counted once.
 */
const ANSWERS_COUNTED_BY_ROW: TriggerDef[] = [
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
    name: 'review_counted_in_quarter_hour',
    timing: 'after',
    events: ['insert'],
    body: countedIn('answer_quarter_hours', ['quarter', quarterHour.sql('new.reviewed_at')], {
      review_answers: inReview('new'),
      review_correct: rightInReview('new'),
    }),
  },
  {
    name: 'review_counted_in_session',
    timing: 'after',
    events: ['insert'],
    body: answerCounted('study_sessions', 'study_session_id'),
  },
  {
    name: 'review_counted_in_group',
    timing: 'after',
    events: ['insert'],
    body: answerCounted('groups', 'group_id', { studied_word_count: onlyAnswerInGroup }),
  },
];

// The inserted answers (a statement trigger's table `inserted`) that name a row by `key`, grouped by it as `d`: how
// many came (`added`), how many of them were right (`added_correct`), and the newest (`newest`).
const addedBy = (key: string) => `(select ${key}, count(*) as added, sum(${asInteger('correct')}) as added_correct,
          max(reviewed_at) as newest from inserted where ${key} is not null group by ${key}) d`;
// A session's or a group's answer counters and last answer, plus the inserted answers that name it by `key` (`added`,
// as addedBy makes it, with a column `added_<column>` for each of `more`).
const answersCountedIn = (table: string, key: string, added = addedBy(key), more: string[] = []) =>
  `update ${table} set review_items_count = review_items_count + d.added, correct_count = correct_count + d.added_correct${more
    .map((column) => `, ${column} = ${column} + d.added_${column}`)
    .join('')}, last_reviewed_at = greatest(last_reviewed_at, d.newest)
        from ${added} where ${table}.id = d.${key};`;
// Whether the log holds no answer to `rows`' word (in `rows`' group too, `inGroup`) but the inserted ones, `rows`.ids:
// the word's first answers.
const noneBefore = (rows: string, inGroup = false) =>
  asInteger(
    `not exists (select 1 from words_review_items o where o.word_id = ${rows}.word_id${
      inGroup ? ` and o.group_id = ${rows}.group_id` : ''
    } and o.id <> all (${rows}.ids))`,
  );
// Adds the rows of `added` (a select of `key` and then `columns`, each row a key of its own) to `summary`'s rows,
// inserting those it has not.
const addedInto = (summary: string, key: string, columns: string[], added: string) =>
  `insert into ${summary} (${key}, ${columns.join(', ')})
        ${added}
        on conflict (${key}) do update set ${columns.map((column) => `${column} = ${summary}.${column} + excluded.${column}`).join(', ')};`;

/**
 * What ANSWERS_COUNTED_BY_ROW counts in, once per statement for all of its inserted answers (PostgreSQL's). The
 * words' counters first: their update locks the words' rows, so that of two transactions answering a word for the
 * first time at once, the second, waiting for the row, then sees the first's answer and does not count the word
 * again. The rows are then updated in the order a delete's statement trigger takes them (ANSWERS_UNCOUNTED).
 */
const ANSWERS_COUNTED = `if not exists (select 1 from inserted) then return null; end if;
      update words set correct_count = correct_count + d.added_correct, wrong_count = wrong_count + (d.added - d.added_correct),
        last_reviewed_at = greatest(last_reviewed_at, d.newest)
        from ${addedBy('word_id')} where words.id = d.word_id;
      ${addedInto(
        'answer_totals',
        'id',
        ['answers', 'correct', 'studied_words'],
        `select 1, count(*), sum(${asInteger('correct')}),
          (select sum(${noneBefore('w')}) from (select word_id, array_agg(id) as ids from inserted group by word_id) w)
        from inserted`,
      )}
      ${answersCountedIn(
        'groups',
        'group_id',
        `(select group_id, sum(added) as added, sum(added_correct) as added_correct, sum(${noneBefore('w', true)}) as added_studied_word_count,
          max(newest) as newest
          from (select group_id, word_id, array_agg(id) as ids, count(*) as added, sum(${asInteger('correct')}) as added_correct,
            max(reviewed_at) as newest from inserted where group_id is not null group by group_id, word_id) w group by group_id) d`,
        ['studied_word_count'],
      )}
      ${addedInto(
        'answer_quarter_hours',
        'quarter',
        ['answers', 'review_answers', 'review_correct'],
        `select ${quarterHour.sql('reviewed_at')}, count(*), sum(${inReview('inserted')}), sum(${rightInReview('inserted')})
        from inserted group by 1`,
      )}
      ${answersCountedIn('study_sessions', 'study_session_id')}`;

/**
 * Row triggers (SQLite's) that count each deleted answer out of what the log's insert triggers counted it into, as
 * SQLite's migrations wrote them (the word's and the group's skip `old` itself, from when PostgreSQL ran them before
 * the delete).
 */
const ANSWERS_UNCOUNTED_BY_ROW: TriggerDef[] = [
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
  {
    name: 'review_uncounted_in_quarter_hour',
    timing: 'after',
    events: ['delete'],
    body: `update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - ${inReview('old')},
        review_correct = review_correct - ${rightInReview('old')} where quarter = ${quarterHour.sql('old.reviewed_at')};`,
  },
  {
    name: 'review_uncounted_in_session',
    timing: 'after',
    events: ['delete'],
    body: answerUncounted('study_sessions', 'study_session_id', false),
  },
  {
    name: 'review_uncounted_in_group',
    timing: 'after',
    events: ['delete'],
    body: answerUncounted('groups', 'group_id', true, { studied_word_count: onlyAnswerInGroup }),
  },
  {
    name: 'review_unscheduled_in_card',
    timing: 'after',
    events: ['delete'],
    body: `update cards set stale = true where word_id = old.word_id;`,
  },
];

// The deleted answers (a statement trigger's table `deleted`) that name a row by `key`, grouped by it as `d`: how many
// went (`gone`) and how many of them were right (`gone_correct`).
const goneBy = (key: string) => `(select ${key}, count(*) as gone, sum(${asInteger('correct')}) as gone_correct
          from deleted where ${key} is not null group by ${key}) d`;
// The newest answer left to each row of `table` that the deleted answers name by `key`, looked for only where one of
// them was its newest, in a statement of its own after the row's counters: it sees an answer that another
// transaction committed while this one waited for the row (PostgreSQL's read committed). Grouped, so that the row's
// answers are read by its key's index: a plain max() walked the log's time index back past every answer just
// deleted, for each row (300 words losing 60,000 answers: 0.95 -> 0.06 s).
const newestLeftOf = (table: string, key: string) => `update ${table} set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.${key} = ${table}.id group by o.${key})
        from (select ${key}, max(reviewed_at) as newest from deleted group by ${key}) d
        where ${table}.id = d.${key} and ${table}.last_reviewed_at <= d.newest;`;
// A session's or a group's answer counters, less the deleted answers that name it by `key` (`gone`, as goneBy makes
// it, with a column `gone_<column>` for each of `more`), then its newest answer.
const answersUncountedIn = (table: string, key: string, gone = goneBy(key), more: string[] = []) =>
  `update ${table} set review_items_count = review_items_count - d.gone, correct_count = correct_count - d.gone_correct${more
    .map((column) => `, ${column} = ${column} - d.gone_${column}`)
    .join('')}
        from ${gone} where ${table}.id = d.${key};
      ${newestLeftOf(table, key)}`;
// Whether no answer to `rows`' word is left (in `rows`' group too, `inGroup`), asked once a word (and group): asked of
// every deleted answer, a delete of 60,000 answers to 300 words probed their index entries 60,000 times (6.1 -> 4.5 s).
const noneLeft = (rows: string, inGroup = false) =>
  asInteger(
    `not exists (select 1 from words_review_items o where o.word_id = ${rows}.word_id${
      inGroup ? ` and o.group_id = ${rows}.group_id` : ''
    })`,
  );

/**
 * What ANSWERS_UNCOUNTED_BY_ROW counts out, once per statement for all of its deleted answers (PostgreSQL's). The
 * word's counters first: their update locks the words' rows, so that a word's last answer, looked for after it, is
 * counted out of the studied words once when two transactions delete answers to it at once, as a first answer is
 * counted in. The rows are then updated in the order an answer's insert triggers update them (the totals, the group,
 * the quarter hour, the session), so that a delete and an answer never each wait for a row the other holds.
 */
const ANSWERS_UNCOUNTED = `if not exists (select 1 from deleted) then return null; end if;
      update words set correct_count = correct_count - d.gone_correct, wrong_count = wrong_count - (d.gone - d.gone_correct)
        from ${goneBy('word_id')} where words.id = d.word_id;
      ${newestLeftOf('words', 'word_id')}
      update answer_totals set answers = answers - d.gone, correct = correct - d.gone_correct,
        studied_words = studied_words - (select sum(${noneLeft('w')}) from (select distinct word_id from deleted) w)
        from (select count(*) as gone, sum(${asInteger('correct')}) as gone_correct from deleted) d where id = 1;
      ${answersUncountedIn(
        'groups',
        'group_id',
        `(select group_id, sum(gone) as gone, sum(gone_correct) as gone_correct, sum(last) as gone_studied_word_count
          from (select group_id, count(*) as gone, sum(${asInteger('correct')}) as gone_correct, ${noneLeft('deleted', true)} as last
            from deleted where group_id is not null group by group_id, word_id) w group by group_id) d`,
        ['studied_word_count'],
      )}
      update answer_quarter_hours set answers = answers - d.gone, review_answers = review_answers - d.gone_in_review,
        review_correct = review_correct - d.gone_right_in_review
        from (select ${quarterHour.sql('reviewed_at')} as quarter, count(*) as gone, sum(${inReview('deleted')}) as gone_in_review,
          sum(${rightInReview('deleted')}) as gone_right_in_review from deleted group by 1) d
        where answer_quarter_hours.quarter = d.quarter;
      ${answersUncountedIn('study_sessions', 'study_session_id')}
      update cards set stale = true where word_id in (select word_id from deleted);`;

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
  // card state of a review; so does the card's need to be recomputed. Inserted and deleted answers are counted row by
  // row on SQLite, once per statement on PostgreSQL (ANSWERS_COUNTED, ANSWERS_UNCOUNTED).
  triggers: [
    ...writtenRowsTriggers('words_review_items', 'insert', 'review_counted', ANSWERS_COUNTED_BY_ROW, ANSWERS_COUNTED),
    ...triggers([
      {
        name: 'review_state_counted_in_summaries',
        timing: 'after',
        events: ['update'],
        body: `update answer_quarter_hours
        set review_answers = review_answers + ${inReview('new')} - ${inReview('old')},
          review_correct = review_correct + ${rightInReview('new')} - ${rightInReview('old')}
        where quarter = ${quarterHour.sql('new.reviewed_at')};`,
      },
    ]),
    ...writtenRowsTriggers(
      'words_review_items',
      'delete',
      'review_uncounted',
      ANSWERS_UNCOUNTED_BY_ROW,
      ANSWERS_UNCOUNTED,
    ),
  ],
});
export type ReviewItem = InferEntity<typeof ReviewItem>;

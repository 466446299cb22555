import type { Test } from 'supertest';
import { asInteger } from '../src/database/dialect.js';
import { api, ISO_MS, sql, type GroupBody, type WordDetailBody } from './api.js';
import type { TestApp } from './app.js';

/** Helpers of the learning record store and launchpad suites (study sessions, answers, apps, resets). */

export interface LearningAppBody {
  id: number;
  name: string;
  description: string;
  launch_url: string;
  thumbnail_url: string | null;
  created_at: string;
}

export interface SessionBody {
  id: number;
  group_id: number;
  group_name: string;
  learning_app_id: number | null;
  learning_app_name: string | null;
  start_time: string;
  end_time: string | null;
  review_items_count: number;
  correct_count: number;
  wrong_count: number;
}

export interface AnswerRecordedBody {
  success: true;
  word_id: number;
  study_session_id: number | null;
  correct: boolean;
  created_at: string;
}

/** A session as the API shows it once started: of this group and app, no answers yet, not ended. */
export const startedSession = (
  session: Pick<SessionBody, 'group_id' | 'group_name' | 'learning_app_id' | 'learning_app_name'>,
) => ({
  id: expect.any(Number),
  ...session,
  start_time: expect.stringMatching(ISO_MS),
  end_time: null,
  review_items_count: 0,
  correct_count: 0,
  wrong_count: 0,
});

/** The 201 body of a recorded answer; `created_at` is any timestamp unless given. */
export const answerRecorded = (
  answer: Pick<AnswerRecordedBody, 'word_id' | 'study_session_id' | 'correct'> & { created_at?: string },
) => ({ success: true, created_at: expect.stringMatching(ISO_MS), ...answer });

export interface ReviewBody {
  id: number;
  word_id: number;
  thai: string;
  english: string;
  correct: boolean;
  reviewed_at: string;
  study_session_id: number | null;
}

export interface AnswerOptions {
  reviewedAt?: string;
  key?: string;
}

export const reviewPath = (sessionId: number, wordId: number) => `/study_sessions/${sessionId}/words/${wordId}/review`;

/** `api(t)` plus the calls of the study endpoints. */
export function portal(t: TestApp) {
  const client = api(t);
  const withKey = (test: Test, key?: string) => (key === undefined ? test : test.set('Idempotency-Key', key));
  const answerBody = (correct: boolean, reviewedAt?: string) => ({
    correct,
    ...(reviewedAt !== undefined && { reviewed_at: reviewedAt }),
  });

  const answer = (sessionId: number, wordId: number, correct: boolean, options: AnswerOptions = {}): Test =>
    withKey(client.post(reviewPath(sessionId, wordId), answerBody(correct, options.reviewedAt)), options.key);

  return {
    ...client,

    async createApp(input: Partial<Omit<LearningAppBody, 'id' | 'created_at'>> = {}): Promise<LearningAppBody> {
      const body = { name: 'Flashcards', launch_url: 'https://apps.example/fc', ...input };
      return (await client.post('/learning_apps', body).expect(201)).body;
    },

    async createSession(groupId: number, learningAppId?: number | null): Promise<SessionBody> {
      const body = { group_id: groupId, ...(learningAppId !== undefined && { learning_app_id: learningAppId }) };
      return (await client.post('/study_sessions', body).expect(201)).body;
    },

    async getSession(id: number): Promise<SessionBody> {
      return (await client.get(`/study_sessions/${id}`).expect(200)).body;
    },

    /** `POST /study_sessions/:id/words/:word_id/review`, not yet awaited. */
    answer,

    /** Answers in the session one after another, each recorded (201). */
    async answerInOrder(sessionId: number, answers: (readonly [{ id: number }, boolean])[]): Promise<void> {
      for (const [word, correct] of answers) {
        await answer(sessionId, word.id, correct).expect(201);
      }
    },

    /** `POST /reviews` (outside any session), not yet awaited. */
    review(wordId: number, correct: boolean, options: AnswerOptions = {}): Test {
      return withKey(
        client.post('/reviews', { word_id: wordId, ...answerBody(correct, options.reviewedAt) }),
        options.key,
      );
    },

    /** The whole review log (or one filter of it), newest first. */
    async reviews(query = ''): Promise<{ items: ReviewBody[]; total: number }> {
      const response = await client.get(`/reviews?per_page=500${query && `&${query}`}`).expect(200);
      return { items: response.body.items, total: response.body.pagination.total_items };
    },

    /** Every word, with its counters. */
    async allWords(): Promise<WordDetailBody[]> {
      return (await client.get('/words?per_page=500&sort_by=id').expect(200)).body.items;
    },

    /** Creates `count` words and a group holding them; the words come back in id order. */
    async groupWithWords(name: string, count: number): Promise<{ group: GroupBody; words: WordDetailBody[] }> {
      const words: WordDetailBody[] = [];
      for (let i = 1; i <= count; i++) {
        words.push(await client.createWord({ thai: `${name} คำ ${i}`, english: `${name} word ${i}` }));
      }
      const group = await client.createGroup(
        name,
        words.map((word) => word.id),
      );
      return { group, words };
    },
  };
}

export type Portal = ReturnType<typeof portal>;

/** Everything an answer writes, to check that a request recorded nothing (or exactly what it should). */
export async function recordedState(t: TestApp) {
  const [counts] = await sql<{ reviews: number; activities: number; correct: number; wrong: number }>(
    t,
    `select (select count(*) from words_review_items) as reviews,
            (select count(*) from study_activities) as activities,
            (select coalesce(sum(correct_count), 0) from words) as correct,
            (select coalesce(sum(wrong_count), 0) from words) as wrong`,
  );
  return counts;
}

/**
 * Asserts that every word's counters equal what the review log says about it (`GET /reviews?word_id=`),
 * and that the log holds no answer of a word that is gone.
 */
export async function expectCountersMatchLog(client: Portal): Promise<void> {
  const words = await client.allWords();
  const fromLog = await Promise.all(
    words.map(async (word) => {
      const { items } = await client.reviews(`word_id=${word.id}`);
      return {
        id: word.id,
        correct_count: items.filter((review) => review.correct).length,
        wrong_count: items.filter((review) => !review.correct).length,
      };
    }),
  );
  expect(words.map(({ id, correct_count, wrong_count }) => ({ id, correct_count, wrong_count }))).toEqual(fromLog);
  const total = fromLog.reduce((sum, word) => sum + word.correct_count + word.wrong_count, 0);
  expect((await client.reviews()).total).toBe(total);
}

/**
 * Every word's, session's and group's stored answer counters and last answer (and a group's studied words), beside
 * the same figures counted from the review log.
 */
export async function expectStoredFiguresMatchLog(t: TestApp): Promise<void> {
  const fromTheLog = {
    answers: 'count(r.id)',
    correct: `coalesce(sum(${asInteger('r.correct')}), 0)`,
    last: 'max(r.reviewed_at)',
    studied: 'count(distinct r.word_id)',
  };
  // Each row of `table`'s figures as stored, beside the same figures of the answers that name it by `key`.
  const expectFromTheLog = async (table: string, key: string, stored: Partial<typeof fromTheLog>) => {
    const names = Object.keys(stored) as (keyof typeof fromTheLog)[];
    const rows = await sql<Record<string, unknown>>(
      t,
      `select t.id, ${names.map((name) => `${stored[name]} as ${name}, ${fromTheLog[name]} as logged_${name}`).join(', ')}
       from ${table} t left join words_review_items r on r.${key} = t.id group by t.id order by t.id`,
    );
    const figures = (prefix: string) => (row: Record<string, unknown>) =>
      Object.fromEntries([['id', row.id], ...names.map((name) => [name, row[`${prefix}${name}`]])]);
    expect(rows.map(figures(''))).toEqual(rows.map(figures('logged_')));
  };
  const answers = { answers: 't.review_items_count', correct: 't.correct_count', last: 't.last_reviewed_at' };
  await expectFromTheLog('words', 'word_id', {
    answers: 't.correct_count + t.wrong_count',
    correct: 't.correct_count',
    last: 't.last_reviewed_at',
  });
  await expectFromTheLog('study_sessions', 'study_session_id', answers);
  await expectFromTheLog('groups', 'group_id', { ...answers, studied: 't.studied_word_count' });
}

/** The same instant written in local time with a `±hh:mm` offset, e.g. `2026-11-24T16:15:00.000+07:00`. */
export function withOffset(instant: Date | string, offsetMinutes: number): string {
  const local = new Date(new Date(instant).getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The latest of some ISO 8601 UTC timestamps. */
export const newest = (timestamps: string[]) => timestamps.reduce((a, b) => (a > b ? a : b));

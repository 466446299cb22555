import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Response, Test } from 'supertest';
import { asInteger, dialect } from '../../src/database/dialect.js';
import type { SqliteConnection } from '../../src/database/sqlite.dialect.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { CardsService } from '../../src/reviews/cards.service.js';
import { IdempotencyService } from '../../src/reviews/idempotency.service.js';
import { IdempotencyKey } from '../../src/reviews/idempotency-key.entity.js';
import { StudySession } from '../../src/study-sessions/study-session.entity.js';
import {
  countRows,
  expectInvalid,
  expectProblem,
  itRejectsQuery,
  queriesDuring,
  sql,
  statementsDuring,
  type WordDetailBody,
} from '../api.js';
import { stopClockAt, useEmptyTestApp } from '../app.js';
import {
  answerRecorded,
  expectCountersMatchLog,
  portal,
  recordedState,
  reviewPath,
  type SessionBody,
  withOffset,
} from '../fixtures.js';

const t = useEmptyTestApp();
const client = portal(t);

/** Two words in a group with a study session, and a word outside the group. */
let words: WordDetailBody[];
let stranger: WordDetailBody;
let session: SessionBody;

beforeEach(async () => {
  const fixture = await client.groupWithWords('Colours', 2);
  words = fixture.words;
  stranger = await client.createWord({ thai: 'แมว', english: 'cat' });
  session = await client.createSession(fixture.group.id);
});

/** Runs the requests and asserts that they recorded nothing: no review, no activity, no counter moved. */
async function expectNothingRecorded(run: () => Promise<unknown>): Promise<void> {
  const before = await recordedState(t);
  await run();
  expect(await recordedState(t)).toEqual(before);
}

const past = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('POST /reviews (an answer outside any session)', () => {
  it('records an answer outside any session: a review and the counters, no study activity', async () => {
    const response = await client.review(words[0].id, false).expect(201);
    expect(response.body).toEqual(answerRecorded({ word_id: words[0].id, study_session_id: null, correct: false }));
    expect(await recordedState(t)).toEqual({ reviews: 1, activities: 0, correct: 0, wrong: 1 });
    const { items } = await client.reviews();
    expect(items).toEqual([
      {
        id: expect.any(Number),
        word_id: words[0].id,
        thai: words[0].thai,
        english: words[0].english,
        correct: false,
        reviewed_at: response.body.created_at,
        study_session_id: null,
      },
    ]);
    expect(await client.getWord(words[0].id)).toMatchObject({
      correct_count: 0,
      wrong_count: 1,
      last_reviewed_at: response.body.created_at,
    });
    // A word outside every group can be answered outside a session.
    await client.review(stranger.id, true).expect(201);
  });

  it.each([999_999, 2 ** 31, Number.MAX_SAFE_INTEGER])(
    'answers 422 for a word that does not exist (%d, on every database), and records nothing',
    async (wordId) => {
      await expectNothingRecorded(async () => {
        const problem = expectProblem(await client.review(wordId, true), 422);
        expect(problem.detail).toContain(`word_id refers to a word that does not exist: ${wordId}`);
      });
    },
  );

  it.each([
    ['word_id is missing', { correct: true }],
    ['word_id is a string', { word_id: '1', correct: true }],
    ['word_id is 0', { word_id: 0, correct: true }],
    ['word_id is not an integer', { word_id: 1.5, correct: true }],
  ])('answers 400 when %s', async (_, body) => {
    await expectNothingRecorded(async () => {
      expectInvalid(await client.post('/reviews', body), 'word_id');
    });
  });
});

describe.each([
  ['POST /reviews', (body: object) => client.post('/reviews', { word_id: words[0].id, ...body })],
  [
    'POST /study_sessions/:id/words/:word_id/review',
    (body: object) => client.post(reviewPath(session.id, words[0].id), body),
  ],
])('the answer body of %s', (_, send: (body: object) => Test) => {
  it.each([
    ['2026-01-15T16:15:00+07:00', '2026-01-15T09:15:00.000Z'],
    ['2026-01-15T04:15:00.250-05:00', '2026-01-15T09:15:00.250Z'],
    ['2026-01-15T15:00:00+05:45', '2026-01-15T09:15:00.000Z'],
    ['2026-01-15T09:15Z', '2026-01-15T09:15:00.000Z'],
    ['2026-01-15T09:15:00.123456Z', '2026-01-15T09:15:00.123Z'],
    ['  2026-01-15T09:15:00Z ', '2026-01-15T09:15:00.000Z'],
  ])('takes reviewed_at %j as %s', async (reviewedAt, utc) => {
    // A session only takes answers after its start: move it back to before the answer.
    await t.orm.em.fork().nativeUpdate(StudySession, session.id, { createdAt: new Date('2026-01-01T00:00:00Z') });
    const response = await send({ correct: true, reviewed_at: reviewedAt }).expect(201);
    expect(response.body.created_at).toBe(utc);
    expect((await client.reviews()).items[0].reviewed_at).toBe(utc);
    expect((await client.getWord(words[0].id)).last_reviewed_at).toBe(utc);
  });

  it('defaults reviewed_at to now', async () => {
    const before = new Date().toISOString();
    const response = await send({ correct: true }).expect(201);
    expect(response.body.created_at >= before).toBe(true);
    expect(response.body.created_at <= new Date().toISOString()).toBe(true);
  });

  it('takes a reviewed_at of the very instant it arrives, and refuses one a millisecond after it', async () => {
    const now = new Date('2026-11-20T05:00:00.000Z');
    await t.orm.em.fork().nativeUpdate(StudySession, session.id, { createdAt: new Date('2026-01-01T00:00:00Z') });
    stopClockAt(now);
    try {
      expectInvalid(await send({ correct: true, reviewed_at: '2026-11-20T05:00:00.001Z' }), 'reviewed_at');
      const response = await send({ correct: true, reviewed_at: now.toISOString() }).expect(201);
      expect(response.body.created_at).toBe(now.toISOString());
    } finally {
      jest.useRealTimers();
    }
  });

  it.each([
    ['correct is the string "true"', { correct: 'true' }, 'correct'],
    ['correct is 1', { correct: 1 }, 'correct'],
    ['correct is null', { correct: null }, 'correct'],
    ['correct is missing', {}, 'correct'],
    ['a field is unknown', { correct: true, confidence: 3 }, 'confidence'],
    [
      'reviewed_at is in the future',
      { correct: true, reviewed_at: new Date(Date.now() + 60_000).toISOString() },
      'reviewed_at',
    ],
    ['reviewed_at has no offset', { correct: true, reviewed_at: '2026-11-24T10:00:00' }, 'reviewed_at'],
    ['reviewed_at is a date only', { correct: true, reviewed_at: '2026-11-24' }, 'reviewed_at'],
    ['reviewed_at is not a real date', { correct: true, reviewed_at: '2026-02-30T10:00:00Z' }, 'reviewed_at'],
    ['reviewed_at is not a leap day', { correct: true, reviewed_at: '2023-02-29T10:00:00Z' }, 'reviewed_at'],
    ['reviewed_at has hour 24', { correct: true, reviewed_at: '2026-01-15T24:00:00Z' }, 'reviewed_at'],
    ['reviewed_at has minute 60', { correct: true, reviewed_at: '2026-01-15T10:60:00Z' }, 'reviewed_at'],
    ['reviewed_at is a leap second', { correct: true, reviewed_at: '2016-12-31T23:59:60Z' }, 'reviewed_at'],
    [
      'reviewed_at has an offset of 24 hours',
      { correct: true, reviewed_at: '2026-01-15T10:00:00+24:00' },
      'reviewed_at',
    ],
    [
      'reviewed_at has an offset of 60 minutes',
      { correct: true, reviewed_at: '2026-01-15T10:00:00+05:60' },
      'reviewed_at',
    ],
    ['reviewed_at is in year 0', { correct: true, reviewed_at: '0000-06-01T00:00:00Z' }, 'reviewed_at'],
    ['reviewed_at is not a timestamp', { correct: true, reviewed_at: 'yesterday' }, 'reviewed_at'],
    ['reviewed_at is a number', { correct: true, reviewed_at: Date.now() - 1000 }, 'reviewed_at'],
    ['reviewed_at is null', { correct: true, reviewed_at: null }, 'reviewed_at'],
  ])('answers 400 when %s, and records nothing', async (_, body, field) => {
    await expectNothingRecorded(async () => {
      expectInvalid(await send(body), field);
    });
  });
});

describe('POST /study_sessions/:id/words/:word_id/review', () => {
  it('records the answer: a study activity, a review in the session and the counters', async () => {
    const response = await client.answer(session.id, words[1].id, true).expect(201);
    expect(response.body).toEqual(
      answerRecorded({ word_id: words[1].id, study_session_id: session.id, correct: true }),
    );
    expect(await recordedState(t)).toEqual({ reviews: 1, activities: 1, correct: 1, wrong: 0 });
    expect(
      await sql(t, `select session_id, word_id, ${asInteger('correct')} as correct from study_activities`),
    ).toEqual([{ session_id: session.id, word_id: words[1].id, correct: 1 }]);
    expect((await client.reviews()).items[0]).toMatchObject({ word_id: words[1].id, study_session_id: session.id });
  });

  it('answers 422 for a word that is not in the session’s group, and records nothing', async () => {
    await expectNothingRecorded(async () => {
      const problem = expectProblem(await client.answer(session.id, stranger.id, true), 422);
      expect(problem.detail).toMatch(/not in group/);
    });
  });

  it('answers 422 for a reviewed_at before the session’s start, and takes its start exactly', async () => {
    const start = Date.parse(session.start_time);
    await expectNothingRecorded(async () => {
      const before = new Date(start - 1).toISOString();
      expectProblem(await client.answer(session.id, words[0].id, true, { reviewedAt: before }), 422);
      const dayBefore = withOffset(new Date(start - 86_400_000), 420);
      expectProblem(await client.answer(session.id, words[0].id, true, { reviewedAt: dayBefore }), 422);
    });
    const atStart = withOffset(session.start_time, 420);
    const response = await client.answer(session.id, words[0].id, true, { reviewedAt: atStart }).expect(201);
    expect(response.body.created_at).toBe(session.start_time);
  });

  it('answers 404 for a session or a word that does not exist', async () => {
    await expectNothingRecorded(async () => {
      expect(expectProblem(await client.answer(999_999, words[0].id, true), 404).detail).toMatch(/session/i);
      expect(expectProblem(await client.answer(session.id, 999_999, true), 404).detail).toMatch(/word/i);
    });
  });

  // One id invalid and the other valid in each case, so the problem must name the invalid one.
  it.each([
    ...['0', '-1', 'abc', '1.5', '1e0'].map((id) => [id, '1', 'id']),
    ...['0', '01', 'x', '99999999999999999999'].map((wordId) => ['1', wordId, 'word_id']),
  ])('answers 400 for the path /study_sessions/%s/words/%s/review', async (id, wordId, field) => {
    await expectNothingRecorded(async () => {
      expectInvalid(await client.post(`/study_sessions/${id}/words/${wordId}/review`, { correct: true }), field);
    });
  });
});

describe('GET /reviews', () => {
  const at = ['2026-02-01T10:00:00.000Z', '2026-02-02T10:00:00.000Z', '2026-02-03T10:00:00.000Z'];

  beforeEach(async () => {
    await t.orm.em.fork().nativeUpdate(StudySession, session.id, { createdAt: new Date('2026-01-01T00:00:00Z') });
    await client.review(words[0].id, true, { reviewedAt: at[1] }).expect(201);
    await client.answer(session.id, words[1].id, false, { reviewedAt: at[2] }).expect(201);
    await client.review(words[0].id, false, { reviewedAt: at[0] }).expect(201);
    await client.answer(session.id, words[0].id, true, { reviewedAt: at[1] }).expect(201);
  });

  const logOf = async (query = '') =>
    (await client.reviews(query)).items.map((review) => [review.word_id, review.correct, review.reviewed_at]);

  it('lists every answer newest first, ties by id descending', async () => {
    expect(await logOf()).toEqual([
      [words[1].id, false, at[2]],
      [words[0].id, true, at[1]],
      [words[0].id, true, at[1]],
      [words[0].id, false, at[0]],
    ]);
    const { items } = await client.reviews();
    expect(items[1].id).toBeGreaterThan(items[2].id);
    expect([items[1].study_session_id, items[2].study_session_id]).toEqual([session.id, null]);
  });

  it('filters by word_id, correct, since and until (inclusive, any offset)', async () => {
    expect(await logOf(`word_id=${words[1].id}`)).toEqual([[words[1].id, false, at[2]]]);
    expect(await logOf('correct=false')).toEqual([
      [words[1].id, false, at[2]],
      [words[0].id, false, at[0]],
    ]);
    expect(await logOf(`since=${at[1]}`)).toHaveLength(3);
    expect(await logOf(`until=${at[1]}`)).toHaveLength(3);
    expect(await logOf(`since=${at[1]}&until=${at[1]}&correct=true&word_id=${words[0].id}`)).toHaveLength(2);
    expect(await logOf(`since=${encodeURIComponent('2026-02-02T17:00:00.001+07:00')}`)).toEqual([
      [words[1].id, false, at[2]],
    ]);
    // Digits past the millisecond count: 10:00:00.000 is before 10:00:00.0001, and not after 10:00:00.0009.
    expect(await logOf('since=2026-02-02T10:00:00.0001Z')).toEqual([[words[1].id, false, at[2]]]);
    expect(await logOf('since=2026-02-02T10:00:00.0000Z')).toHaveLength(3);
    expect(await logOf('until=2026-02-02T10:00:00.0009Z')).toHaveLength(3);
  });

  it('refuses a span that ends before it begins, at any offset, and takes one of a single instant', async () => {
    const inverted = await client.get('/reviews?since=2026-02-02T17:00:00.001%2B07:00&until=2026-02-02T10:00:00Z');
    expect(expectInvalid(inverted, 'until').errors).toEqual([{ field: 'until', message: 'must not be before since' }]);
    expect(await logOf(`since=${at[1]}&until=${encodeURIComponent('2026-02-02T17:00:00+07:00')}`)).toHaveLength(2);
    // A since the calendar lacks (2026-02-30, which Date.parse rolls over to March 2) is refused as that alone.
    expect(
      expectInvalid(await client.get('/reviews?since=2026-02-30T00:00:00Z&until=2026-03-01T00:00:00Z'), 'since').errors,
    ).toEqual([{ field: 'since', message: 'must be a date the calendar has, at a time of day in range' }]);
    // Digits past the millisecond are not compared: the same millisecond is a span, empty from its next one on.
    expect(await logOf('since=2026-02-02T10:00:00.0001Z&until=2026-02-02T10:00:00.0000Z')).toEqual([]);
  });

  it('takes an instant of any year from 1, the first century too, and filters by it', async () => {
    const ancient = '0099-12-31T23:00:00.000Z';
    await client.review(words[1].id, true, { reviewedAt: ancient }).expect(201);

    expect(await logOf('until=0100-01-01T00:00:00Z')).toEqual([[words[1].id, true, ancient]]);
    expect(await logOf('since=0099-12-31T23:00:00Z&until=0099-12-31T23:00:00Z')).toHaveLength(1);
    expect(await logOf('since=0050-01-01T00:00:00Z')).toHaveLength(5);
  });

  it('reads back an answer given on the first day of the year 1 east of UTC, in the year before in UTC', async () => {
    const utc = '0000-12-31T23:00:00.000Z';
    const recorded = await client.review(stranger.id, true, { reviewedAt: '0001-01-01T00:00:00+01:00' }).expect(201);
    expect(recorded.body.created_at).toBe(utc);

    expect(await logOf(`word_id=${stranger.id}`)).toEqual([[stranger.id, true, utc]]);
    expect(await logOf('until=0001-01-01T00:00:00Z')).toEqual([[stranger.id, true, utc]]);
    expect((await client.getWord(stranger.id)).last_reviewed_at).toBe(utc);
    // The word's card, last reviewed then, moves with the next answer.
    await client.review(stranger.id, false).expect(201);
    expect((await client.getWord(stranger.id)).wrong_count).toBe(1);
  });

  it('counts the answers of each filter, a page at a time', async () => {
    await client.review(words[1].id, false, { reviewedAt: at[0] }).expect(201);
    const totalOf = async (query: string) =>
      (await client.get(`/reviews?per_page=1&${query}`).expect(200)).body.pagination;
    expect(await totalOf('correct=true')).toMatchObject({ total_items: 2, total_pages: 2 });
    expect(await totalOf('correct=false')).toMatchObject({ total_items: 3, total_pages: 3 });
    expect(await totalOf('')).toMatchObject({ total_items: 5, total_pages: 5 });
    expect(await totalOf(`correct=true&word_id=${words[0].id}`)).toMatchObject({ total_items: 2 });
    expect(await totalOf(`correct=false&since=${at[1]}`)).toMatchObject({ total_items: 1 });
    expect(await totalOf(`until=${at[0]}`)).toMatchObject({ total_items: 2 });
    // The right or wrong answers of the whole log are counted in its summary row, not in the log.
    const statements = await statementsDuring(() => client.get('/reviews?correct=false').expect(200));
    expect(statements.filter((statement) => /\bcount\(/i.test(statement))).toEqual([]);
  });

  it('counts the answers of a span of time as the log holds them, at and between the quarter hours', async () => {
    // The summary of the log by quarter hours counts the whole ones of a span: answers on both sides of …:00
    // and …:15, within one quarter hour, and before 1970 (whose quarters are rounded down, not toward zero).
    const times = [
      '1969-12-31T23:20:00.000Z',
      '1969-12-31T23:44:59.999Z',
      '1969-12-31T23:50:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2026-03-01T09:59:59.999Z',
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:07:30.000Z',
      '2026-03-01T10:14:59.999Z',
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T11:00:00.001Z',
    ];
    for (const [index, reviewedAt] of times.entries()) {
      await client.review(words[index % 2].id, index % 3 === 0, { reviewedAt }).expect(201);
    }
    const bounds = [
      undefined,
      ...times,
      '1969-12-31T23:15:00.000Z',
      '1969-12-31T23:30:00.001Z',
      '1970-01-01T00:00:00.000Z',
      '1970-01-01T00:20:00.000Z',
      '2026-03-01T09:45:00.000Z',
      '2026-03-01T10:00:00.001Z',
      '2026-03-01T10:15:00.001Z',
      '2026-03-01T10:59:59.999Z',
    ];
    for (const since of bounds) {
      for (const until of bounds) {
        if (since && until && until < since) continue;
        const query = [since && `since=${since}`, until && `until=${until}`].filter(Boolean).join('&');
        const { items, pagination } = (await client.get(`/reviews?per_page=500&${query}`).expect(200)).body;
        expect({ query, total: pagination.total_items }).toEqual({ query, total: items.length });
      }
    }
    for (const query of [`since=${at[0]}`, `until=${at[2]}`, `since=1969-12-31T23:00:00Z&until=${at[2]}`]) {
      const statements = await statementsDuring(() => client.get(`/reviews?${query}`).expect(200));
      expect({ query, summed: statements.filter((statement) => statement.includes('answer_quarter_hours')) }).toEqual({
        query,
        summed: [expect.any(String)],
      });
    }
    // A span from 1969 sums the summary from its first whole quarter hour, 1969-12-31T23:45Z (quarter -1).
    const queries = await queriesDuring(() => client.get('/reviews?since=1969-12-31T23:30:00.001Z').expect(200));
    expect(queries.filter((query) => query.sql.includes('answer_quarter_hours')).map((query) => query.params)).toEqual([
      [-1],
    ]);
  });

  it('answers an empty page for a word without history, even one that does not exist', async () => {
    expect((await client.get(`/reviews?word_id=${stranger.id}`).expect(200)).body.items).toEqual([]);
    for (const id of [999_999, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect((await client.get(`/reviews?word_id=${id}`).expect(200)).body).toEqual({
        items: [],
        pagination: { current_page: 1, total_pages: 0, total_items: 0, items_per_page: 100 },
      });
    }
  });

  itRejectsQuery(t, '/reviews', {
    correct: ['yes', '1'],
    word_id: ['0', '1e0', '01'],
    since: ['2026-02-01'],
    until: ['2026-02-01T10:00:00'],
    per_page: ['501'],
  });
});

describe('Idempotency-Key', () => {
  /** Whether openapi.json's schema of the header, on every endpoint that takes it, admits `key`. */
  function documented(key: string): boolean {
    type Parameter = { name: string; in: string; schema: { minLength: number; maxLength: number; pattern: string } };
    const document = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8'));
    const schemas = Object.values(document.paths as Record<string, Record<string, { parameters?: Parameter[] }>>)
      .flatMap((operations) => Object.values(operations))
      .flatMap((operation) => operation.parameters ?? [])
      .filter((parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key')
      .map((parameter) => parameter.schema);
    expect(schemas).toHaveLength(4);
    const admitted = schemas.map(
      ({ minLength, maxLength, pattern }) =>
        key.length >= minLength && key.length <= maxLength && new RegExp(pattern, 'u').test(key),
    );
    expect(new Set(admitted).size).toBe(1);
    return admitted[0];
  }

  it('returns the first response to a retry with the same key and body, and records nothing new', async () => {
    const first = await client.review(words[0].id, true, { key: 'review-1' }).expect(201);
    const retry = await client.review(words[0].id, true, { key: 'review-1' });
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: first.body });

    const inSession = await client.answer(session.id, words[1].id, false, { key: 'answer-1' }).expect(201);
    const sessionRetry = await client.answer(session.id, words[1].id, false, { key: 'answer-1' });
    expect({ status: sessionRetry.status, body: sessionRetry.body }).toEqual({ status: 201, body: inSession.body });

    expect(await recordedState(t)).toEqual({ reviews: 2, activities: 1, correct: 1, wrong: 1 });
    expect((await client.reviews()).total).toBe(2);
    expect(await client.getSession(session.id)).toMatchObject({ review_items_count: 1, wrong_count: 1 });
  });

  it('treats the same fields in another order as the same body', async () => {
    const reviewedAt = past(1000);
    const first = await client
      .post('/reviews', { word_id: words[0].id, correct: true, reviewed_at: reviewedAt })
      .set('Idempotency-Key', 'reordered')
      .expect(201);
    const retry = await client
      .post('/reviews', { reviewed_at: reviewedAt, correct: true, word_id: words[0].id })
      .set('Idempotency-Key', 'reordered');
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: first.body });
    expect((await client.reviews()).total).toBe(1);
  });

  it('treats one instant written two ways as the same body', async () => {
    const first = await client
      .post('/reviews', { word_id: words[0].id, correct: true, reviewed_at: '2026-01-15T16:15:00+07:00' })
      .set('Idempotency-Key', 'instant')
      .expect(201);
    const retry = await client
      .post('/reviews', { word_id: words[0].id, correct: true, reviewed_at: '2026-01-15T09:15:00.000Z' })
      .set('Idempotency-Key', 'instant');
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: first.body });
    expect((await client.reviews()).total).toBe(1);
  });

  it('answers 422 to the same key with a different body, and records nothing', async () => {
    await client.review(words[0].id, true, { key: 'k' }).expect(201);
    await client.answer(session.id, words[0].id, true, { key: 'k' }).expect(201);
    await expectNothingRecorded(async () => {
      expectProblem(await client.review(words[0].id, false, { key: 'k' }), 422);
      expectProblem(await client.review(words[1].id, true, { key: 'k' }), 422);
      expectProblem(await client.review(words[0].id, true, { key: 'k', reviewedAt: past(1000) }), 422);
      expectProblem(await client.answer(session.id, words[1].id, true, { key: 'k' }), 422);
    });
  });

  it('answers 409 while the first request with the key is still running, and records nothing', async () => {
    await client.review(words[0].id, true, { key: 'done' }).expect(201);
    // A request with the same body that has claimed its key but not finished: a row without a response.
    const [{ fingerprint }] = await sql<{ fingerprint: string }>(t, 'select fingerprint from idempotency_keys');
    const em = t.orm.em.fork();
    em.create(IdempotencyKey, { endpoint: 'POST /reviews', key: 'running', fingerprint, createdAt: new Date() });
    await em.flush();

    await expectNothingRecorded(async () => {
      expectProblem(await client.review(words[0].id, true, { key: 'running' }), 409);
      expectProblem(await client.review(words[0].id, true, { key: 'running' }), 409);
    });
    // The running request keeps its claim.
    expect(await countRows(t, 'idempotency_keys', 'key = ? and response is null', ['running'])).toBe(1);
  });

  it('answers a retry sent while the first request is recording its answer with 409, another body with 422', async () => {
    // They are sent once the first request is inside its write, which then goes on (or waits for them).
    const follow = CardsService.prototype.follow;
    let sent: Promise<Response[]> | undefined;
    jest.spyOn(CardsService.prototype, 'follow').mockImplementation(async function (this: CardsService, ...args) {
      sent ??= Promise.all([
        Promise.resolve(client.review(words[0].id, true, { key: 'slow' })),
        Promise.resolve(client.review(words[0].id, false, { key: 'slow' })),
      ]);
      await Promise.race([sent, new Promise((resolve) => setTimeout(resolve, 500))]);
      return follow.apply(this, args);
    });
    let first: Response;
    try {
      first = await client.review(words[0].id, true, { key: 'slow' });
    } finally {
      jest.restoreAllMocks();
    }
    expect(first.status).toBe(201);
    const [retry, other] = await sent!;
    expect(expectProblem(retry, 409).detail).toBe('A request with this Idempotency-Key is still being processed');
    expectProblem(other, 422);
    expect((await client.review(words[0].id, true, { key: 'slow' }).expect(201)).body).toEqual(first.body);
    expect(await recordedState(t)).toEqual({ reviews: 1, activities: 0, correct: 1, wrong: 0 });
  });

  it('takes over a key left without a response for ten minutes (a server stopped mid-request), not before', async () => {
    await client.review(words[0].id, true, { key: 'done' }).expect(201);
    const [{ fingerprint }] = await sql<{ fingerprint: string }>(t, 'select fingerprint from idempotency_keys');
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    const em = t.orm.em.fork();
    for (const [key, claimedMsAgo] of [
      ['abandoned', 10 * 60 * 1000],
      ['running', 10 * 60 * 1000 - 1],
    ] as const) {
      em.create(IdempotencyKey, {
        endpoint: 'POST /reviews',
        key,
        fingerprint,
        createdAt: new Date(now - claimedMsAgo),
      });
    }
    await em.flush();

    stopClockAt(now);
    try {
      expectProblem(await client.review(words[0].id, true, { key: 'running' }), 409);
      const first = await client.review(words[0].id, true, { key: 'abandoned' }).expect(201);
      const retry = await client.review(words[0].id, true, { key: 'abandoned' }).expect(201);
      expect(retry.body).toEqual(first.body);
    } finally {
      jest.useRealTimers();
    }
    expect(await recordedState(t)).toEqual({ reviews: 2, activities: 0, correct: 2, wrong: 0 });
  });

  it('records one answer for concurrent requests with the same key', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => client.review(words[0].id, true, { key: 'burst' })),
    );
    const created = responses.filter((response) => response.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const response of responses.filter((r) => r.status !== 201)) {
      expectProblem(response, 409);
    }
    expect(new Set(created.map((response) => JSON.stringify(response.body))).size).toBe(1);
    expect(await recordedState(t)).toEqual({ reviews: 1, activities: 0, correct: 1, wrong: 0 });
  });

  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['empty', ''],
    ['non-ASCII', 'clé'],
    ['a control character', 'a\tb'],
  ])('answers 400 to a key that is %s, which the document refuses too, and records nothing', async (_, key) => {
    expect(documented(key)).toBe(false);
    await expectNothingRecorded(async () => {
      expectInvalid(await client.review(words[0].id, true, { key }), 'Idempotency-Key');
      expectInvalid(await client.answer(session.id, words[0].id, true, { key }), 'Idempotency-Key');
    });
  });

  it('answers 400 to a key sent twice, which Node would join into one neither named, and records nothing', async () => {
    await expectNothingRecorded(async () => {
      const answers = [
        ['/reviews', { word_id: words[0].id, correct: true }],
        [`/study_sessions/${session.id}/words/${words[0].id}/review`, { correct: true }],
      ] as const;
      for (const [path, body] of answers) {
        const twice = client.post(path, body).set('Idempotency-Key', ['dup', 'dup2'] as unknown as string);
        expect(expectInvalid(await twice, 'Idempotency-Key').errors).toEqual([
          { field: 'Idempotency-Key', message: 'is given more than once' },
        ]);
      }
    });
  });

  it('takes a key of 255 printable ASCII characters', async () => {
    const key = '! "#$%&\'()*+,-./0123456789:;<=>?@[\\]^_`{|}~'.padEnd(255, 'Zz');
    expect(key).toHaveLength(255);
    expect(documented(key)).toBe(true);
    const first = await client.review(words[0].id, true, { key }).expect(201);
    expect((await client.review(words[0].id, true, { key }).expect(201)).body).toEqual(first.body);
    expect((await client.reviews()).total).toBe(1);
  });

  it('reads a key without the spaces around it, as HTTP drops them: the document allows none there', async () => {
    expect([' spaced', 'spaced ', ' ', 'in between'].map(documented)).toEqual([false, false, false, true]);
    const first = await client.review(words[0].id, true, { key: ' spaced ' }).expect(201);
    expect((await client.review(words[0].id, true, { key: 'spaced' }).expect(201)).body).toEqual(first.body);
    expect((await client.reviews()).total).toBe(1);
  });

  it('scopes a key to its endpoint', async () => {
    await client.review(words[0].id, true, { key: 'shared' }).expect(201);
    const inSession = await client.answer(session.id, words[0].id, true, { key: 'shared' }).expect(201);
    expect(inSession.body.study_session_id).toBe(session.id);
    expect(await recordedState(t)).toEqual({ reviews: 2, activities: 1, correct: 2, wrong: 0 });
  });

  it('scopes a key to its endpoint also while a request of the other endpoint with it is recording its answer', async () => {
    // The answer in the session is sent from here once the review is inside its write, which then waits a moment: sent
    // from inside that write, it would run in the write's async context and find its transaction.
    let writing!: () => void;
    const inWrite = new Promise<void>((resolve) => (writing = resolve));
    const follow = CardsService.prototype.follow;
    jest.spyOn(CardsService.prototype, 'follow').mockImplementationOnce(async function (this: CardsService, ...args) {
      writing();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return follow.apply(this, args);
    });
    try {
      const reviewing = Promise.resolve(client.review(words[0].id, true, { key: 'both' }));
      await inWrite;
      const inSession = Promise.resolve(client.answer(session.id, words[0].id, true, { key: 'both' }));
      expect((await reviewing).status).toBe(201);
      expect((await inSession).status).toBe(201);
    } finally {
      jest.restoreAllMocks();
    }
    expect(await recordedState(t)).toEqual({ reviews: 2, activities: 1, correct: 2, wrong: 0 });
  });

  it('can be used again after a request with it failed', async () => {
    // Unknown word (422), then a valid answer with the same key.
    expectProblem(await client.review(999_999, true, { key: 'retry' }), 422);
    await client.review(words[0].id, true, { key: 'retry' }).expect(201);

    // A word not (yet) in the group (422): once it is added, the same request with the same key succeeds.
    expectProblem(await client.answer(session.id, stranger.id, false, { key: 'later' }), 422);
    await client.post(`/groups/${session.group_id}/words`, { word_ids: [stranger.id] }).expect(200);
    await client.answer(session.id, stranger.id, false, { key: 'later' }).expect(201);

    expect(await recordedState(t)).toEqual({ reviews: 2, activities: 1, correct: 1, wrong: 1 });
  });

  it('keeps a key for 24 hours', async () => {
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    const stored = (msAgo: number, key: string) => ({
      endpoint: 'POST /reviews',
      key,
      fingerprint: 'another request',
      response: { success: true },
      createdAt: new Date(now - msAgo),
    });
    const em = t.orm.em.fork();
    em.create(IdempotencyKey, stored(24 * 3_600_000, 'kept'));
    em.create(IdempotencyKey, stored(24 * 3_600_000 + 1, 'expired'));
    await em.flush();

    stopClockAt(now);
    try {
      await client.review(words[0].id, true, { key: 'expired' }).expect(201);
      expectProblem(await client.review(words[0].id, true, { key: 'kept' }), 422);
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers 409 to a keyed answer claimed before a full reset, without touching a claim made after it', async () => {
    // Ids restart at 1 with the reset: the keys claimed before and after it are both the claim with id 1.
    await client.post('/full_reset', { confirm: 'full_reset' }).expect(200);
    const methods = IdempotencyService.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = methods.claim;
    const claimed: (() => void)[] = [];
    const gates = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
    jest.spyOn(methods, 'claim').mockImplementation(async function (this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args);
      const gate = gates[claimed.length - 1];
      claimed.at(-1)!();
      await gate.promise;
      return result;
    });
    const until = () => new Promise<void>((resolve) => claimed.push(resolve));
    try {
      let before = until();
      const early = Promise.resolve(client.review(1, true, { key: 'before' }));
      await before;
      await client.post('/full_reset', { confirm: 'full_reset' }).expect(200);
      before = until();
      const late = Promise.resolve(client.review(2, false, { key: 'after' }));
      await before;
      gates[0].resolve();
      expectProblem(await early, 409);
      gates[1].resolve();
      expect((await late).status).toBe(201);
    } finally {
      gates.forEach((gate) => gate.resolve());
      jest.restoreAllMocks();
    }
    const retried = await client.review(2, false, { key: 'after' }).expect(201);
    expect(retried.body).toMatchObject({ word_id: 2, correct: false });
    expect((await client.reviews()).items).toEqual([expect.objectContaining({ word_id: 2, correct: false })]);
  });
});

describe('concurrent answers', () => {
  it('loses no update: 50 concurrent answers are 50 reviews and move the counters by exactly 50', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0 ? client.answer(session.id, words[0].id, i % 4 === 0) : client.review(words[0].id, i % 4 === 1),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));
    expect((await client.reviews()).total).toBe(50);
    expect(await recordedState(t)).toEqual({ reviews: 50, activities: 25, correct: 26, wrong: 24 });
    expect(await client.getWord(words[0].id)).toMatchObject({ correct_count: 26, wrong_count: 24 });
    expect(await client.getSession(session.id)).toMatchObject({ review_items_count: 25, correct_count: 13 });
  });
});

describe('an answer while its group or word is deleted, or the history reset', () => {
  type Method = (...args: never[]) => Promise<unknown>;

  /**
   * Sends `first`, and `second` once `first` has run `method` of `prototype` (its locks taken), before it goes on:
   * `second` finishes, or waits for `first`'s transaction (up to 500 ms, then `first` goes on). Neither may slip
   * between the other's checks and its write (on PostgreSQL a forced delete did: the answer's foreign keys
   * failed, a 500), nor deadlock with it.
   */
  async function interleaved<P extends object>(
    prototype: P,
    method: keyof P & string,
    first: () => Test,
    second: () => Test,
  ) {
    const methods = prototype as unknown as Record<string, Method>;
    const original = methods[method];
    let other: Promise<Response> | undefined;
    jest.spyOn(methods, method).mockImplementation(async function (this: unknown, ...args: never[]) {
      const result = await original.apply(this, args);
      other ??= Promise.resolve(second());
      await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 500))]);
      return result;
    });
    try {
      const done = await first();
      return [done, await other!] as const;
    } finally {
      jest.restoreAllMocks();
    }
  }

  const single = () => client.answer(session.id, words[0].id, true);
  const batch = () =>
    client.post(`/study_sessions/${session.id}/answers`, {
      answers: [
        { word_id: words[1].id, correct: false },
        { word_id: words[0].id, correct: true },
      ],
    });
  const deleteGroup = () => client.delete(`/groups/${session.group_id}?force=true`);

  it.each([
    ['one answer', single],
    ['a batch', batch],
  ])('%s is written before a forced delete of its group, which then deletes it too', async (_, answer) => {
    const [answered, deleted] = await interleaved(GroupsService.prototype, 'membersAmong', answer, deleteGroup);
    expect(answered.status).toBe(201);
    expect(deleted.status).toBe(204);
    expect(await recordedState(t)).toEqual({ reviews: 0, activities: 0, correct: 0, wrong: 0 });
    expect(await client.getWord(words[0].id)).toMatchObject({ correct_count: 0, wrong_count: 0 });
  });

  it.each([
    ['one answer', single],
    ['a batch', batch],
  ])(
    '%s sent while a forced delete of its group is under way waits for it, then finds no session',
    async (_, answer) => {
      const [deleted, answered] = await interleaved(GroupsService.prototype, 'lock', deleteGroup, answer);
      expect(deleted.status).toBe(204);
      expect(answered.status).toBe(404);
      expect(await recordedState(t)).toEqual({ reviews: 0, activities: 0, correct: 0, wrong: 0 });
    },
  );

  it('an answer outside a session to a word that left the group is written before a forced delete of the group', async () => {
    // The group's answers name the word, which is no longer one of its members, after another word.
    await client.answerInOrder(session.id, [
      [words[0], true],
      [words[1], true],
    ]);
    await client.delete(`/groups/${session.group_id}/words/${words[1].id}`).expect(204);
    const [answered, deleted] = await interleaved(
      CardsService.prototype,
      'follow',
      () => client.review(words[1].id, false),
      deleteGroup,
    );
    expect(answered.status).toBe(201);
    expect(deleted.status).toBe(204);
    expect(await client.getWord(words[1].id)).toMatchObject({ correct_count: 0, wrong_count: 1 });
    expect(await recordedState(t)).toEqual({ reviews: 1, activities: 0, correct: 0, wrong: 1 });
  });

  it('a history reset sent while a forced delete of a group without members is under way waits for it', async () => {
    await client.answerInOrder(session.id, [[words[0], true]]);
    for (const word of words) {
      await client.delete(`/groups/${session.group_id}/words/${word.id}`).expect(204);
    }
    const [deleted, reset] = await interleaved(GroupsService.prototype, 'lock', deleteGroup, () =>
      client.post('/reset_history', { confirm: 'reset_history' }),
    );
    expect(deleted.status).toBe(204);
    expect(reset.status).toBe(200);
    expect(await recordedState(t)).toEqual({ reviews: 0, activities: 0, correct: 0, wrong: 0 });
  });

  it.each([
    ['one answer', single],
    ['a batch', batch],
  ])('%s is written before a forced delete of its word, which then deletes it too', async (_, answer) => {
    const [answered, deleted] = await interleaved(GroupsService.prototype, 'membersAmong', answer, () =>
      client.delete(`/words/${words[0].id}?force=true`),
    );
    expect(answered.status).toBe(201);
    expect(deleted.status).toBe(204);
    expect((await client.reviews()).items.map((review) => review.word_id)).not.toContain(words[0].id);
    expect(await client.getSession(session.id)).toMatchObject({
      review_items_count: (await client.reviews()).total,
    });
  });
});

describe('answers racing forced deletes', () => {
  /** Answers of the session to these words, one at a time and in batches, in an order that changes by round. */
  const answersTo = (sessionId: number, ids: number[], round: number): Test[] =>
    Array.from({ length: 16 }, (_, i) => {
      const wordId = ids[(i + round) % ids.length];
      return i % 2 === 0
        ? client.answer(sessionId, wordId, i % 4 === 0)
        : client.post(`/study_sessions/${sessionId}/answers`, {
            answers: [
              { word_id: wordId, correct: true },
              { word_id: ids[(i + round + 1) % ids.length], correct: false },
            ],
          });
    });

  /**
   * A round: a group of 3 words with a session, its answers sent with `remove(fixture)` (a forced delete) among
   * them, at a place that changes by round; the delete must answer 204. Answers the session and the answers' statuses.
   */
  async function race(round: number, remove: (fixture: { group: { id: number }; words: { id: number }[] }) => Test) {
    const fixture = await client.groupWithWords(`Race ${round}`, 3);
    const raced = await client.createSession(fixture.group.id);
    const requests = answersTo(
      raced.id,
      fixture.words.map((word) => word.id),
      round,
    );
    requests.splice(4 + round, 0, remove(fixture));
    const statuses = (await Promise.all(requests)).map((response) => response.status);
    expect(statuses.splice(4 + round, 1)).toEqual([204]);
    return { session: raced, statuses };
  }

  it('an answer sent with a forced delete of its group is recorded and deleted with it, or finds no session (404)', async () => {
    for (let round = 0; round < 5; round++) {
      const { statuses } = await race(round, ({ group }) => client.delete(`/groups/${group.id}?force=true`));
      expect(statuses.filter((status) => status !== 201 && status !== 404)).toEqual([]);
    }
    expect(await recordedState(t)).toEqual({ reviews: 0, activities: 0, correct: 0, wrong: 0 });
  });

  it('an answer sent with a forced delete of its word is recorded and deleted with it, or refused (404, 422)', async () => {
    for (let round = 0; round < 5; round++) {
      const { session: raced, statuses } = await race(round, ({ words: raceWords }) =>
        client.delete(`/words/${raceWords[round % 3].id}?force=true`),
      );
      expect(statuses.filter((status) => ![201, 404, 422].includes(status))).toEqual([]);
      expect((await client.getSession(raced.id)).review_items_count).toBe(
        (await client.reviews()).items.filter((review) => review.study_session_id === raced.id).length,
      );
    }
    await expectCountersMatchLog(client);
  });
});

describe('an answer whose transaction fails midway', () => {
  /**
   * Makes the counter update of answers (for one word, or any) fail: the last write of the answer's
   * transaction, after its study activity and review rows were written. On SQLite a temporary trigger calls
   * back into the test; on PostgreSQL a trigger raises for the chosen word and counts its failures in a
   * sequence (which no rollback takes back).
   */
  const fault =
    dialect.name === 'sqlite'
      ? (() => {
          const counterUpdates = { seen: (_wordId: number): void => undefined };
          return {
            install: async () => {
              const database = (t.orm.config.get('driverOptions') as SqliteConnection).database!;
              database.function('counter_update_seen', (wordId: unknown) => counterUpdates.seen(Number(wordId)));
              database.exec(`create temp trigger counter_update_seen before update of correct_count, wrong_count on words
                   begin select counter_update_seen(new.id); end`);
            },
            fail: async (wordId?: number) => {
              jest.spyOn(counterUpdates, 'seen').mockImplementation((updated) => {
                if (wordId === undefined || updated === wordId) {
                  failures += 1;
                  throw new Error('SQLITE_IOERR: simulated failure at /work/main/src/reviews/x.ts:1');
                }
              });
            },
            heal: async () => undefined,
            reset: async () => undefined,
            failures: async () => failures,
          };
        })()
      : (() => {
          /** The trigger function: raises for `failing` (the word's id; true for any word; false for none). */
          const define = (failing: string) =>
            sql(
              t,
              `create or replace function counter_update_seen() returns trigger language plpgsql as $$
               begin
                 if ${failing} then
                   perform nextval('counter_update_failures');
                   raise exception 'simulated failure at /work/main/src/reviews/x.ts:1';
                 end if;
                 return new;
               end $$`,
            );
          return {
            install: async () => {
              await sql(t, 'create sequence counter_update_failures minvalue 0');
              await define('false');
              await sql(
                t,
                `create trigger counter_update_seen before update of correct_count, wrong_count on words
                 for each row execute function counter_update_seen()`,
              );
            },
            fail: (wordId?: number) => define(wordId === undefined ? 'true' : `new.id = ${wordId}`),
            heal: () => define('false'),
            reset: () => sql(t, "select setval('counter_update_failures', 0)"),
            failures: async () => {
              const [{ n }] = await sql<{ n: number }>(t, 'select last_value as n from counter_update_failures');
              return n;
            },
          };
        })();
  let failures: number;
  beforeAll(() => fault.install());
  beforeEach(async () => {
    failures = 0;
    await fault.reset();
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await fault.heal();
  });

  it.each([
    ['in a session', () => client.answer(session.id, words[0].id, true)],
    ['outside a session', () => client.review(words[0].id, false)],
    ['with an Idempotency-Key', () => client.answer(session.id, words[0].id, true, { key: 'fails' })],
  ])('%s leaves nothing behind and answers a generic 500', async (_, send) => {
    await fault.fail();
    await expectNothingRecorded(async () => {
      const problem = expectProblem(await send(), 500);
      expect(problem.detail).not.toMatch(/simulated|update|SQLITE/i);
    });
    expect(await fault.failures()).toBe(1);
    expect(Logger.prototype.error).toHaveBeenCalled();
    expect(await countRows(t, 'study_activities')).toBe(0);
    expect(await countRows(t, 'words_review_items')).toBe(0);
    expect(await countRows(t, 'idempotency_keys')).toBe(0);

    // Once the fault is gone, the same request (and key) records the answer.
    jest.restoreAllMocks();
    await fault.heal();
    await send().expect(201);
    expect(await recordedState(t)).toMatchObject({ reviews: 1 });
  });

  it('does not take concurrent answers down with it', async () => {
    await fault.fail(words[1].id);
    const responses = await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        i === 10 ? client.answer(session.id, words[1].id, true) : client.answer(session.id, words[0].id, i % 2 === 0),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(
      Array.from({ length: 21 }, (_, i) => (i === 10 ? 500 : 201)),
    );
    expect(await fault.failures()).toBe(1);
    expect(await recordedState(t)).toEqual({ reviews: 20, activities: 20, correct: 10, wrong: 10 });
    expect(await client.getWord(words[0].id)).toMatchObject({ correct_count: 10, wrong_count: 10 });
    expect(await client.getWord(words[1].id)).toMatchObject({ correct_count: 0, wrong_count: 0 });
    expect((await client.reviews(`word_id=${words[1].id}`)).total).toBe(0);
  });
});

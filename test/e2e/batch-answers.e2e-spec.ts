import { clearDatabase, expectInvalid, expectProblem, sql, statementsDuring, type WordDetailBody } from '../api.js';
import { useTestApp } from '../app.js';
import { answerRecorded, expectCountersMatchLog, portal, recordedState, type SessionBody } from '../fixtures.js';

const t = useTestApp();
const client = portal(t);

let words: WordDetailBody[];
let session: SessionBody;
beforeEach(async () => {
  await clearDatabase(t);
  const pets = await client.groupWithWords('Pets', 4);
  words = pets.words;
  session = await client.createSession(pets.group.id);
});

const batch = (path: string, answers: unknown[], key?: string) => {
  const request = client.post(path, { answers });
  return key === undefined ? request : request.set('Idempotency-Key', key);
};
const inSession = () => `/study_sessions/${session.id}/answers`;

describe('POST /study_sessions/:id/answers', () => {
  it('records every answer in order, with its counters and the session’s totals', async () => {
    const at = new Date(Date.parse(session.start_time) + 1).toISOString();
    const response = await batch(inSession(), [
      { word_id: words[0].id, correct: true },
      { word_id: words[1].id, correct: false, reviewed_at: at },
      { word_id: words[0].id, correct: false },
    ]).expect(201);

    expect(response.body.answers).toEqual([
      answerRecorded({ word_id: words[0].id, study_session_id: session.id, correct: true }),
      answerRecorded({ word_id: words[1].id, study_session_id: session.id, correct: false, created_at: at }),
      answerRecorded({ word_id: words[0].id, study_session_id: session.id, correct: false }),
    ]);
    expect(await recordedState(t)).toEqual({ reviews: 3, activities: 3, correct: 1, wrong: 2 });
    expect(await client.getSession(session.id)).toMatchObject({
      review_items_count: 3,
      correct_count: 1,
      wrong_count: 2,
    });
    await expectCountersMatchLog(client);
  });

  it.each([
    [
      'a word outside the session’s group',
      () => ({ word_id: 999_999, correct: true }),
      /answers\[1\]: word_id refers to a word that does not exist/,
    ],
    [
      'an answer before the session started',
      () => ({ word_id: words[1].id, correct: true, reviewed_at: '2001-01-01T00:00:00Z' }),
      /answers\[1\]: reviewed_at/,
    ],
  ])('refuses %s with a 422 naming the answer, and records none', async (_, bad, detail) => {
    const response = await batch(inSession(), [
      { word_id: words[0].id, correct: true },
      bad(),
      { word_id: words[2].id, correct: false },
    ]);
    expect(expectProblem(response, 422).detail).toMatch(detail);
    expect(await recordedState(t)).toEqual({ reviews: 0, activities: 0, correct: 0, wrong: 0 });
  });

  it('takes each answer’s reviewed_at trimmed, as every string field', async () => {
    const at = new Date(Date.parse(session.start_time) + 1).toISOString();
    const response = await batch(inSession(), [{ word_id: words[0].id, correct: true, reviewed_at: ` ${at}\n` }]);
    expect(response.status).toBe(201);
    expect(response.body.answers).toEqual([
      answerRecorded({ word_id: words[0].id, study_session_id: session.id, correct: true, created_at: at }),
    ]);
  });

  it('refuses a word of another group with a 422 naming the answer', async () => {
    const other = await client.groupWithWords('Food', 1);
    const response = await batch(inSession(), [
      { word_id: words[0].id, correct: true },
      { word_id: other.words[0].id, correct: true },
    ]);
    expect(expectProblem(response, 422).detail).toMatch(/^answers\[1\]: word \d+ is not in group/);
    expect(await recordedState(t)).toMatchObject({ reviews: 0 });
  });

  it('names the first answer refused in the order given, whichever check refuses it', async () => {
    const other = await client.groupWithWords('Food', 1);
    const beforeStart = new Date(Date.parse(session.start_time) - 60_000).toISOString();
    const response = await batch(inSession(), [
      { word_id: words[0].id, correct: true },
      { word_id: words[1].id, correct: true, reviewed_at: beforeStart },
      { word_id: other.words[0].id, correct: true },
      { word_id: 424242, correct: true },
    ]);
    expect(expectProblem(response, 422).detail).toMatch(/^answers\[1\]: reviewed_at .* is before study session/);
    expect(await recordedState(t)).toMatchObject({ reviews: 0 });
  });

  it.each([
    ['no answers', []],
    ['501 answers', Array.from({ length: 501 }, () => ({ word_id: 1, correct: true }))],
  ])('400 for %s', async (_, answers) => {
    expectInvalid(await batch(inSession(), answers), 'answers');
    expect(await recordedState(t)).toMatchObject({ reviews: 0 });
  });

  it('400 naming the field of the bad answer, and records none', async () => {
    const response = await batch(inSession(), [
      { word_id: words[0].id, correct: true },
      { word_id: words[1].id, correct: 'yes' },
      { word_id: words[2].id, correct: true, colour: 'red' },
    ]);
    expectInvalid(response, 'answers.1.correct');
    expectInvalid(response, 'answers.2.colour');
    expect(await recordedState(t)).toMatchObject({ reviews: 0 });
  });

  it.each([
    ['an array', [[]]],
    ['an array of an answer', [[{ word_id: 1, correct: true }]]],
    ['null', [null]],
    ['text', ['x']],
  ])('400 naming an answer that is %s, not an object, and records none', async (_case, items) => {
    for (const path of [inSession(), '/reviews/batch']) {
      const answers = [{ word_id: words[0].id, correct: true }, ...items];
      expect(expectProblem(await batch(path, answers), 400).errors).toEqual([
        { field: 'answers.1', message: 'must be an object' },
      ]);
    }
    expect(await recordedState(t)).toMatchObject({ reviews: 0 });
  });

  it('404 for a session that does not exist', async () => {
    expectProblem(await batch('/study_sessions/999999/answers', [{ word_id: words[0].id, correct: true }]), 404);
  });

  it('honours Idempotency-Key: a retry returns the first response and records nothing; another body is a 422', async () => {
    const answers = [
      { word_id: words[0].id, correct: true },
      { word_id: words[1].id, correct: false },
    ];
    const first = await batch(inSession(), answers, 'flush-1').expect(201);
    const retry = await batch(inSession(), answers, 'flush-1').expect(201);
    expect(retry.body).toEqual(first.body);
    expect(await recordedState(t)).toMatchObject({ reviews: 2 });
    expectProblem(await batch(inSession(), answers.slice(0, 1), 'flush-1'), 422);
    // The same answers about other words are another body too.
    const swapped = answers.map((answer, index) => ({ ...answer, word_id: answers[1 - index].word_id }));
    expectProblem(await batch(inSession(), swapped, 'flush-1'), 422);
    expect(await recordedState(t)).toMatchObject({ reviews: 2 });
  });

  it('records concurrent batches that answer the same words in opposite orders', async () => {
    const forward = words.map((word) => ({ word_id: word.id, correct: true }));
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => batch(inSession(), i % 2 === 0 ? forward : [...forward].reverse())),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
    expect(await recordedState(t)).toEqual({ reviews: 48, activities: 48, correct: 48, wrong: 0 });
    await expectCountersMatchLog(client);
    // Each word's first answer, in twelve batches at once, is counted once: in the group and among the studied words.
    expect((await client.get(`/groups/${session.group_id}`).expect(200)).body.stats.studied_word_count).toBe(4);
    expect((await client.get('/dashboard/study_progress').expect(200)).body.total_words_studied).toBe(4);
  });

  it('records 500 answers in one request with a handful of SQL statements', async () => {
    const answers = Array.from({ length: 500 }, (_, i) => ({ word_id: words[i % 4].id, correct: i % 3 === 0 }));
    let response: { status: number } | undefined;
    const statements = await statementsDuring(async () => {
      response = await batch(inSession(), answers);
    });
    expect(response?.status).toBe(201);
    expect(statements.length).toBeLessThanOrEqual(15);
    // One insert each into the study activities, the log and the cards, whatever the number of answers.
    expect(statements.filter((statement) => /^\s*insert\b/i.test(statement))).toHaveLength(3);
    expect(await client.getSession(session.id)).toMatchObject({ review_items_count: 500, correct_count: 167 });
    await expectCountersMatchLog(client);
  });
});

describe('POST /reviews/batch', () => {
  it('records answers outside any session', async () => {
    const response = await batch('/reviews/batch', [
      { word_id: words[2].id, correct: true },
      { word_id: words[3].id, correct: true },
    ]).expect(201);
    expect(response.body.answers.map((answer: { study_session_id: null }) => answer.study_session_id)).toEqual([
      null,
      null,
    ]);
    expect(await recordedState(t)).toEqual({ reviews: 2, activities: 0, correct: 2, wrong: 0 });
    await expectCountersMatchLog(client);
  });

  it('refuses a word that does not exist with a 422 naming the answer, and records none', async () => {
    const response = await batch('/reviews/batch', [
      { word_id: words[0].id, correct: true },
      { word_id: words[1].id, correct: true },
      { word_id: 424242, correct: false },
    ]);
    expect(expectProblem(response, 422).detail).toBe(
      'answers[2]: word_id refers to a word that does not exist: 424242',
    );
    expect(await sql(t, 'select count(*) as n from words_review_items')).toEqual([{ n: 0 }]);
    expect(await client.getWord(words[0].id)).toMatchObject({ correct_count: 0 });
  });
});

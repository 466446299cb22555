import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { jest } from '@jest/globals';
import { EntityManager } from '@mikro-orm/core';
import request from 'supertest';
import { WORKER_SLOT } from '../../src/config.js';
import { asInteger, dialect, instantOf } from '../../src/database/dialect.js';
import { XapiActivity, XapiDocument } from '../../src/xapi/document.entity.js';
import { XapiStatement } from '../../src/xapi/statement.entity.js';
import { XapiService } from '../../src/xapi/xapi.service.js';
import { API, countRows, expectProblem, ISO_MS, sql, type WordDetailBody } from '../api.js';
import { closeTestApp, createTestApp, stopClockAt, type TestApp, useEmptyTestApp } from '../app.js';
import { portal } from '../fixtures.js';

const KEY = 'lrs-client';
const SECRET = 'xapi-test-secret-0123456789';
const PUBLIC_URL = 'http://portal.test';
const t = useEmptyTestApp({ XAPI_KEY: KEY, XAPI_SECRET: SECRET, PUBLIC_URL });
const client = portal(t);

const XAPI_TABLES = [
  'xapi_statement_agents',
  'xapi_statement_activities',
  'xapi_statements',
  'xapi_attachments',
  'xapi_documents',
  'xapi_activities',
];
beforeEach(async () => {
  for (const table of XAPI_TABLES) await sql(t, `delete from ${table}`);
});

const BASIC = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;

/** A request to /xapi with the credentials and the version header (1.0.3 unless said). */
const xapi = (method: 'get' | 'post' | 'put' | 'delete' | 'head', path: string, version = '1.0.3') =>
  request(t.http)[method](`/xapi${path}`).set('Authorization', BASIC).set('X-Experience-API-Version', version);

const wordIri = (id: number) => `${PUBLIC_URL}/api/v1/words/${id}`;
const ANSWERED = 'http://adlnet.gov/expapi/verbs/answered';
const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const LEARNER = { objectType: 'Agent', mbox: 'mailto:learner@school.example' };

/** A statement of the learner about an app's activity (no word of the portal), with `more` of its fields. */
const aboutActivity = (more: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  actor: LEARNER,
  verb: { id: ANSWERED },
  object: { id: 'http://apps.example/a' },
  ...more,
});

function answerAbout(wordId: number, success: boolean, timestamp = '2026-11-20T09:15:00.000Z') {
  return {
    id: randomUUID(),
    actor: LEARNER,
    verb: { id: ANSWERED, display: { 'en-US': 'answered' } },
    object: { id: wordIri(wordId), definition: { name: { 'en-US': 'a word' } } },
    result: { success },
    timestamp,
  };
}

/**
 * Sends `store` (a request that stores statements) and, once its statements are written and before they commit, each
 * of `meanwhile` in turn, each waited for (or for 500 ms, where it waits for the commit); the answers of all.
 */
async function whileStoring(
  store: () => PromiseLike<request.Response>,
  ...meanwhile: (() => PromiseLike<request.Response>)[]
): Promise<request.Response[]> {
  const prototype = XapiService.prototype as unknown as { learnActivities: (...args: unknown[]) => Promise<void> };
  const learnActivities = prototype.learnActivities;
  let sent: Promise<request.Response>[] | undefined;
  jest.spyOn(prototype, 'learnActivities').mockImplementation(async function (this: XapiService, ...args) {
    if (!sent) {
      sent = [];
      for (const send of meanwhile) {
        sent.push(Promise.resolve(send()));
        await Promise.race([sent.at(-1), new Promise((resolve) => setTimeout(resolve, 500))]);
      }
    }
    return learnActivities.apply(this, args);
  });
  let stored: request.Response;
  try {
    stored = await store();
  } finally {
    jest.restoreAllMocks();
  }
  return [stored, ...(await Promise.all(sent ?? []))];
}

/** A word's answers as stored, with `correct` as 0 or 1 and `reviewed_at` in epoch ms on every database. */
const reviewsOf = async (wordId: number) =>
  (
    await sql<{ correct: number; reviewed_at: number | string }>(
      t,
      `select ${asInteger('correct')} as correct, reviewed_at from words_review_items where word_id = ? order by id`,
      [wordId],
    )
  ).map((row) => ({ correct: row.correct, reviewed_at: instantOf(row.reviewed_at)!.getTime() }));
const cardOf = async (wordId: number) =>
  (await sql<{ reps: number }>(t, 'select reps from cards where word_id = ?', [wordId]))[0];

// One of the two without the other is refused at start-up (test/unit/config.spec.ts).
describe('/xapi while XAPI_KEY and XAPI_SECRET are unset', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await createTestApp({ XAPI_KEY: undefined, XAPI_SECRET: undefined });
  });
  afterAll(() => closeTestApp(bare));

  it('answers 404 to everything, credentials or not: a default install exposes nothing new', async () => {
    expectProblem(await request(bare.http).get('/xapi/about'), 404);
    expectProblem(
      await request(bare.http)
        .get('/xapi/statements')
        .set('Authorization', BASIC)
        .set('X-Experience-API-Version', '1.0.3'),
      404,
    );
    expectProblem(
      await request(bare.http).post('/xapi/statements').set('Content-Type', 'application/json').send('{}'),
      404,
    );
  });
});

describe('credentials', () => {
  it('GET /xapi/about needs none, and names the versions', async () => {
    const response = await request(t.http).get('/xapi/about').expect(200);
    expect(response.body).toEqual({ version: ['2.0.0', '1.0.3'], extensions: {} });
  });

  it('the Statements resource needs HTTP Basic with XAPI_KEY and XAPI_SECRET: 401 without or wrong', async () => {
    const none = await request(t.http).get('/xapi/statements').set('X-Experience-API-Version', '1.0.3');
    expectProblem(none, 401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="xAPI"/);
    for (const [key, secret] of [
      [KEY, `${SECRET}x`],
      [`${KEY}x`, SECRET],
      [KEY, ''],
      ['', ''],
    ]) {
      const wrong = await request(t.http)
        .post('/xapi/statements')
        .set('Authorization', `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`)
        .set('X-Experience-API-Version', '1.0.3')
        .send(answerAbout(1, true));
      expectProblem(wrong, 401);
    }
    expectProblem(await request(t.http).get('/xapi/statements').set('Authorization', 'Bearer x'), 401);
    expect(await countRows(t, 'xapi_statements')).toBe(0);
    await xapi('get', '/statements').expect(200);
  });

  it('takes the Basic scheme in any case, after any spaces, and nothing after the credentials', async () => {
    const credentials = Buffer.from(`${KEY}:${SECRET}`).toString('base64');
    for (const authorization of [`basic ${credentials}`, `BASIC  ${credentials}`, `Basic ${credentials} `]) {
      await xapi('get', '/statements').set('Authorization', authorization).expect(200);
    }
    for (const authorization of [`Basic ${credentials} ${credentials}`, `NotBasic ${credentials}`]) {
      expectProblem(await xapi('get', '/statements').set('Authorization', authorization), 401);
    }
  });

  it('takes a secret with ":" in it (the key has none: the first ":" ends it)', async () => {
    const secret = 'xapi:secret:0123456789';
    const colons = await createTestApp({ XAPI_KEY: KEY, XAPI_SECRET: secret });
    try {
      await request(colons.http)
        .get('/xapi/statements')
        .set('Authorization', `Basic ${Buffer.from(`${KEY}:${secret}`).toString('base64')}`)
        .set('X-Experience-API-Version', '1.0.3')
        .expect(200);
    } finally {
      await closeTestApp(colons);
    }
  });

  it('needs X-Experience-API-Version 1.0.x or 2.0.x (400), and answers with the version it speaks', async () => {
    expectProblem(await request(t.http).get('/xapi/statements').set('Authorization', BASIC), 400);
    expectProblem(await xapi('get', '/statements', '0.95'), 400);
    expect((await xapi('get', '/statements', '2.0.0').expect(200)).headers['x-experience-api-version']).toBe('2.0.0');
    const response = await xapi('get', '/statements').expect(200);
    expect(response.headers['x-experience-api-version']).toBe('1.0.3');
    expect(Date.parse(response.headers['x-experience-api-consistent-through'])).not.toBeNaN();
  });

  it.each([
    ['2.0', '2.0.0'],
    ['2.0.5', '2.0.0'],
    ['1.0', '1.0.3'],
    ['1.0.0', '1.0.3'],
    ['1.0.10', '1.0.3'],
  ])('X-Experience-API-Version %s is answered as %s', async (asked, spoken) => {
    const response = await xapi('get', '/statements', asked).expect(200);
    expect(response.headers['x-experience-api-version']).toBe(spoken);
  });

  it.each(['2.0.0x', 'x2.0.0', '2.1.0', '1.1.0', '1.0.3.', '1.0.x'])(
    'X-Experience-API-Version %s is a 400 naming it, answered in 2.0.0',
    async (asked) => {
      const response = await xapi('get', '/statements', asked);
      expect(expectProblem(response, 400).detail).toBe(
        `X-Experience-API-Version ${asked} is not supported: use 1.0.3 or 2.0.0`,
      );
      expect(response.headers['x-experience-api-version']).toBe('2.0.0');
    },
  );

  it('a request without X-Experience-API-Version is a 400 saying it is required, answered in 2.0.0', async () => {
    const response = await request(t.http).get('/xapi/statements').set('Authorization', BASIC);
    expect(expectProblem(response, 400).detail).toBe('The X-Experience-API-Version header is required');
    expect(response.headers['x-experience-api-version']).toBe('2.0.0');
  });

  it('the rest of the portal stays login-free', async () => {
    await client.get('/words').expect(200);
  });
});

describe('statements about the portal’s words feed its record', () => {
  let word: WordDetailBody;
  beforeEach(async () => {
    word = await client.createWord({ thai: 'แมว', english: 'cat' });
  });

  it('records a statement with result.success as the word’s answer, at its timestamp, card and counters', async () => {
    const statement = answerAbout(word.id, true);
    await xapi('post', '/statements').send(statement).expect(200, [statement.id]);
    expect(await reviewsOf(word.id)).toEqual([{ correct: 1, reviewed_at: Date.parse(statement.timestamp) }]);
    const { body } = await client.get(`/words/${word.id}`).expect(200);
    expect(body).toMatchObject({ correct_count: 1, wrong_count: 0, last_reviewed_at: statement.timestamp });
    expect(await cardOf(word.id)).toMatchObject({ reps: 1 });
  });

  it('refuses a statement whose bytes are not UTF-8 (400), recording nothing', async () => {
    const json = JSON.stringify({
      ...answerAbout(word.id, true),
      context: { extensions: { 'http://x.example/n': 'é' } },
    });
    const latin1 = Buffer.from(json, 'latin1');
    const response = await xapi('post', '/statements')
      .set('Content-Type', 'application/json')
      .serialize(((data: Buffer) => data) as unknown as (body: unknown) => string)
      .send(latin1);
    expect(expectProblem(response, 400).detail).toBe('The body is not UTF-8');
    expect(await reviewsOf(word.id)).toEqual([]);
  });

  it('records once when the same statement is posted twice, put, or sent again in a batch', async () => {
    const statement = answerAbout(word.id, false);
    await xapi('post', '/statements').send(statement).expect(200);
    await xapi('post', '/statements').send(statement).expect(200, [statement.id]);
    await xapi('put', `/statements?statementId=${statement.id}`).send(statement).expect(204);
    await xapi('post', '/statements')
      .send([statement, answerAbout(word.id, true)])
      .expect(200);
    expect((await reviewsOf(word.id)).map((review) => review.correct)).toEqual([0, 1]);
    const { body } = await client.get(`/words/${word.id}`).expect(200);
    expect(body).toMatchObject({ correct_count: 1, wrong_count: 1 });
    expect(await cardOf(word.id)).toMatchObject({ reps: 2 });
  });

  it('a batch holding one id twice, however its letters are cased, is a 400, and records nothing', async () => {
    const statement = answerAbout(word.id, true);
    const again = { ...answerAbout(word.id, false), id: statement.id.toUpperCase() };
    const problem = expectProblem(await xapi('post', '/statements').send([statement, again]), 400);
    expect(problem.detail).toBe('The batch holds two statements with the same id');
    expect(await reviewsOf(word.id)).toEqual([]);
  });

  it('a different statement under a stored id is a 409, and records nothing', async () => {
    const statement = answerAbout(word.id, true);
    await xapi('post', '/statements').send(statement).expect(200);
    expectProblem(await xapi('post', '/statements').send({ ...statement, result: { success: false } }), 409);
    expect(await reviewsOf(word.id)).toHaveLength(1);
  });

  it.each([
    [
      'an activity’s definition',
      { object: { id: 'http://apps.example/q', definition: { name: { 'en-US': 'a\u0000b' } } } },
    ],
    ['a lone surrogate', { object: { id: 'http://apps.example/q', definition: { name: { 'en-US': 'a\ud800' } } } }],
    ['a verb', { verb: { id: 'http://apps.example/v\u0000' } }],
    ['an actor', { actor: { mbox: 'mailto:a\u0000@school.example' } }],
    ['a response', { result: { success: true, response: 'x\u0000y' } }],
  ])('refuses a statement with text the database cannot store in %s (400), storing nothing', async (_where, part) => {
    const response = await xapi('post', '/statements').send([
      answerAbout(word.id, true),
      { ...answerAbout(word.id, true), ...part },
    ]);
    expect(expectProblem(response, 400).detail).toMatch(
      /^1\..* must not contain U\+0000 or unpaired surrogate code points$/,
    );
    expect(await countRows(t, 'xapi_statements')).toBe(0);
    expect(await countRows(t, 'xapi_activities')).toBe(0);
    expect(await reviewsOf(word.id)).toEqual([]);
  });

  it('records a 2.0.0 timestamp without an offset as UTC, whatever the server’s time zone', async () => {
    // The suite runs in Asia/Bangkok (test/global-setup.mjs).
    expect(new Date(0).getTimezoneOffset()).toBe(-420);
    const statement = { ...answerAbout(word.id, true), timestamp: '2026-01-15T10:00:00' };
    await xapi('post', '/statements', '2.0.0').send(statement).expect(200);
    expect(await reviewsOf(word.id)).toEqual([{ correct: 1, reviewed_at: Date.parse('2026-01-15T10:00:00Z') }]);
    // Sent without a version, in the version the client speaks.
    const stored = await xapi('get', `/statements?statementId=${statement.id}`, '2.0.0').expect(200);
    expect(stored.body.version).toBe('2.0.0');
    await xapi('post', '/statements', '2.0.0').send(statement).expect(200);
    expect(await countRows(t, 'xapi_statements')).toBe(1);
  });

  it('records a statement timestamped before the year 100 at its timestamp, and finds it since then', async () => {
    // Date.UTC, which checked timestamps before, reads the year 0050 as 1950.
    const statement = answerAbout(word.id, true, '0050-06-01T00:00:00.000Z');
    await xapi('post', '/statements').send(statement).expect(200);
    expect(await reviewsOf(word.id)).toEqual([{ correct: 1, reviewed_at: Date.parse(statement.timestamp) }]);
    const { body } = await xapi('get', '/statements?since=0050-05-31T23:59:59Z').expect(200);
    expect(body.statements.map((stored: { id: string }) => stored.id)).toEqual([statement.id]);
  });

  it.each(['2026-01-15T17:00:00+07', '2026-01-15T17:00:00+0700', '2026-01-15T17:00:00+07:00'])(
    'records a statement timestamped %s, an offset ISO 8601 writes in hours, or hours and minutes, at its instant',
    async (timestamp) => {
      await xapi('post', '/statements')
        .send(answerAbout(word.id, true, timestamp))
        .expect(200);
      expect(await reviewsOf(word.id)).toEqual([{ correct: 1, reviewed_at: Date.parse('2026-01-15T10:00:00Z') }]);
      const { body } = await xapi('get', `/statements?since=${encodeURIComponent('2026-01-15T16:59:59+07')}`).expect(
        200,
      );
      expect(body.statements).toHaveLength(1);
    },
  );

  it.each(['2026-02-30T10:00:00Z', '2026-01-01T10:00:00+24:00', '0000-12-31T10:00:00Z', '2026-01-01T10:00:00-00:00'])(
    'refuses a statement timestamped %s, a date or an offset that does not exist (400), recording nothing',
    async (timestamp) => {
      const response = await xapi('post', '/statements').send(answerAbout(word.id, true, timestamp));
      expect(expectProblem(response, 400).detail).toMatch(/timestamp/);
      expect(await countRows(t, 'xapi_statements')).toBe(0);
      expect(await reviewsOf(word.id)).toEqual([]);
    },
  );

  it('an invalid statement in a batch is a 400: nothing is stored, nothing recorded', async () => {
    const bad = { ...answerAbout(word.id, true), verb: { id: 'not an iri' } };
    const problem = expectProblem(await xapi('post', '/statements').send([answerAbout(word.id, true), bad]), 400);
    expect(problem.detail).toBe('[1].verb.id: must be an absolute IRI');
    expect(await countRows(t, 'xapi_statements')).toBe(0);
    expect(await reviewsOf(word.id)).toEqual([]);
  });

  it.each([
    ['an empty batch', 'post', '[]', 'No statement was sent'],
    ['a body that is no JSON', 'post', '{"actor":', 'The body is not JSON'],
    ['a batch PUT', 'put', JSON.stringify([answerAbout(1, true)]), 'PUT takes one statement'],
    ['JSON text of U+0000', 'post', '"\\u0000"', 'The body must not contain U+0000 or unpaired surrogate code points'],
  ] as const)('refuses %s (400)', async (_what, method, body, detail) => {
    const path = method === 'put' ? `/statements?statementId=${randomUUID()}` : '/statements';
    const response = await xapi(method, path).set('Content-Type', 'application/json').send(body);
    expect(expectProblem(response, 400).detail).toBe(detail);
  });

  it('refuses statements sent as anything but JSON or multipart/mixed (400)', async () => {
    const response = await xapi('post', '/statements')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(answerAbout(word.id, true)));
    expect(expectProblem(response, 400).detail).toBe('Statements are sent as application/json or multipart/mixed');
    expect(await countRows(t, 'xapi_statements')).toBe(0);
  });

  it('records nothing for statements without result.success, about other activities, or about missing words', async () => {
    const withoutSuccess = { ...answerAbout(word.id, true), result: { completion: true } };
    // Another site, one whose name differs from the portal's only where it has a dot, a path beyond the word's, and
    // the word's id written with a leading zero: none is the word's IRI.
    const elsewhere = [
      `https://other.example/api/v1/words/${word.id}`,
      `http://portalxtest/api/v1/words/${word.id}`,
      `${PUBLIC_URL}/api/v1/words/${word.id}/notes`,
      `${PUBLIC_URL}/api/v1/words/0${word.id}`,
    ].map((id) => ({ ...answerAbout(word.id, true), object: { id } }));
    const missing = answerAbout(word.id + 1000, true);
    await xapi('post', '/statements')
      .send([withoutSuccess, ...elsewhere, missing])
      .expect(200);
    expect(await countRows(t, 'xapi_statements')).toBe(6);
    expect(await countRows(t, 'words_review_items')).toBe(0);
  });

  it('records nothing for a word id beyond any id, however long', async () => {
    const statements = ['2147483648', '9007199254740993', '1'.padEnd(400, '0')].map((id) => ({
      ...answerAbout(word.id, true),
      object: { id: `${PUBLIC_URL}/api/v1/words/${id}` },
    }));
    await xapi('post', '/statements').send(statements).expect(200);
    expect(await countRows(t, 'xapi_statements')).toBe(3);
    expect(await countRows(t, 'words_review_items')).toBe(0);
  });

  it('a full reset sent while statements are written waits for them, then empties the record', async () => {
    // The reset is sent once the statements are written, before their answers are, and finishes (or waits).
    const [stored, reset] = await whileStoring(
      () => xapi('post', '/statements').send(answerAbout(word.id, true)),
      () => client.post('/full_reset', { confirm: 'full_reset' }),
    );
    expect(stored.status).toBe(200);
    expect(reset.status).toBe(200);
    expect(await countRows(t, 'xapi_statements')).toBe(0);
    expect(await countRows(t, 'words_review_items')).toBe(0);
  });

  it('accepts a statement sent again while the first is being stored (a client’s retry), storing it once', async () => {
    const statement = { ...answerAbout(word.id, true), object: { id: 'http://apps.example/activities/quiz' } };
    // The second request is sent once the first has written its row, before it commits (or waits for it to).
    const send = () => xapi('post', '/statements').send(statement);
    const [first, retry] = await whileStoring(send, send);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(await countRows(t, 'xapi_statements')).toBe(1);
  });

  it('two batches of the same statements in other orders at once are both accepted, each statement stored once', async () => {
    const statements = Array.from({ length: 1000 }, () => ({
      ...answerAbout(word.id, true),
      object: { id: 'http://apps.example/activities/quiz' },
    }));
    // Each request looks its statements up, then waits for the other to have too (or not to get there): both insert
    // them at once, more than MikroORM inserts per statement (300), the first ones of each batch first.
    const find = EntityManager.prototype.find;
    let arrived = 0;
    let bothArrived = () => {};
    const together = new Promise<void>((resolve) => (bothArrived = resolve));
    jest.spyOn(EntityManager.prototype, 'find').mockImplementation(async function (this: EntityManager, ...args) {
      const found = await find.apply(this, args);
      if (args[0] === XapiStatement) {
        if (++arrived === 2) bothArrived();
        await Promise.race([together, new Promise((resolve) => setTimeout(resolve, 500))]);
      }
      return found;
    });
    let responses: request.Response[];
    try {
      responses = await Promise.all([
        xapi('post', '/statements').send(statements),
        xapi('post', '/statements').send(statements.toReversed()),
      ]);
    } finally {
      jest.restoreAllMocks();
    }
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(await countRows(t, 'xapi_statements')).toBe(1000);
  });

  it('a statement stored first commits first: a client reading on since the last one it read misses none', async () => {
    const [first, second] = [0, 1].map(() => ({
      ...answerAbout(word.id, true),
      object: { id: 'http://apps.example/activities/quiz' },
    }));
    // The first request, its statement inserted, waits before its commit for the second to be stored (or not to get
    // there), then for a client's read of the statements (SQLite's one connection makes it wait for the commit). They
    // answer no word, whose lock would order them anyway.
    const [firstSent, secondSent, read] = await whileStoring(
      () => xapi('post', '/statements').send(first),
      () => xapi('post', '/statements').send(second),
      () => xapi('get', '/statements?ascending=true'),
    );
    expect(firstSent.status).toBe(200);
    expect(secondSent.status).toBe(200);
    const seen = (read.body as { statements: { id: string; stored: string }[] }).statements;
    const since = seen.length > 0 ? `&since=${encodeURIComponent(seen.at(-1)!.stored)}` : '';
    const { body } = await xapi('get', `/statements?ascending=true${since}`).expect(200);
    const after = (body as { statements: { id: string }[] }).statements;
    expect([...seen, ...after].map((statement) => statement.id)).toEqual([first.id, second.id]);
  });

  it('a read sent while a statement is being stored has it, or a Consistent-Through that does not claim it', async () => {
    const statement = { ...answerAbout(word.id, true), object: { id: 'http://apps.example/activities/quiz' } };
    // The statement, inserted with its `stored`, waits before its commit for a client's read (or not to get there).
    const [sent, read] = await whileStoring(
      () => xapi('post', '/statements').send(statement),
      () => xapi('get', '/statements'),
    );
    expect(sent.status).toBe(200);
    const { stored } = (await xapi('get', `/statements?statementId=${statement.id}`).expect(200)).body as {
      stored: string;
    };
    const seen = read.body as { statements: { id: string }[] };
    const consistentThrough = read.get('X-Experience-API-Consistent-Through')!;
    expect(consistentThrough).toMatch(ISO_MS);
    const claimed = Date.parse(stored) < Date.parse(consistentThrough);
    expect({ claimed, seen: seen.statements.map((found) => found.id) }).toEqual({
      claimed,
      seen: claimed ? [statement.id] : [],
    });
  });

  // Another worker's batch may be between its `stored` and its commit, which a worker on SQLite cannot wait for.
  (dialect.name === 'sqlite' ? it : it.skip)(
    "in a cluster's worker, on SQLite, a Consistent-Through that claims no more than the batches committed",
    async () => {
      const statement = { ...answerAbout(word.id, true), object: { id: 'http://apps.example/activities/quiz' } };
      const consistentThrough = async () =>
        (await xapi('get', '/statements').expect(200)).get('X-Experience-API-Consistent-Through');
      let stored: string;
      process.env[WORKER_SLOT] = '2';
      try {
        expect(await consistentThrough()).toBe(new Date(0).toISOString());
        await xapi('post', '/statements').send(statement).expect(200);
        stored = (await xapi('get', `/statements?statementId=${statement.id}`).expect(200)).body.stored;
        await new Promise((resolve) => setTimeout(resolve, 5));

        expect(await consistentThrough()).toBe(stored);
      } finally {
        delete process.env[WORKER_SLOT];
      }
      expect(Date.parse((await consistentThrough())!)).toBeGreaterThan(Date.parse(stored));
    },
  );

  it('batches stored in the same millisecond: a client reading on since the last one it read misses none', async () => {
    const [first, second] = [0, 1].map(() => ({
      ...answerAbout(word.id, true),
      object: { id: 'http://apps.example/activities/quiz' },
    }));
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    stopClockAt(now);
    try {
      await xapi('post', '/statements').send(first).expect(200);
      const { body: seen } = await xapi('get', '/statements?ascending=true').expect(200);
      await xapi('post', '/statements').send(second).expect(200);
      const since = encodeURIComponent(seen.statements.at(-1).stored);
      const { body } = await xapi('get', `/statements?ascending=true&since=${since}`).expect(200);
      expect([...seen.statements, ...body.statements].map((statement: { id: string }) => statement.id)).toEqual([
        first.id,
        second.id,
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a statement timestamped in the future is recorded at the time it was stored', async () => {
    const before = Date.now();
    await xapi('post', '/statements')
      .send(answerAbout(word.id, true, '2999-01-01T00:00:00Z'))
      .expect(200);
    const [review] = await reviewsOf(word.id);
    expect(review.reviewed_at).toBeGreaterThanOrEqual(before);
    expect(review.reviewed_at).toBeLessThanOrEqual(Date.now());
  });

  it('voiding hides the statement but keeps the answer it recorded (see docs/api.md)', async () => {
    const statement = answerAbout(word.id, true);
    await xapi('post', '/statements').send(statement).expect(200);
    const voiding = { actor: LEARNER, verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: statement.id } };
    await xapi('post', '/statements').send(voiding).expect(200);
    const hidden = expectProblem(await xapi('get', `/statements?statementId=${statement.id}`), 404);
    expect(hidden.detail).toBe(`No statement ${statement.id}`);
    const voided = await xapi('get', `/statements?voidedStatementId=${statement.id}`).expect(200);
    expect(voided.body).toMatchObject({ id: statement.id, result: { success: true } });
    const { body } = await client.get(`/words/${word.id}`).expect(200);
    expect(body).toMatchObject({ correct_count: 1, wrong_count: 0 });
    // A voiding statement is not voided by another.
    const voidingId = (await xapi('get', `/statements?verb=${encodeURIComponent(VOIDED)}`).expect(200)).body
      .statements[0].id;
    await xapi('post', '/statements')
      .send({ ...voiding, object: { objectType: 'StatementRef', id: voidingId } })
      .expect(200);
    await xapi('get', `/statements?statementId=${voidingId}`).expect(200);
  });

  it('gives a statement back as sent, its keys and a language map’s languages in their order', async () => {
    const statement = {
      ...answerAbout(word.id, true),
      verb: { id: ANSWERED, display: { 'th-TH': 'ตอบ', de: 'beantwortet' } },
    };
    await xapi('post', '/statements').send(statement).expect(200);
    const { body } = await xapi('get', `/statements?statementId=${statement.id}`).expect(200);
    expect(Object.keys(body as object).slice(0, 6)).toEqual(Object.keys(statement));
    expect(Object.keys((body as typeof statement).verb.display)).toEqual(['th-TH', 'de']);
    // Neither French nor English is there: canonical format gives the first language.
    const canonical = await xapi('get', `/statements?statementId=${statement.id}&format=canonical`)
      .set('Accept-Language', 'fr')
      .expect(200);
    expect((canonical.body as typeof statement).verb.display).toEqual({ 'th-TH': 'ตอบ' });
  });

  it('refuses a statement nested deeper than 100 levels (400), storing and recording nothing', async () => {
    // Written as text: JSON.stringify of the value overflows the stack, as it did when the store wrote it (a 500).
    const withTree = (levels: number) =>
      JSON.stringify(answerAbout(word.id, true)).replace(
        '"result":{"success":true}',
        `"result":{"success":true,"extensions":{"http://apps.example/tree":${'['.repeat(levels)}1${']'.repeat(levels)}}}`,
      );
    for (const body of [withTree(100_000), `[${withTree(98)}]`]) {
      const response = await xapi('post', '/statements').set('Content-Type', 'application/json').send(body);
      expect(expectProblem(response, 400).detail).toBe('A statement is nested deeper than 100 levels');
    }
    expect(await countRows(t, 'xapi_statements')).toBe(0);
    expect(await reviewsOf(word.id)).toEqual([]);
    // The statement, result and extensions are 3 levels: 97 more make 100.
    await xapi('post', '/statements')
      .set('Content-Type', 'application/json')
      .send(`[${withTree(97)}]`)
      .expect(200);
    expect(await reviewsOf(word.id)).toHaveLength(1);
  });

  it('records a batch as large as the body limit lets through, about as many words', async () => {
    // 2,600 cards of 13 values each are more values than one SQLite statement binds.
    const words = Array.from({ length: 2600 }, (_, i) => ({ thai: `คำ ${i}`, english: `word ${i}` }));
    await request(t.http).post(`${API}/words/import`).send({ words }).expect(200);
    const ids = (await sql<{ id: number }>(t, 'select id from words order by id')).map((row) => row.id);
    const statements = ids.map((id) => answerAbout(id, true));
    await xapi('post', '/statements').send(statements).expect(200);
    expect(await countRows(t, 'words_review_items')).toBe(ids.length);
    expect(await countRows(t, 'cards')).toBe(ids.length);
  });
});

describe('1,000 statements in batches of 100', () => {
  const N = 1000;
  const agents = [0, 1, 2, 3].map((i) => ({ mbox: `mailto:learner${i}@school.example` }));
  const verbs = [0, 1, 2, 3, 4].map((i) => `http://school.example/verbs/v${i}`);
  const activities = [...Array(10).keys()].map((i) => `http://school.example/activities/a${i}`);
  const registrations = [randomUUID(), randomUUID()];
  const parents = [0, 1, 2].map((i) => `http://school.example/courses/c${i}`);
  const instructors = [{ mbox: 'mailto:teacher0@school.example' }, { mbox: 'mailto:teacher1@school.example' }];
  const statements = [...Array(N).keys()].map((i) => ({
    id: randomUUID(),
    actor: agents[i % 4],
    verb: { id: verbs[i % 5] },
    object: { id: activities[i % 10] },
    context: {
      registration: registrations[i % 2],
      instructor: instructors[i % 7 === 0 ? 1 : 0],
      contextActivities: { parent: [{ id: parents[i % 3] }] },
    },
  }));
  const expectedIds = (predicate: (i: number) => boolean) =>
    statements.filter((_, i) => predicate(i)).map((statement) => statement.id);

  /** Every statement a query finds, following `more` page by page. */
  async function readAll(query: Record<string, string>): Promise<string[]> {
    const ids: string[] = [];
    let next: string = `/statements?${new URLSearchParams({ limit: '150', ...query })}`;
    for (let pages = 0; next; pages++) {
      expect(pages).toBeLessThan(20);
      const { body } = await xapi('get', next).expect(200);
      ids.push(...(body.statements as { id: string }[]).map((statement) => statement.id));
      next = body.more ? (body.more as string).replace(/^\/xapi/, '') : '';
    }
    return ids;
  }

  beforeEach(async () => {
    for (let start = 0; start < N; start += 100) {
      await xapi('post', '/statements')
        .send(statements.slice(start, start + 100))
        .expect(200);
    }
  }, 120_000);

  it('are all stored, and come back newest first, or oldest first with ascending=true', async () => {
    expect(await countRows(t, 'xapi_statements')).toBe(N);
    const all = await readAll({});
    expect(all).toEqual(expectedIds(() => true).reverse());
    expect(await readAll({ ascending: 'true' })).toEqual(expectedIds(() => true));
  }, 60_000);

  it('come 500 a page at most: with limit=0 (the server’s limit) or a larger one', async () => {
    for (const limit of ['0', '501']) {
      const { body } = await xapi('get', `/statements?limit=${limit}`).expect(200);
      expect({ limit, statements: body.statements.length }).toEqual({ limit, statements: 500 });
      expect(body.more).not.toBe('');
    }
  }, 60_000);

  it('are found by each filter, and by filters together', async () => {
    const sorted = (ids: string[]) => [...ids].sort();
    const cases: [Record<string, string>, (i: number) => boolean][] = [
      [{ agent: JSON.stringify(agents[1]) }, (i) => i % 4 === 1],
      [{ verb: verbs[2] }, (i) => i % 5 === 2],
      [{ activity: activities[3] }, (i) => i % 10 === 3],
      [{ registration: registrations[0] }, (i) => i % 2 === 0],
      [{ activity: parents[1] }, () => false],
      [{ activity: parents[1], related_activities: 'true' }, (i) => i % 3 === 1],
      [{ agent: JSON.stringify(instructors[1]) }, () => false],
      [{ agent: JSON.stringify(instructors[1]), related_agents: 'true' }, (i) => i % 7 === 0],
      [{ agent: JSON.stringify(agents[2]), verb: verbs[4], registration: registrations[0] }, (i) => i % 20 === 14],
    ];
    for (const [query, predicate] of cases) {
      expect({ query, ids: sorted(await readAll(query)) }).toEqual({ query, ids: sorted(expectedIds(predicate)) });
    }
  }, 120_000);

  it('are found by since and until (stored time)', async () => {
    const { body } = await xapi('get', '/statements?limit=1&ascending=true').expect(200);
    const stored = Date.parse(body.statements[0].stored);
    expect(await readAll({ until: new Date(stored - 1).toISOString() })).toEqual([]);
    // Until is inclusive: the first batch of 100 was stored at that instant.
    expect(await readAll({ until: new Date(stored).toISOString() })).toEqual(expectedIds((i) => i < 100).reverse());
    expect(await readAll({ since: new Date(Date.now() + 1000).toISOString() })).toEqual([]);
    expect(await readAll({ since: new Date(stored - 1).toISOString() })).toHaveLength(N);
    // An instant without an offset is UTC.
    const utc = (instant: number) => new Date(instant).toISOString().replace('Z', '');
    expect(await readAll({ until: utc(stored) })).toEqual(expectedIds((i) => i < 100).reverse());
    expect(await readAll({ until: utc(stored - 1) })).toEqual([]);
  }, 60_000);
});

describe('more links', () => {
  const link = (cursor: unknown) =>
    `/statements?more=${Buffer.from(typeof cursor === 'string' ? cursor : JSON.stringify(cursor)).toString('base64url')}`;
  const about = (i: number) => ({
    id: randomUUID(),
    actor: LEARNER,
    verb: { id: ANSWERED, display: { 'en-US': 'answered' } },
    object: { id: `http://apps.example/a${i}`, definition: { name: { 'en-US': `activity ${i}` } } },
  });

  it('continue the query they were given for, in its format', async () => {
    const statements = [0, 1, 2].map(about);
    await xapi('post', '/statements').send(statements).expect(200);
    const first = await xapi('get', '/statements?limit=2&format=ids&ascending=true').expect(200);
    expect(first.body.statements.map((statement: { id: string }) => statement.id)).toEqual([
      statements[0].id,
      statements[1].id,
    ]);
    const next = await xapi('get', (first.body.more as string).replace(/^\/xapi/, '')).expect(200);
    const last = await xapi('get', `/statements?statementId=${statements[2].id}&format=ids`).expect(200);
    expect(last.body.object).toEqual({ id: statements[2].object.id });
    expect(next.body).toEqual({ statements: [last.body], more: '' });
  });

  describe('of a portal served under a path (PUBLIC_URL http://portal.test/school)', () => {
    let prefixed: TestApp;
    beforeAll(async () => {
      prefixed = await createTestApp({ XAPI_KEY: KEY, XAPI_SECRET: SECRET, PUBLIC_URL: `${PUBLIC_URL}/school` });
    });
    afterAll(() => closeTestApp(prefixed));

    it('name the full path, as xAPI’s relative IRL without the host', async () => {
      const get = (path: string) =>
        request(prefixed.http).get(path).set('Authorization', BASIC).set('X-Experience-API-Version', '1.0.3');
      await request(prefixed.http)
        .post('/xapi/statements')
        .set('Authorization', BASIC)
        .set('X-Experience-API-Version', '1.0.3')
        .send([0, 1].map(about))
        .expect(200);
      const first = await get('/xapi/statements?limit=1').expect(200);
      expect(first.body.more).toMatch(/^\/school\/xapi\/statements\?more=/);
      // The proxy in front takes /school off, as it does for every request.
      const next = await get((first.body.more as string).replace(/^\/school/, '')).expect(200);
      expect(next.body.statements).toHaveLength(1);
    });
  });

  it.each([
    ['a registration that is no UUID', { registration: '5' }],
    ['a limit that is no integer', { limit: '1.5' }],
    ['a since that is no timestamp', { since: 'abc' }],
    ['an agent that is no Agent', { agent: '{"a":1}' }],
    ['an unknown parameter', { sort: 'id' }],
    // Read as a request's parameters are: PostgreSQL refuses U+0000 in text (a 500), SQLite found nothing.
    ['U+0000 in a parameter', { verb: 'http://apps.example/\u0000' }],
  ])('made up with %s are a 400', async (_what, parameters) => {
    await xapi('post', '/statements').send(about(0)).expect(200);
    expectProblem(await xapi('get', link({ parameters, after: 1 })), 400);
  });

  it.each([
    ['not JSON', 'more'],
    ['no parameters', { after: 1 }],
    ['a position that is no integer', { parameters: {}, after: 1.5 }],
    ['a parameter that is no string', { parameters: { registration: 5 }, after: 1 }],
    // What links looked like before they carried the parameters of their request.
    ['a link of the earlier shape', { query: { limit: 10, registration: 5 }, after: 0 }],
  ])('made up as %s are a 400', async (_what, cursor) => {
    await xapi('post', '/statements').send(about(0)).expect(200);
    expect(expectProblem(await xapi('get', link(cursor)), 400).detail).toBe('more is not a link this LRS gave');
  });
});

describe('requests to the Statements resource', () => {
  const id = randomUUID();

  it.each([
    ['a PUT without statementId', 'put', '/statements', 'PUT needs the statementId parameter'],
    ['a PUT with another parameter', 'put', `/statements?statementId=${id}&verb=x`, 'Unknown parameters: verb'],
    ['a PUT whose statementId is no UUID', 'put', '/statements?statementId=5', 'statementId must be a UUID'],
    ['a POST with a parameter', 'post', `/statements?statementId=${id}`, 'Unknown parameters: statementId'],
    ['a GET of a more link and a parameter', 'get', '/statements?more=x&limit=1', 'more takes no other parameter'],
    ['a GET in another format', 'get', '/statements?format=full', 'format must be ids, exact or canonical'],
    ['a GET of a verb that is no IRI', 'get', '/statements?verb=answered', 'verb must be an IRI'],
    [
      'a GET of a verb given twice',
      'get',
      '/statements?verb=http://v.example/a&verb=http://v.example/b',
      'verb must be given once',
    ],
    [
      'a GET of an agent that is no JSON',
      'get',
      '/statements?agent=x',
      'agent must be an Agent or identified Group as JSON',
    ],
    [
      'a GET of an agent without an identifier',
      'get',
      `/statements?agent=${encodeURIComponent('{"name":"Learner"}')}`,
      'agent: an Agent must have exactly one identifier',
    ],
    [
      'a GET of a statementId and a voidedStatementId',
      'get',
      `/statements?statementId=${id}&voidedStatementId=${id}`,
      'statementId and voidedStatementId exclude each other',
    ],
    [
      'a GET of one statement with filters',
      'get',
      `/statements?statementId=${id}&since=2026-01-01T00:00:00Z&limit=1`,
      'A single statement takes only format and attachments, not since, limit',
    ],
    ['a GET of a statementId that is no UUID', 'get', '/statements?statementId=5', 'statementId must be a UUID'],
    [
      'a GET of a voidedStatementId that is no UUID',
      'get',
      '/statements?voidedStatementId=5',
      'voidedStatementId must be a UUID',
    ],
  ] as const)('%s is a 400, storing nothing', async (_what, method, path, detail) => {
    const response = await xapi(method, path).send(method === 'get' ? undefined : aboutActivity());
    expect(expectProblem(response, 400).detail).toBe(detail);
    expect(await countRows(t, 'xapi_statements')).toBe(0);
  });

  it('a PUT stores the statement under its own id, which may differ from statementId in case only', async () => {
    const id = randomUUID();
    await xapi('put', `/statements?statementId=${id}`)
      .send({ ...aboutActivity(), id: id.toUpperCase() })
      .expect(204);
    const got = await xapi('get', `/statements?statementId=${id}`).expect(200);
    expect(got.body.id).toBe(id.toUpperCase());
    // The instant it was stored, to the second as HTTP dates go.
    expect(Date.parse(got.headers['last-modified'] as string)).toBe(
      Math.floor(Date.parse(got.body.stored) / 1000) * 1000,
    );
    const other = await xapi('put', `/statements?statementId=${id}`).send({ ...aboutActivity(), id: randomUUID() });
    expect(expectProblem(other, 400).detail).toBe('The statement id differs from statementId');
  });

  it('gives a statement in the canonical format in the language Accept-Language asks for', async () => {
    const statement = aboutActivity({ verb: { id: ANSWERED, display: { 'en-US': 'answered', 'th-TH': 'ตอบ' } } });
    await xapi('post', '/statements').send(statement).expect(200);
    const canonical = (language: string) =>
      xapi('get', `/statements?statementId=${statement.id}&format=canonical`).set('Accept-Language', language);
    expect((await canonical('th').expect(200)).body.verb.display).toEqual({ 'th-TH': 'ตอบ' });
    expect((await canonical('de, en;q=0.5').expect(200)).body.verb.display).toEqual({ 'en-US': 'answered' });
  });

  const anonymousGroup = { objectType: 'Group', member: [LEARNER] };
  it.each([
    ['ascending other than true or false', 'ascending=yes', 'ascending must be true or false'],
    ['related_agents other than true or false', 'related_agents=1', 'related_agents must be true or false'],
    ['a negative limit', 'limit=-1', 'limit must be a non-negative integer'],
    [
      'an anonymous Group as agent',
      `agent=${encodeURIComponent(JSON.stringify(anonymousGroup))}`,
      'agent must have an identifier',
    ],
  ])('with %s is a 400', async (_what, query, detail) => {
    expect(expectProblem(await xapi('get', `/statements?${query}`), 400).detail).toBe(detail);
  });
});

describe('statements that refer to statements', () => {
  const lesson = 'http://apps.example/lesson/1';
  const PASSED = 'http://adlnet.gov/expapi/verbs/passed';
  const TEACHER = { mbox: 'mailto:teacher@school.example' };
  const refersTo = (statement: { id: string }) => ({
    id: randomUUID(),
    actor: TEACHER,
    verb: { id: 'http://adlnet.gov/expapi/verbs/commented' },
    object: { objectType: 'StatementRef', id: statement.id },
  });

  it('match a query when the statement they refer to does, however many references away', async () => {
    const passed = { id: randomUUID(), actor: LEARNER, verb: { id: PASSED }, object: { id: lesson } };
    const comment = refersTo(passed);
    const reply = refersTo(comment);
    const elsewhere = { id: randomUUID(), actor: TEACHER, verb: { id: PASSED }, object: { id: `${lesson}0` } };
    await xapi('post', '/statements')
      .send([passed, comment, reply, elsewhere, refersTo(elsewhere)])
      .expect(200);
    for (const query of [
      `activity=${encodeURIComponent(lesson)}`,
      `agent=${encodeURIComponent(JSON.stringify(LEARNER))}`,
    ]) {
      const { body } = await xapi('get', `/statements?${query}`).expect(200);
      expect({ query, ids: (body.statements as { id: string }[]).map((statement) => statement.id) }).toEqual({
        query,
        ids: [reply.id, comment.id, passed.id],
      });
    }
  });

  it('end a cycle of references', async () => {
    const SHARED = 'http://adlnet.gov/expapi/verbs/shared';
    const second = randomUUID();
    const first = {
      id: randomUUID(),
      actor: LEARNER,
      verb: { id: SHARED },
      object: { objectType: 'StatementRef', id: second },
    };
    await xapi('post', '/statements')
      .send([first, { ...refersTo(first), id: second }])
      .expect(200);
    const { body } = await xapi('get', `/statements?verb=${encodeURIComponent(SHARED)}`).expect(200);
    expect((body.statements as { id: string }[]).map((statement) => statement.id)).toEqual([second, first.id]);
  });
});

describe('document resources, agents and activities', () => {
  const agent = encodeURIComponent(JSON.stringify(LEARNER));
  const activity = encodeURIComponent('http://apps.example/lesson/1');
  const state = `/activities/state?activityId=${activity}&agent=${agent}&stateId=progress`;
  const profile = `/agents/profile?agent=${agent}&profileId=settings`;

  it.each([
    ['a stateId', `/activities/state?activityId=${activity}&agent=${agent}&stateId=a%00b`],
    ['an activityId', `/activities/state?activityId=${activity}%00&agent=${agent}&stateId=progress`],
    ['a profileId', `/agents/profile?agent=${agent}&profileId=a%00`],
  ])('refuses U+0000 in %s (400), storing nothing', async (_where, path) => {
    expect(expectProblem(await xapi('put', path).send({ a: 1 }), 400).detail).toMatch(/must not contain U\+0000/);
    expect(await countRows(t, 'xapi_documents')).toBe(0);
  });

  it('refuses U+0000 in a query of statements or activities (400)', async () => {
    expectProblem(await xapi('get', `/statements?verb=${encodeURIComponent('http://apps.example/v')}%00`), 400);
    expectProblem(await xapi('get', `/activities?activityId=${activity}%00`), 400);
  });

  it.each([
    ['a stateId', 'put', `/activities/state?activityId=${activity}&agent=${agent}&stateId=caf%E9`],
    ['a profileId cut in a character', 'get', `/agents/profile?agent=${agent}&profileId=%E0%B8`],
    ['an activityId', 'get', `/activities?activityId=${activity}%E9`],
    ['a query of statements', 'get', `/statements?verb=${encodeURIComponent('http://apps.example/v')}%E9`],
  ] as const)('refuses a query string that is not UTF-8 in %s (400), storing nothing', async (_where, method, path) => {
    const response = await xapi(method, path).send(method === 'put' ? { a: 1 } : undefined);
    expect(expectProblem(response, 400).detail).toBe('The query string is not UTF-8 (percent-encoded)');
    expect(await countRows(t, 'xapi_documents')).toBe(0);
  });

  it('keeps a state as sent, with its SHA-1 ETag and Last-Modified; POST merges JSON objects', async () => {
    await xapi('put', state).send({ page: 3, score: 1 }).expect(204);
    const first = await xapi('get', state).expect(200);
    expect(first.body).toEqual({ page: 3, score: 1 });
    expect(first.headers.etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(Number.isNaN(Date.parse(first.headers['last-modified']))).toBe(false);
    await xapi('post', state).send({ page: 4, done: true }).expect(204);
    expect((await xapi('get', state).expect(200)).body).toEqual({ page: 4, score: 1, done: true });
    // A document that is not JSON cannot be merged: 400, and nothing changes.
    const notJson = await xapi('post', state).set('Content-Type', 'text/plain').send('page five');
    expect(expectProblem(notJson, 400).detail).toMatch(/must both be application\/json/);
    expect((await xapi('get', `/activities/state?activityId=${activity}&agent=${agent}`).expect(200)).body).toEqual([
      'progress',
    ]);
    await xapi('delete', `/activities/state?activityId=${activity}&agent=${agent}`).expect(204);
    expectProblem(await xapi('get', state), 404);
  });

  it('a POST of a document nested deeper than 100 levels is a 400, and the stored one stays', async () => {
    // Written as text: JSON.stringify of the value overflows the stack, as it did when the merge wrote it (a 500).
    const withTree = (levels: number) => `{"tree":${'['.repeat(levels)}1${']'.repeat(levels)}}`;
    await xapi('put', state).send({ page: 3 }).expect(204);
    for (const levels of [100_000, 100]) {
      const response = await xapi('post', state).set('Content-Type', 'application/json').send(withTree(levels));
      expect(expectProblem(response, 400).detail).toBe('The document is nested deeper than 100 levels');
    }
    expect((await xapi('get', state).expect(200)).body).toEqual({ page: 3 });
    await xapi('post', state).set('Content-Type', 'application/json').send(withTree(99)).expect(204);
    expect((await xapi('get', state).expect(200)).body).toMatchObject({ page: 3 });
  });

  it('writes under If-Match and If-None-Match (412), and a PUT over a profile without either is a 409', async () => {
    await xapi('put', profile).set('If-None-Match', '*').send({ theme: 'dark' }).expect(204);
    const { headers } = await xapi('get', profile).expect(200);
    expectProblem(await xapi('put', profile).set('If-None-Match', '*').send({ theme: 'light' }), 412);
    expectProblem(await xapi('put', profile).set('If-Match', '"0000"').send({ theme: 'light' }), 412);
    expectProblem(await xapi('put', profile).send({ theme: 'light' }), 409);
    await xapi('put', profile)
      .set('If-Match', headers.etag as string)
      .send({ theme: 'light' })
      .expect(204);
    expect((await xapi('get', profile).expect(200)).body).toEqual({ theme: 'light' });
    // HEAD answers as GET, without the body.
    const head = await xapi('head', profile).expect(200);
    expect(head.headers.etag).toMatch(/^"[0-9a-f]{40}"$/);
  });

  it.each([
    ['1.0.3', 'a state', 204, 204, state],
    ['2.0.0', 'a state', 204, 409, state],
    ['1.0.3', 'a profile', 400, 409, profile],
    ['2.0.0', 'a profile', 204, 409, profile],
  ])(
    'in xAPI %s, a PUT of %s without If-Match or If-None-Match: new %i, over the stored one %i',
    async (version, _what, asNew, over, path) => {
      expect((await xapi('put', path, version).send({ a: 1 })).status).toBe(asNew);
      if (asNew !== 204) await xapi('put', path, version).set('If-None-Match', '*').send({ a: 1 }).expect(204);
      expect((await xapi('put', path, version).send({ a: 2 })).status).toBe(over);
      expect((await xapi('get', path, version).expect(200)).body).toEqual({ a: over === 204 ? 2 : 1 });
    },
  );

  const CLASS = { objectType: 'Group', mbox: 'mailto:class@school.example' };
  it.each([
    [
      'an activityId that is no IRI',
      `/activities/state?activityId=lesson&agent=${agent}&stateId=progress`,
      'activityId must be an IRI',
    ],
    [
      'an agent that is a Group',
      `/activities/state?activityId=${activity}&agent=${encodeURIComponent(JSON.stringify(CLASS))}&stateId=progress`,
      'agent must be an Agent, not a Group',
    ],
  ])('refuses %s (400), storing nothing', async (_what, path, detail) => {
    expect(expectProblem(await xapi('put', path).send({ a: 1 }), 400).detail).toBe(detail);
    expect(await countRows(t, 'xapi_documents')).toBe(0);
  });

  it('deletes one document under If-Match (412 when it changed), leaving the others; a missing one is a 204', async () => {
    const other = `/activities/state?activityId=${activity}&agent=${agent}&stateId=other`;
    await xapi('put', state).send({ page: 3 }).expect(204);
    await xapi('put', other).send({ page: 1 }).expect(204);
    const { headers } = await xapi('get', state).expect(200);
    expectProblem(await xapi('delete', state).set('If-Match', '"0000"'), 412);
    expectProblem(await xapi('delete', state).set('If-None-Match', '*'), 412);
    await xapi('delete', state)
      .set('If-Match', headers.etag as string)
      .expect(204);
    expectProblem(await xapi('get', state), 404);
    expect((await xapi('get', other).expect(200)).body).toEqual({ page: 1 });
    await xapi('delete', state).expect(204);
    expectProblem(await xapi('delete', state).set('If-Match', '*'), 412);
    await xapi('delete', profile).expect(204);
  });

  it('finds a state by its registration in any case', async () => {
    const registration = randomUUID();
    await xapi('put', `${state}&registration=${registration.toUpperCase()}`).send({ page: 1 }).expect(204);
    expect((await xapi('get', `${state}&registration=${registration}`).expect(200)).body).toEqual({ page: 1 });
  });

  it('compares If-Match strongly and If-None-Match weakly, each over a list of tags or *', async () => {
    expectProblem(await xapi('put', profile).set('If-Match', '*').send({ theme: 'dark' }), 412);
    expect(await countRows(t, 'xapi_documents')).toBe(0);
    await xapi('put', profile).set('If-None-Match', '*').send({ theme: 'dark' }).expect(204);
    const etagOf = async () => (await xapi('get', profile).expect(200)).headers.etag as string;
    const dark = await etagOf();
    expectProblem(await xapi('put', profile).set('If-Match', `W/${dark}`).send({ theme: 'light' }), 412);
    expectProblem(await xapi('put', profile).set('If-None-Match', `"0000", W/${dark}`).send({ theme: 'light' }), 412);
    expect((await xapi('get', profile).expect(200)).body).toEqual({ theme: 'dark' });
    await xapi('put', profile).set('If-Match', `"0000", ${dark}`).send({ theme: 'light' }).expect(204);
    await xapi('put', profile).set('If-None-Match', dark).send({ theme: 'blue' }).expect(204);
    await xapi('put', profile).set('If-Match', '*').send({ theme: 'green' }).expect(204);
    expect((await xapi('get', profile).expect(200)).body).toEqual({ theme: 'green' });
  });

  it('a POST merges only JSON objects: a new document that is not one, or over a stored one that is not, is a 400', async () => {
    expectProblem(await xapi('post', state).send([1, 2]), 400);
    expect(await countRows(t, 'xapi_documents')).toBe(0);
    await xapi('put', state).set('Content-Type', 'text/plain').send('page five').expect(204);
    const response = await xapi('post', state).send({ page: 6 });
    expect(expectProblem(response, 400).detail).toMatch(/must both be application\/json/);
    expect((await xapi('get', state).expect(200)).text).toBe('page five');
  });

  it('lists the ids of the states in the order stored, since an instant (exclusive)', async () => {
    const states = `/activities/state?activityId=${activity}&agent=${agent}`;
    const stored = Date.parse('2026-12-01T10:00:00.000Z');
    stopClockAt(stored);
    try {
      for (const id of ['second', 'first']) await xapi('put', `${states}&stateId=${id}`).send({ a: 1 }).expect(204);
    } finally {
      jest.useRealTimers();
    }
    expect((await xapi('get', states).expect(200)).body).toEqual(['second', 'first']);
    const since = (instant: number) => `${states}&since=${encodeURIComponent(new Date(instant).toISOString())}`;
    expect((await xapi('get', since(stored - 1)).expect(200)).body).toEqual(['second', 'first']);
    expect((await xapi('get', since(stored)).expect(200)).body).toEqual([]);
    // A write changes a document: it is listed since an instant before that write.
    stopClockAt(stored + 1000);
    try {
      await xapi('put', `${states}&stateId=second`).send({ a: 2 }).expect(204);
      await xapi('post', `${states}&stateId=first`).send({ b: 2 }).expect(204);
    } finally {
      jest.useRealTimers();
    }
    expect((await xapi('get', since(stored)).expect(200)).body).toEqual(['second', 'first']);
    expect((await xapi('get', since(stored + 1000)).expect(200)).body).toEqual([]);
  });

  it('checks a POST’s If-Match and If-None-Match as a PUT’s (412), merging nothing', async () => {
    await xapi('put', state).send({ page: 3 }).expect(204);
    expectProblem(await xapi('post', state).set('If-Match', '"0000"').send({ page: 4 }), 412);
    expectProblem(await xapi('post', state).set('If-None-Match', '*').send({ page: 4 }), 412);
    expect((await xapi('get', state).expect(200)).body).toEqual({ page: 3 });
  });

  it.each([
    [
      'given twice',
      `/activities/state?activityId=${activity}&activityId=${activity}&agent=${agent}`,
      'activityId must be given once',
    ],
    ['empty', `/activities/state?activityId=&agent=${agent}`, 'The activityId parameter is required'],
  ])('refuses a parameter %s (400)', async (_what, path, detail) => {
    expect(expectProblem(await xapi('get', path), 400).detail).toBe(detail);
  });

  describe('two writes of one document at once', () => {
    /** Sends `first`, and `second` once the first has read the document, which goes on when `second` is answered or waits. */
    async function sentTogether(first: () => request.Test, second: () => request.Test) {
      const findOne = EntityManager.prototype.findOne;
      let other: Promise<request.Response> | undefined;
      jest.spyOn(EntityManager.prototype, 'findOne').mockImplementation(async function (this: EntityManager, ...args) {
        const found = await findOne.apply(this, args);
        if (args[0] === XapiDocument && !other) {
          other = Promise.resolve(second());
          await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 500))]);
        }
        return found;
      });
      try {
        return [await first(), await other!];
      } finally {
        jest.restoreAllMocks();
      }
    }

    it('two POSTs both merge into the document', async () => {
      await xapi('put', state).send({ page: 3 }).expect(204);
      const answered = await sentTogether(
        () => xapi('post', state).send({ a: 1 }),
        () => xapi('post', state).send({ b: 2 }),
      );
      expect(answered.map((response) => response.status)).toEqual([204, 204]);
      expect((await xapi('get', state).expect(200)).body).toEqual({ page: 3, a: 1, b: 2 });
    });

    it('of two PUTs with the same If-Match, the second finds the document changed (412)', async () => {
      await xapi('put', profile).set('If-None-Match', '*').send({ theme: 'dark' }).expect(204);
      const { etag } = (await xapi('get', profile).expect(200)).headers as { etag: string };
      const answered = await sentTogether(
        () => xapi('put', profile).set('If-Match', etag).send({ theme: 'light' }),
        () => xapi('put', profile).set('If-Match', etag).send({ theme: 'blue' }),
      );
      expect(answered.map((response) => response.status).sort()).toEqual([204, 412]);
    });

    it('two POSTs of a new document both merge into it', async () => {
      const answered = await sentTogether(
        () => xapi('post', state).send({ a: 1 }),
        () => xapi('post', state).send({ b: 2 }),
      );
      expect(answered.map((response) => response.status)).toEqual([204, 204]);
      expect((await xapi('get', state).expect(200)).body).toEqual({ a: 1, b: 2 });
    });
  });

  it('an app on another origin reads the headers it needs (ETag for If-Match writes of its state)', async () => {
    await xapi('put', state, '2.0.0').send({ page: 1 }).expect(204);
    const read = await xapi('get', state, '2.0.0').set('Origin', 'https://apps.example').expect(200);
    expect(read.headers['access-control-allow-origin']).toBe('*');
    const exposed = (read.headers['access-control-expose-headers'] as string).toLowerCase().split(/,\s*/);
    for (const header of ['etag', 'last-modified', 'x-experience-api-version', 'x-experience-api-consistent-through']) {
      expect(exposed).toContain(header);
    }
    expect(exposed).toContain('location');
  });

  it('GET /xapi/agents is the Person of an Agent', async () => {
    const { body } = await xapi('get', `/agents?agent=${agent}`).expect(200);
    expect(body).toEqual({ objectType: 'Person', name: [], mbox: [LEARNER.mbox] });
    expectProblem(await xapi('get', '/agents'), 400);
  });

  it('GET /xapi/activities of a word is its definition, in Thai and English, from the word', async () => {
    const word = await client.createWord({ thai: 'แมว', english: 'cat', parts: { romanization: 'maeo' } });
    const { body } = await xapi('get', `/activities?activityId=${encodeURIComponent(wordIri(word.id))}`).expect(200);
    expect(body).toEqual({
      objectType: 'Activity',
      id: wordIri(word.id),
      definition: {
        type: 'http://adlnet.gov/expapi/activities/question',
        name: { 'th-TH': 'แมว', 'en-US': 'cat' },
        description: { 'th-TH': 'แมว (maeo): cat', 'en-US': 'The Thai word แมว (maeo), "cat"' },
      },
    });
  });

  it('GET /xapi/activities of any other activity merges the definitions statements gave it', async () => {
    const id = 'http://apps.example/lesson/2';
    const about = (name: Record<string, string>) => ({
      id: randomUUID(),
      actor: LEARNER,
      verb: { id: ANSWERED },
      object: { id, definition: { name } },
    });
    const first = about({ 'en-US': 'lesson 2' });
    await xapi('post', '/statements')
      .send([first, about({ 'en-US': 'lesson two', 'th-TH': 'บทที่สอง' })])
      .expect(200);
    const definition = async () =>
      (await xapi('get', `/activities?activityId=${encodeURIComponent(id)}`).expect(200)).body;
    const merged = { objectType: 'Activity', id, definition: { name: { 'en-US': 'lesson two', 'th-TH': 'บทที่สอง' } } };
    expect(await definition()).toEqual(merged);
    // A statement sent again is stored already: what it defines was merged then.
    await xapi('post', '/statements').send(first).expect(200);
    expect(await definition()).toEqual(merged);
    const unknown = await xapi('get', `/activities?activityId=${encodeURIComponent('http://apps.example/x')}`);
    expect(unknown.body).toEqual({ objectType: 'Activity', id: 'http://apps.example/x' });
  });

  describe('definitions of one activity sent by two requests at once', () => {
    const id = 'http://apps.example/lesson/3';
    const about = (name: Record<string, string>) => ({
      actor: LEARNER,
      verb: { id: ANSWERED },
      object: { id, definition: { name } },
    });

    /** Stores `first`, sending `second` once the first has read what it knows of the activity. */
    async function storedTogether(first: object, second: object) {
      const find = EntityManager.prototype.find;
      let other: Promise<request.Response> | undefined;
      jest.spyOn(EntityManager.prototype, 'find').mockImplementation(async function (this: EntityManager, ...args) {
        const found = await find.apply(this, args);
        if (args[0] === XapiActivity && !other) {
          other = Promise.resolve(xapi('post', '/statements').send(second));
          await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 500))]);
        }
        return found;
      });
      try {
        return [await xapi('post', '/statements').send(first), await other!];
      } finally {
        jest.restoreAllMocks();
      }
    }

    it('a new activity is stored once, with both', async () => {
      const responses = await storedTogether(about({ 'en-US': 'lesson three' }), about({ 'th-TH': 'บทที่สาม' }));
      expect(responses.map((response) => response.status)).toEqual([200, 200]);
      const { body } = await xapi('get', `/activities?activityId=${encodeURIComponent(id)}`).expect(200);
      expect(body.definition).toEqual({ name: { 'en-US': 'lesson three', 'th-TH': 'บทที่สาม' } });
    });

    it('a known activity keeps both', async () => {
      await xapi('post', '/statements')
        .send(about({ de: 'Lektion drei' }))
        .expect(200);
      const responses = await storedTogether(about({ 'en-US': 'lesson three' }), about({ 'th-TH': 'บทที่สาม' }));
      expect(responses.map((response) => response.status)).toEqual([200, 200]);
      const { body } = await xapi('get', `/activities?activityId=${encodeURIComponent(id)}`).expect(200);
      expect(body.definition).toEqual({ name: { de: 'Lektion drei', 'en-US': 'lesson three', 'th-TH': 'บทที่สาม' } });
    });
  });
});

describe('signed statements and the Alternate Request Syntax', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const BOUNDARY = 'signed-statement-boundary';

  /** A multipart/mixed body of parts, each its header lines (each ending in CRLF) and its content. */
  const parts = (...list: [headers: string, content: string | Buffer][]) =>
    Buffer.concat([
      ...list.flatMap(([headers, content]) => [
        Buffer.from(`--${BOUNDARY}\r\n${headers}\r\n`),
        Buffer.from(content),
        Buffer.from('\r\n'),
      ]),
      Buffer.from(`--${BOUNDARY}--\r\n`),
    ]);

  /** A statement and the contents of its attachments, as multipart/mixed. */
  const multipart = (statement: unknown, attachments: { contentType: string; sha2: string; content: Buffer }[]) =>
    parts(
      ['Content-Type: application/json\r\n', JSON.stringify(statement)],
      ...attachments.map(({ contentType, sha2, content }): [string, Buffer] => [
        `Content-Type: ${contentType}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${sha2}\r\n`,
        content,
      ]),
    );

  /** An attachment of evidence, as a statement describes it. */
  const evidence = (content: Buffer, contentType = 'text/plain') => ({
    usageType: 'http://apps.example/attachments/evidence',
    display: { 'en-US': 'evidence' },
    contentType,
    length: content.length,
    sha2: createHash('sha256').update(content).digest('hex'),
  });

  /** A GET of statements with their attachments (multipart/mixed): the statement of `statementId`, or the list. */
  const withAttachments = async (statementId?: string): Promise<string> =>
    (
      await xapi('get', `/statements?${statementId ? `statementId=${statementId}&` : ''}attachments=true`)
        .buffer(true)
        .parse((stream, done) => {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => done(null, Buffer.concat(chunks).toString('latin1')));
        })
        .expect(200)
    ).body as string;

  /** A statement signed as xAPI says (a JWS of it, attached with usageType …/signature), and that attachment. */
  function signed(statement: Record<string, unknown>, algorithm = 'RS256') {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ alg: algorithm })}.${part(statement)}`;
    const hash = algorithm === 'RS256' ? 'sha256' : 'sha512';
    const signature = Buffer.from(`${input}.${sign(hash, Buffer.from(input), privateKey).toString('base64url')}`);
    const sha2 = createHash('sha256').update(signature).digest('hex');
    const withSignature = {
      ...statement,
      attachments: [
        {
          usageType: 'http://adlnet.gov/expapi/attachments/signature',
          display: { 'en-US': 'signature' },
          contentType: 'application/octet-stream',
          length: signature.length,
          sha2,
        },
      ],
    };
    return {
      statement: withSignature,
      attachment: { contentType: 'application/octet-stream', sha2, content: signature },
    };
  }
  /** A signed statement as multipart/mixed. */
  const signedBody = (statement: Record<string, unknown>, algorithm?: string) => {
    const { statement: withSignature, attachment } = signed(statement, algorithm);
    return multipart(withSignature, [attachment]);
  };
  const post = (body: Buffer) =>
    xapi('post', '/statements').set('Content-Type', `multipart/mixed; boundary=${BOUNDARY}`).send(body);

  it('accepts a statement signed with RS256, and refuses another algorithm or a payload that is not it', async () => {
    const statement = aboutActivity();
    await post(signedBody(statement)).expect(200, [statement.id]);
    const other = { ...statement, id: randomUUID() };
    expectProblem(await post(signedBody(other, 'HS512')), 400);
    const forged = signedBody(other).toString('latin1').replace('http://apps.example/a', 'http://apps.example/b');
    expectProblem(await post(Buffer.from(forged, 'latin1')), 400);
    // In a batch, the problem names the statement.
    const { statement: inBatch, attachment } = signed(other, 'HS512');
    const batch = multipart([{ ...statement, id: randomUUID() }, inBatch], [attachment]);
    expect(expectProblem(await post(batch), 400).detail).toMatch(/^\[1\]: /);
    expect(await countRows(t, 'xapi_statements')).toBe(1);
  });

  describe('refuses a multipart body that does not carry its attachments as xAPI says (400), storing nothing', () => {
    const content = Buffer.from('evidence');
    const sha2 = createHash('sha256').update(content).digest('hex');
    const other = Buffer.from('other evidence');
    const otherSha2 = createHash('sha256').update(other).digest('hex');
    const json: [string, string] = [
      'Content-Type: application/json\r\n',
      JSON.stringify(aboutActivity({ attachments: [evidence(content)] })),
    ];
    const binary = 'Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n';
    it.each([
      ['without parts', parts(), 'The multipart/mixed body cannot be read'],
      [
        'whose first part is not JSON',
        parts(['Content-Type: text/plain\r\n', json[1]], [`${binary}X-Experience-API-Hash: ${sha2}\r\n`, content]),
        'The first part of a multipart/mixed body must be the statements, as application/json',
      ],
      [
        'with an attachment without its hash',
        parts(json, [binary, content]),
        'Every attachment part needs an X-Experience-API-Hash header',
      ],
      [
        'with an attachment without Content-Transfer-Encoding',
        parts(json, [`Content-Type: text/plain\r\nX-Experience-API-Hash: ${sha2}\r\n`, content]),
        'Every attachment part needs Content-Transfer-Encoding: binary',
      ],
      [
        'with an attachment of other content than its hash',
        parts(json, [`${binary}X-Experience-API-Hash: ${sha2}\r\n`, other]),
        `The attachment ${sha2} does not have that hash`,
      ],
      [
        'with an attachment whose Content-Type holds U+0000',
        parts(json, [
          `Content-Type: text/\u0000plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${sha2}\r\n`,
          content,
        ]),
        `The Content-Type of the attachment ${sha2} must not contain U+0000 or unpaired surrogate code points`,
      ],
      [
        'with an attachment no statement declares',
        parts(
          json,
          [`${binary}X-Experience-API-Hash: ${sha2}\r\n`, content],
          [`${binary}X-Experience-API-Hash: ${otherSha2}\r\n`, other],
        ),
        `The attachment ${otherSha2} belongs to no statement`,
      ],
      [
        'without an attachment its statement declares',
        parts(json),
        `The attachment ${sha2} has no fileUrl and was not sent`,
      ],
    ])('%s', async (_what, body, detail) => {
      expect(expectProblem(await post(body), 400).detail).toBe(detail);
      expect(await countRows(t, 'xapi_statements')).toBe(0);
    });
  });

  it('matches attachments to their statements by hash in any case, binary in any case, a missing Content-Type as application/octet-stream, and leaves one with a fileUrl unsent', async () => {
    const [first, second] = ['first evidence', 'second evidence'].map((text) => Buffer.from(text));
    const statement = aboutActivity({
      attachments: [
        { ...evidence(first), sha2: evidence(first).sha2.toUpperCase() },
        evidence(second),
        { ...evidence(Buffer.from('elsewhere')), fileUrl: 'http://apps.example/evidence.txt' },
      ],
    });
    const body = parts(
      ['Content-Type: application/json\r\n', JSON.stringify(statement)],
      [`Content-Transfer-Encoding: BINARY\r\nX-Experience-API-Hash: ${evidence(first).sha2}\r\n`, first],
      [
        `Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${evidence(second).sha2.toUpperCase()}\r\n`,
        second,
      ],
    );
    await post(body).expect(200, [statement.id]);
    // Given back alone or in the list, each attachment in its part.
    for (const stored of [await withAttachments(statement.id), await withAttachments()]) {
      expect(stored).toMatch(
        new RegExp(
          'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n' +
            `X-Experience-API-Hash: ${evidence(first).sha2}\r\n\r\nfirst evidence`,
          'i',
        ),
      );
      expect(stored).toMatch(new RegExp(`X-Experience-API-Hash: ${evidence(second).sha2}\r\n\r\nsecond evidence`, 'i'));
    }
  });

  it('stores two batches sent at once with the same two attachments in opposite orders', async () => {
    const contents = ['first attachment', 'second attachment'].map((text) => Buffer.from(text));
    const described = contents.map((content) => evidence(content));
    const batch = (order: number[]) => {
      const statement = aboutActivity({ attachments: order.map((index) => described[index]) });
      return multipart(
        statement,
        order.map((index) => ({ contentType: 'text/plain', sha2: described[index].sha2, content: contents[index] })),
      );
    };
    // Each request upserts its first attachment, then waits for the other to have too (or not to get there).
    const upsert = EntityManager.prototype.upsert;
    let arrived = 0;
    let bothArrived = () => {};
    const together = new Promise<void>((resolve) => (bothArrived = resolve));
    jest.spyOn(EntityManager.prototype, 'upsert').mockImplementation(async function (this: EntityManager, ...args) {
      const upserted = await upsert.apply(this, args as Parameters<typeof upsert>);
      if (++arrived === 2) bothArrived();
      await Promise.race([together, new Promise((resolve) => setTimeout(resolve, 500))]);
      return upserted as never;
    });
    let responses: request.Response[];
    try {
      responses = await Promise.all([post(batch([0, 1])), post(batch([1, 0]))]);
    } finally {
      jest.restoreAllMocks();
    }
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(await countRows(t, 'xapi_attachments')).toBe(2);
  });

  it('keeps an attachment as first stored: the same content sent again under another Content-Type changes nothing', async () => {
    const content = Buffer.from('the same evidence');
    const sha2 = createHash('sha256').update(content).digest('hex');
    const withAttachment = (contentType: string) => {
      const statement = aboutActivity({ attachments: [evidence(content, contentType)] });
      return { id: statement.id, body: multipart(statement, [{ contentType, sha2, content }]) };
    };
    const first = withAttachment('text/plain');
    await post(first.body).expect(200, [first.id]);
    const second = withAttachment('text/html');
    await post(second.body).expect(200, [second.id]);

    const body = await withAttachments(first.id);
    // The statement as stored, its attachment's part as it was sent with it.
    expect(body).toContain('"contentType":"text/plain"');
    expect(body).toMatch(new RegExp(`Content-Type: text/plain\r\n[^]*X-Experience-API-Hash: ${sha2}`));
    expect(body).not.toContain('text/html');
  });

  it('gives back the attachments of a SubStatement with the statement', async () => {
    const content = Buffer.from('evidence of the substatement');
    const sha2 = createHash('sha256').update(content).digest('hex');
    const statement = {
      id: randomUUID(),
      actor: LEARNER,
      verb: { id: 'http://adlnet.gov/expapi/verbs/planned' },
      object: {
        objectType: 'SubStatement',
        actor: LEARNER,
        verb: { id: ANSWERED },
        object: { id: 'http://apps.example/a' },
        attachments: [evidence(content)],
      },
    };
    await post(multipart(statement, [{ contentType: 'text/plain', sha2, content }])).expect(200, [statement.id]);

    expect(await withAttachments(statement.id)).toMatch(
      new RegExp(`X-Experience-API-Hash: ${sha2}\r\n[^]*evidence of the substatement`),
    );
  });

  it('takes 1.0.3’s Alternate Request Syntax (a form POSTed with ?method=), and 2.0.0 refuses it', async () => {
    const id = randomUUID();
    const statement = aboutActivity({ id });
    const form = (version: string) =>
      new URLSearchParams({
        statementId: id,
        content: JSON.stringify(statement),
        Authorization: BASIC,
        'X-Experience-API-Version': version,
      }).toString();
    expectProblem(
      await xapi('post', '/statements?method=PUT', '2.0.0')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(form('2.0.0')),
      400,
    );
    await request(t.http)
      .post('/xapi/statements?method=PUT')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(form('1.0.3'))
      .expect(204);
    const { body } = await xapi('get', `/statements?statementId=${id}`).expect(200);
    expect(body).toMatchObject({ id, object: { id: 'http://apps.example/a' } });
  });

  /** A form POSTed to `path` in the Alternate Request Syntax: the credentials and 1.0.3 unless `fields` say otherwise. */
  const alternate = (path: string, fields: Record<string, string>, type = 'application/x-www-form-urlencoded') =>
    request(t.http)
      .post(`/xapi${path}`)
      .set('Content-Type', type)
      .send(new URLSearchParams({ Authorization: BASIC, 'X-Experience-API-Version': '1.0.3', ...fields }).toString());

  it('takes the Alternate Request Syntax’s method and media type in any case, and its version spaced or as a header', async () => {
    const id = randomUUID();
    const content = JSON.stringify(aboutActivity({ id }));
    const type = 'Application/X-WWW-Form-Urlencoded ; charset=UTF-8';
    await alternate(
      '/statements?method=put',
      { statementId: id, content, 'X-Experience-API-Version': ' 1.0.3 ' },
      type,
    ).expect(204);
    const fields = new URLSearchParams({ Authorization: BASIC, statementId: id }).toString();
    const asHeader = await request(t.http)
      .post('/xapi/statements?method=GET')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('X-Experience-API-Version', '1.0.3')
      .send(fields)
      .expect(200);
    expect(asHeader.body).toMatchObject({ id });
    // Answered as a HEAD: no body, and a length that says so (the client sent a POST, whose answer it reads whole).
    const head = await alternate('/statements?method=HEAD', { statementId: id }).expect(200);
    expect(head.headers['content-length']).toBe('0');
    expect(head.text).toBe('');
  });

  it('leaves any other request as it is, which the resource refuses for its method parameter (400)', async () => {
    const id = randomUUID();
    const content = JSON.stringify(aboutActivity({ id }));
    const form = new URLSearchParams({ statementId: id, content }).toString();
    const urlencoded = 'application/x-www-form-urlencoded';
    for (const refused of [
      xapi('put', '/statements?method=POST')
        .set('Content-Type', urlencoded)
        .send(new URLSearchParams({ content }).toString()),
      xapi('post', `/statements?method=PUT&statementId=${id}`).set('Content-Type', urlencoded).send(form),
      xapi('post', '/statements?method=PUT').set('Content-Type', 'text/plain').send(form),
      xapi('post', '/statements?method=PATCH').set('Content-Type', urlencoded).send(form),
    ]) {
      expectProblem(await refused, 400);
    }
    expect(await countRows(t, 'xapi_statements')).toBe(0);
  });

  it('takes a document’s preconditions and content type from the form', async () => {
    const profile = { activityId: 'http://apps.example/a', profileId: 'notes' };
    const put = (more: Record<string, string>) =>
      alternate('/activities/profile?method=PUT', {
        ...profile,
        content: 'hello',
        'Content-Type': 'text/plain',
        ...more,
      });
    await put({ 'If-None-Match': '*' }).expect(204);
    expectProblem(await put({ 'If-None-Match': '*' }), 412);
    expectProblem(await put({ 'If-Match': '"not-its-etag"' }), 412);
    const stored = await alternate('/activities/profile?method=GET', profile).expect(200);
    expect(stored.headers['content-type']).toMatch(/^text\/plain/);
    expect(stored.text).toBe('hello');
  });
});

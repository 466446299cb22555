import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import request from 'supertest';
import { asInteger } from '../../src/database/dialect.js';
import { StudySessionsService } from '../../src/study-sessions/study-sessions.service.js';
import { LaunchService } from '../../src/xapi/launch.service.js';
import { expectProblem, sql } from '../api.js';
import { useEmptyTestApp } from '../app.js';
import { portal } from '../fixtures.js';

const KEY = 'lrs-client';
const SECRET = 'xapi-test-secret-0123456789';
const PUBLIC_URL = 'http://portal.test';
const t = useEmptyTestApp({ XAPI_KEY: KEY, XAPI_SECRET: SECRET, PUBLIC_URL });
const client = portal(t);

beforeEach(async () => {
  for (const table of ['xapi_launch_tokens', 'xapi_statement_agents', 'xapi_statement_activities', 'xapi_statements']) {
    await sql(t, `delete from ${table}`);
  }
});

const ANSWERED = 'http://adlnet.gov/expapi/verbs/answered';
const wordIri = (id: number) => `${PUBLIC_URL}/api/v1/words/${id}`;

/** An xAPI request with this HTTP Basic credential (the auth-token a fetch URL gave is one already). */
const xapi = (method: 'get' | 'post' | 'put' | 'head', path: string, authToken: string) =>
  request(t.http)
    [method](`/xapi${path}`)
    .set('Authorization', `Basic ${authToken}`)
    .set('X-Experience-API-Version', '1.0.3');

/** Registers an xAPI app, launches it on a new group of `count` words, and reads the launch URL's parameters. */
async function launchXapiApp(count = 2) {
  const { group, words } = await client.groupWithWords('launch', count);
  const app = (
    await client
      .post('/learning_apps', {
        name: 'Storyline lesson',
        launch_url: 'https://apps.example/lesson/index.html?x=1',
        launch_method: 'xapi',
      })
      .expect(201)
  ).body;
  const launched = (await client.post(`/learning_apps/${app.id}/launch`, { group_id: group.id }).expect(201)).body;
  const params = new URL(launched.launch_url).searchParams;
  return { app, group, words, session: launched.study_session, params };
}

/** The session's credential, from the launch's fetch URL (which gives it once). */
async function fetchToken(params: URLSearchParams): Promise<string> {
  return (
    await request(t.http)
      .post(new URL(params.get('fetch')!).pathname)
      .expect(200)
  ).body['auth-token'];
}

/** The registration's statement about a word, as a cmi5 AU sends it. */
function answer(registration: string, wordId: number, success: boolean) {
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', account: { homePage: PUBLIC_URL, name: 'learner' } },
    verb: { id: ANSWERED },
    object: { id: wordIri(wordId) },
    result: { success },
    context: { registration },
  };
}

describe('learning apps registered as xAPI apps', () => {
  it('have launch_method "plain" unless registered "xapi"; anything else is a 400', async () => {
    const plain = (
      await client.post('/learning_apps', { name: 'Plain', launch_url: 'https://apps.example/p' }).expect(201)
    ).body;
    expect(plain.launch_method).toBe('plain');
    expectProblem(
      await client.post('/learning_apps', {
        name: 'Scorm',
        launch_url: 'https://apps.example/s',
        launch_method: 'scorm',
      }),
      400,
    );
    const { body } = await client.patch(`/learning_apps/${plain.id}`, { launch_method: 'xapi' }).expect(200);
    expect(body.launch_method).toBe('xapi');
  });

  it('a plain app’s launch URL keeps today’s parameters only', async () => {
    const { group } = await client.groupWithWords('plain', 1);
    const app = (
      await client.post('/learning_apps', { name: 'Plain', launch_url: 'https://apps.example/p' }).expect(201)
    ).body;
    const launched = (await client.post(`/learning_apps/${app.id}/launch`, { group_id: group.id }).expect(201)).body;
    expect([...new URL(launched.launch_url).searchParams.keys()]).toEqual(['session_id', 'group_id', 'api_base']);
    expect(await sql(t, 'select registration from study_sessions')).toEqual([{ registration: null }]);
  });

  it('an xAPI app’s launch URL adds endpoint, fetch, registration, activityId and actor; the session keeps the registration', async () => {
    const { app, session, params } = await launchXapiApp();
    expect([...params.keys()]).toEqual([
      'x',
      'session_id',
      'group_id',
      'api_base',
      'endpoint',
      'fetch',
      'registration',
      'activityId',
      'actor',
    ]);
    const registration = params.get('registration')!;
    expect(registration).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(params.get('endpoint')).toBe(`${PUBLIC_URL}/xapi/`);
    expect(params.get('fetch')).toBe(`${PUBLIC_URL}/xapi/fetch/${registration}`);
    expect(params.get('activityId')).toBe(`${PUBLIC_URL}/api/v1/learning_apps/${app.id}`);
    expect(JSON.parse(params.get('actor')!)).toEqual({
      objectType: 'Agent',
      name: 'Lang Portal learner',
      account: { homePage: PUBLIC_URL, name: 'learner' },
    });
    expect(await sql(t, 'select id, registration from study_sessions')).toEqual([{ id: session.id, registration }]);
  });
});

describe('the fetch URL', () => {
  it('gives the session’s credential exactly once, then cmi5’s error body', async () => {
    const { params } = await launchXapiApp();
    // A UUID however its letters are cased.
    const fetchPath = new URL(params.get('fetch')!).pathname.toUpperCase().replace('/XAPI/FETCH/', '/xapi/fetch/');
    const first = await request(t.http).post(fetchPath).expect(200);
    expect(first.body).toEqual({ 'auth-token': expect.any(String) });
    expect(first.headers['cache-control']).toBe('no-store');
    const second = await request(t.http).post(fetchPath).expect(409);
    expect(second.body).toEqual({ 'error-code': '1', 'error-text': expect.any(String) });
    // The credential still works after the second call.
    await xapi('get', `/statements?registration=${params.get('registration')}`, first.body['auth-token']).expect(200);
    for (const registration of [randomUUID(), 'not-a-registration', '%00']) {
      const unknown = await request(t.http).post(`/xapi/fetch/${registration}`).expect(404);
      expect(unknown.body).toEqual({ 'error-code': '3', 'error-text': expect.any(String) });
    }
  });

  it('gives the credential once to two fetches at once: the other is cmi5’s 409, and the token is 24 random bytes', async () => {
    const { params } = await launchXapiApp();
    const fetchPath = new URL(params.get('fetch')!).pathname;
    // Each fetch waits, once it found the session, for the other to find it too (PostgreSQL), or for a while where the
    // other waits for its transaction (SQLite).
    const find = StudySessionsService.prototype.launchedSession;
    let arrived = 0;
    let bothFound!: () => void;
    const both = new Promise<void>((resolve) => (bothFound = resolve));
    jest.spyOn(StudySessionsService.prototype, 'launchedSession').mockImplementation(async function (
      this: StudySessionsService,
      ...args
    ) {
      const found = await find.apply(this, args);
      if (++arrived === 2) bothFound();
      await Promise.race([both, new Promise((resolve) => setTimeout(resolve, 500))]);
      return found;
    });
    let answers: request.Response[];
    try {
      answers = await Promise.all([request(t.http).post(fetchPath), request(t.http).post(fetchPath)]);
    } finally {
      jest.restoreAllMocks();
    }
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body).toEqual({
      'error-code': '1',
      'error-text': expect.any(String),
    });
    const credential = answers.find((answer) => answer.status === 200)!.body['auth-token'] as string;
    const [user, token] = Buffer.from(credential, 'base64').toString().split(':');
    expect(user).toBe(params.get('registration'));
    expect(Buffer.from(token, 'base64url')).toHaveLength(24);
  });

  it('answers cmi5’s 404 when its session is deleted after the fetch found it', async () => {
    const { group, params } = await launchXapiApp();
    const find = StudySessionsService.prototype.launchedSession;
    let deleted: Promise<unknown> | undefined;
    jest.spyOn(StudySessionsService.prototype, 'launchedSession').mockImplementation(async function (
      this: StudySessionsService,
      ...args
    ) {
      const found = await find.apply(this, args);
      deleted ??= Promise.resolve(client.delete(`/groups/${group.id}?force=true`));
      // The delete goes first where it does not wait for the fetch (PostgreSQL), or after it (SQLite).
      await Promise.race([deleted, new Promise((resolve) => setTimeout(resolve, 500))]);
      return found;
    });
    let fetched: request.Response;
    try {
      fetched = await request(t.http).post(new URL(params.get('fetch')!).pathname);
    } finally {
      jest.restoreAllMocks();
    }
    expect((await deleted)!).toMatchObject({ status: 204 });
    // Either order of the two, never a problem document: the session was there (the credential), or was not.
    if (fetched.status === 200) {
      expect(fetched.body).toEqual({ 'auth-token': expect.any(String) });
    } else {
      expect(fetched.status).toBe(404);
      expect(fetched.body).toEqual({ 'error-code': '3', 'error-text': expect.any(String) });
    }
  });

  it('the credential is valid for its session only', async () => {
    const { params, words } = await launchXapiApp();
    const registration = params.get('registration')!;
    const token = await fetchToken(params);
    // Statements of another registration, or none: 403, nothing stored.
    expectProblem(await xapi('post', '/statements', token).send(answer(randomUUID(), words[0].id, true)), 403);
    const unregistered = { ...answer(registration, words[0].id, true), context: undefined };
    expectProblem(await xapi('post', '/statements', token).send(unregistered), 403);
    expectProblem(await xapi('get', `/statements?registration=${randomUUID()}`, token), 403);
    // Statements the xAPI client sent about another registration are not found with it.
    const other = answer(randomUUID(), words[0].id, true);
    const client = Buffer.from(`${KEY}:${SECRET}`).toString('base64');
    await xapi('post', '/statements', client).send(other).expect(200);
    expectProblem(await xapi('get', `/statements?statementId=${other.id}`, token), 404);
    expect((await xapi('get', '/statements', token).expect(200)).body.statements).toEqual([]);
    // Documents: the state of its registration, reading profiles; not another registration's state.
    const state = `/activities/state?activityId=${encodeURIComponent(params.get('activityId')!)}&agent=${encodeURIComponent(params.get('actor')!)}&stateId=LMS.LaunchData`;
    await xapi('put', `${state}&registration=${registration}`, token).send({ launchMode: 'Normal' }).expect(204);
    expectProblem(await xapi('put', `${state}&registration=${randomUUID()}`, token).send({}), 403);
    expectProblem(await xapi('get', `${state}&registration=${randomUUID()}`, token), 403);
    // Profiles it reads, and writes none.
    const profile = `/activities/profile?activityId=${encodeURIComponent(params.get('activityId')!)}&profileId=p`;
    await xapi('get', profile, token).expect(404);
    expectProblem(await xapi('put', profile, token).send({ x: 1 }), 403);
    // A wrong password is no credential.
    const forged = Buffer.from(`${registration}:not-the-token`).toString('base64');
    expectProblem(await xapi('get', '/statements', forged), 401);
    // Nor is any password for a registration that fetched no credential (verify compares it with a stand-in hash).
    for (const password of ['no credential', '']) {
      const unfetched = Buffer.from(`${randomUUID()}:${password}`).toString('base64');
      expectProblem(await xapi('get', '/statements', unfetched), 401);
    }
  });
  it('reaches its state by its registration in any case, reads activities, agents and profiles, writes no other document', async () => {
    const { params } = await launchXapiApp();
    const registration = params.get('registration')!;
    const token = await fetchToken(params);
    const activityId = encodeURIComponent(params.get('activityId')!);
    const agent = encodeURIComponent(params.get('actor')!);
    const state = `/activities/state?activityId=${activityId}&agent=${agent}&stateId=LMS.LaunchData`;
    await xapi('put', `${state}&registration=${registration.toUpperCase()}`, token).send({}).expect(204);
    // Given twice, the registration is no registration (nor a fault).
    expectProblem(await xapi('get', `${state}&registration=${registration}&registration=${registration}`, token), 403);
    await xapi('get', `/activities?activityId=${activityId}`, token).expect(200);
    await xapi('get', `/agents?agent=${agent}`, token).expect(200);
    await xapi('get', `/agents/profile?agent=${agent}&profileId=p`, token).expect(404);
    await xapi('head', `/activities/profile?activityId=${activityId}&profileId=p`, token).expect(404);
    // Its registration in the query opens no other document.
    const profile = `/activities/profile?activityId=${activityId}&profileId=p&registration=${registration}`;
    expectProblem(await xapi('put', profile, token).send({ x: 1 }), 403);
  });

  it('is the session’s with its registration in capitals', async () => {
    const { params } = await launchXapiApp();
    const registration = params.get('registration')!;
    const [, password] = Buffer.from(await fetchToken(params), 'base64')
      .toString()
      .split(':');
    const upper = Buffer.from(`${registration.toUpperCase()}:${password}`).toString('base64');
    await xapi('get', `/statements?registration=${registration}`, upper).expect(200);
  });
});

describe('statements of a launched xAPI app', () => {
  it('land in its study session and move the counters and cards once, also when sent twice', async () => {
    const { params, words, session } = await launchXapiApp(2);
    const registration = params.get('registration')!;
    const token = await fetchToken(params);
    const right = answer(registration, words[0].id, true);
    const wrong = answer(registration, words[1].id, false);
    await xapi('post', '/statements', token).send([right, wrong]).expect(200, [right.id, wrong.id]);
    await xapi('post', '/statements', token).send(right).expect(200, [right.id]);
    await xapi('put', `/statements?statementId=${wrong.id}`, token).send(wrong).expect(204);

    const { body } = await client.get(`/study_sessions/${session.id}`).expect(200);
    expect(body).toMatchObject({ review_items_count: 2, correct_count: 1, wrong_count: 1 });
    const reviews = await sql(
      t,
      `select word_id, ${asInteger('correct')} as correct, study_session_id from words_review_items order by word_id`,
    );
    expect(reviews).toEqual([
      { word_id: words[0].id, correct: 1, study_session_id: session.id },
      { word_id: words[1].id, correct: 0, study_session_id: session.id },
    ]);
    const counters = (await client.allWords()).map((word) => [word.correct_count, word.wrong_count]);
    expect(counters).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(await sql(t, 'select word_id, reps from cards order by word_id')).toEqual([
      { word_id: words[0].id, reps: 1 },
      { word_id: words[1].id, reps: 1 },
    ]);
    const sessionWords = (await client.get(`/study_sessions/${session.id}/words`).expect(200)).body.items;
    expect(sessionWords.map((word: { id: number }) => word.id)).toEqual([words[0].id, words[1].id]);
  });

  it('are stored with the launch as their authority, and matched to its registration in any case', async () => {
    const { params, words } = await launchXapiApp(1);
    const registration = params.get('registration')!;
    expect(registration).toBe(registration.toLowerCase());
    const token = await fetchToken(params);
    const statement = answer(registration.toUpperCase(), words[0].id, true);
    await xapi('post', '/statements', token).send(statement).expect(200);
    const read = await xapi('get', `/statements?registration=${registration.toUpperCase()}`, token).expect(200);
    expect(read.body.statements.map((stored: { id: string }) => stored.id)).toEqual([statement.id]);
    expect(read.body.statements[0].authority).toEqual({
      objectType: 'Agent',
      name: 'Launched xAPI app',
      account: { homePage: PUBLIC_URL, name: registration },
    });
  });

  it('sent while a forced delete of its group removes the session, record no answer the delete leaves behind', async () => {
    const { group, params, words } = await launchXapiApp(1);
    const token = await fetchToken(params);
    // The delete runs once the guard has accepted the credential, before the statement is stored.
    const verify = LaunchService.prototype.verify;
    jest.spyOn(LaunchService.prototype, 'verify').mockImplementation(async function (this: LaunchService, ...args) {
      const valid = await verify.apply(this, args);
      await client.delete(`/groups/${group.id}?force=true`).expect(204);
      return valid;
    });
    let stored: request.Response;
    try {
      stored = await xapi('post', '/statements', token).send(answer(params.get('registration')!, words[0].id, true));
    } finally {
      jest.restoreAllMocks();
    }
    expect(expectProblem(stored, 401).detail).toBe('The study session of this launch credential was deleted');
    expect(stored.headers['www-authenticate']).toMatch(/^Basic realm="xAPI"/);
    expect(await sql(t, 'select word_id, study_session_id from words_review_items')).toEqual([]);
  });

  it('an answer timestamped before its session started is recorded at the start', async () => {
    const { params, words, session } = await launchXapiApp(1);
    const token = await fetchToken(params);
    const early = {
      ...answer(params.get('registration')!, words[0].id, true),
      timestamp: new Date(Date.parse(session.start_time) - 60 * 60 * 1000).toISOString(),
    };
    await xapi('post', '/statements', token).send(early).expect(200);
    const [review] = (await client.get(`/words/${words[0].id}/schedule`).expect(200)).body.history;
    expect(review.reviewed_at).toBe(session.start_time);
  });

  it('an answer about a word outside the session’s group is recorded outside any session', async () => {
    const { params } = await launchXapiApp(1);
    const stranger = await client.createWord({ thai: 'นก', english: 'bird' });
    const token = await fetchToken(params);
    await xapi('post', '/statements', token)
      .send(answer(params.get('registration')!, stranger.id, true))
      .expect(200);
    expect(await sql(t, 'select word_id, study_session_id from words_review_items')).toEqual([
      { word_id: stranger.id, study_session_id: null },
    ]);
  });
});

describe('two launched sessions', () => {
  const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
  const voiding = (registration: string, target: string) => ({
    actor: { objectType: 'Agent', account: { homePage: PUBLIC_URL, name: 'learner' } },
    verb: { id: VOIDED },
    object: { objectType: 'StatementRef', id: target },
    context: { registration },
  });

  /** The app launched twice on one group: two sessions, each with its registration and credential. */
  async function twoSessions() {
    const first = await launchXapiApp(1);
    const again = (await client.post(`/learning_apps/${first.app.id}/launch`, { group_id: first.group.id }).expect(201))
      .body;
    const params = new URL(again.launch_url).searchParams;
    return {
      word: first.words[0],
      seven: { registration: first.params.get('registration')!, token: await fetchToken(first.params) },
      eight: { registration: params.get('registration')!, token: await fetchToken(params) },
    };
  }

  it('one credential cannot void the other’s statements: the target is not found with it, as an unknown id', async () => {
    const { word, seven, eight } = await twoSessions();
    const statement = answer(seven.registration, word.id, true);
    await xapi('post', '/statements', seven.token).send(statement).expect(200);
    await xapi('post', '/statements', eight.token).send(voiding(eight.registration, statement.id)).expect(200);
    await xapi('get', `/statements?statementId=${statement.id}`, seven.token).expect(200);
    expectProblem(await xapi('get', `/statements?voidedStatementId=${statement.id}`, seven.token), 404);
    // Its own statements it voids.
    const own = answer(eight.registration, word.id, true);
    await xapi('post', '/statements', eight.token).send(own).expect(200);
    await xapi('post', '/statements', eight.token).send(voiding(eight.registration, own.id)).expect(200);
    await xapi('get', `/statements?voidedStatementId=${own.id}`, eight.token).expect(200);
  });

  it('a credential reads no statement of another registration, not even one referring to its own', async () => {
    const { word, seven, eight } = await twoSessions();
    const statement = answer(seven.registration, word.id, true);
    await xapi('post', '/statements', seven.token).send(statement).expect(200);
    const reference = {
      ...answer(eight.registration, word.id, true),
      object: { objectType: 'StatementRef', id: statement.id },
      verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
      result: undefined,
    };
    await xapi('post', '/statements', eight.token).send(reference).expect(200);
    const read = async (token: string, query = '') =>
      (await xapi('get', `/statements${query}`, token).expect(200)).body.statements.map((s: { id: string }) => s.id);
    expect(await read(seven.token)).toEqual([statement.id]);
    expect(await read(eight.token)).toEqual([reference.id]);
    // Its reference is not found as one to a statement answered: what it refers to is not found with it either.
    expect(await read(eight.token, `?verb=${encodeURIComponent(ANSWERED)}`)).toEqual([]);
    // The xAPI client filtering by a registration gets the statements referring to its statements too (xAPI's rule).
    const client = Buffer.from(`${KEY}:${SECRET}`).toString('base64');
    const { body } = await xapi('get', `/statements?registration=${seven.registration}`, client).expect(200);
    expect(body.statements.map((s: { id: string }) => s.id)).toEqual([reference.id, statement.id]);
    // Nor through one: its own statement referring to the other's reference is not one to a statement answered.
    const back = {
      ...answer(seven.registration, word.id, true),
      object: { objectType: 'StatementRef', id: reference.id },
      verb: reference.verb,
      result: undefined,
    };
    await xapi('post', '/statements', seven.token).send(back).expect(200);
    expect(await read(seven.token, `?verb=${encodeURIComponent(ANSWERED)}`)).toEqual([statement.id]);
  });

  it('a credential cannot reach another registration through a more link', async () => {
    const { word, seven, eight } = await twoSessions();
    await xapi('post', '/statements', seven.token)
      .send([answer(seven.registration, word.id, true), answer(seven.registration, word.id, false)])
      .expect(200);
    const { body } = await xapi('get', `/statements?limit=1`, seven.token).expect(200);
    expect(body.statements).toHaveLength(1);
    expect(body.more).not.toBe('');
    // Seven's own link, used by eight, reads nothing of seven's.
    expect((await xapi('get', body.more.replace(/^\/xapi/, ''), eight.token).expect(200)).body.statements).toEqual([]);
    const cursor = (parameters: Record<string, string>) =>
      `/statements?more=${Buffer.from(JSON.stringify({ parameters, after: Number.MAX_SAFE_INTEGER })).toString('base64url')}`;
    expectProblem(await xapi('get', cursor({ registration: seven.registration }), eight.token), 403);
  });
});

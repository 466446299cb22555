import { jest } from '@jest/globals';
import request, { type Response, type Test } from 'supertest';
import { LearningAppsService } from '../../src/learning-apps/learning-apps.service.js';
import { countRows, expectInvalid, expectProblem, type GroupBody, ISO_MS } from '../api.js';
import { useEmptyTestApp, useTestApp } from '../app.js';
import { type LearningAppBody, portal } from '../fixtures.js';

const t = useEmptyTestApp();
const client = portal(t);

const flashcards = {
  name: 'Flashcards',
  description: 'Flip cards from Thai to English.',
  launch_url: 'https://apps.example/flashcards',
  thumbnail_url: 'https://apps.example/flashcards.png',
};

const BAD_URLS = [
  'ftp://apps.example/fc',
  '/fc',
  'fc/index.html',
  'apps.example/fc',
  '//apps.example/fc',
  'javascript:alert(1)',
  'mailto:someone@apps.example',
  'https://',
  'not a url',
  // Accepted by a plain URL syntax check, refused by the WHATWG URL parser that browsers and the launch use.
  'http://xn--a.com/',
];

describe('POST /learning_apps', () => {
  it('answers 201 with the app and a Location header', async () => {
    const response = await client.post('/learning_apps', flashcards).expect(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      ...flashcards,
      launch_method: 'plain',
      created_at: expect.stringMatching(ISO_MS),
    });
    expect(await client.followLocation(response, '/learning_apps')).toEqual(response.body);
  });

  it.each([
    ['absent', {}],
    ['null', { thumbnail_url: null }],
  ])('defaults description to "" and thumbnail_url to null when it is %s', async (_, extra) => {
    const app = await client.createApp({ name: 'Quiz', launch_url: 'http://localhost:8080/quiz', ...extra });
    expect(app).toMatchObject({
      name: 'Quiz',
      description: '',
      launch_url: 'http://localhost:8080/quiz',
      thumbnail_url: null,
    });
  });

  it('trims its strings and keeps Thai text and a launch_url with a query and fragment', async () => {
    const app = await client.createApp({
      name: '  แฟลชการ์ด  ',
      description: ' ฝึกคำศัพท์ ',
      launch_url: ' https://apps.example/fc?lang=th&level=1#start ',
    });
    expect(app).toMatchObject({
      name: 'แฟลชการ์ด',
      description: 'ฝึกคำศัพท์',
      launch_url: 'https://apps.example/fc?lang=th&level=1#start',
    });
  });

  it.each([
    [{ launch_url: 'https://apps.example/fc' }, 'name'],
    [{ name: '   ', launch_url: 'https://apps.example/fc' }, 'name'],
    [{ name: 7, launch_url: 'https://apps.example/fc' }, 'name'],
    [{ name: 'Quiz' }, 'launch_url'],
    [{ name: 'Quiz', launch_url: 'https://apps.example/fc', thumbnail_url: '' }, 'thumbnail_url'],
    [{ name: 'Quiz', launch_url: null }, 'launch_url'],
    [{ name: 'Quiz', launch_url: 'https://apps.example/fc', description: 5 }, 'description'],
    [{ name: 'Quiz', launch_url: 'https://apps.example/fc', thumbnail_url: 5 }, 'thumbnail_url'],
    [{ name: 'Quiz', launch_url: 'https://apps.example/fc', icon: 'x' }, 'icon'],
  ])('answers 400 for %j', async (body, field) => {
    expectInvalid(await client.post('/learning_apps', body), field);
    expect(await countRows(t, 'learning_apps')).toBe(0);
  });

  it('answers 400 with a single entry for a URL of the wrong type, not its length too', async () => {
    const url = 'https://apps.example/fc';
    expect(expectProblem(await client.post('/learning_apps', { name: 'Quiz' }), 400).errors).toEqual([
      { field: 'launch_url', message: 'is required' },
    ]);
    for (const [body, field] of [
      [{ name: 'Quiz', launch_url: 5 }, 'launch_url'],
      [{ name: 'Quiz', launch_url: null }, 'launch_url'],
      [{ name: 'Quiz', launch_url: url, thumbnail_url: 5 }, 'thumbnail_url'],
      [{ name: 'Quiz', launch_url: url, thumbnail_url: ['https://apps.example/t.png'] }, 'thumbnail_url'],
    ] as const) {
      expect(expectProblem(await client.post('/learning_apps', body), 400).errors).toEqual([
        { field, message: 'must be a string' },
      ]);
    }
    expect(
      expectProblem(await client.post('/learning_apps', { name: 'Quiz', launch_url: 'ftp://x' }), 400).errors,
    ).toEqual([{ field: 'launch_url', message: 'must be an absolute http or https URL' }]);
    expect(await countRows(t, 'learning_apps')).toBe(0);
  });

  it('answers 400 for a name over 100, or a URL or description over 2000 characters', async () => {
    // A URL of `length` characters.
    const url = (length: number) => `https://apps.example/${'x'.repeat(length - 'https://apps.example/'.length)}`;
    const tooLong = [
      [{ name: 'x'.repeat(101), launch_url: 'https://apps.example/fc' }, 'name'],
      [{ name: 'Quiz', launch_url: url(2001) }, 'launch_url'],
      [{ name: 'Quiz', launch_url: url(2000), thumbnail_url: url(2001) }, 'thumbnail_url'],
      [{ name: 'Quiz', launch_url: url(2000), description: 'ก'.repeat(2001) }, 'description'],
    ] as const;
    for (const [body, field] of tooLong) {
      expectInvalid(await client.post('/learning_apps', body), field);
    }
    await client.createApp({
      name: 'x'.repeat(100),
      launch_url: url(2000),
      thumbnail_url: url(2000),
      description: 'ก'.repeat(2000),
    });
  });

  it.each(BAD_URLS)('answers 400 for the launch_url or thumbnail_url %j', async (url) => {
    expectInvalid(await client.post('/learning_apps', { name: 'Quiz', launch_url: url }), 'launch_url');
    const withThumbnail = { name: 'Quiz', launch_url: 'https://apps.example/fc', thumbnail_url: url };
    expectInvalid(await client.post('/learning_apps', withThumbnail), 'thumbnail_url');
    expect(await countRows(t, 'learning_apps')).toBe(0);
  });

  it.each(['http://flash_cards:8080/play', 'http://192.168.1.20/quiz', 'http://[::1]:8080/', 'https://ครู.example/'])(
    'takes the launch_url and thumbnail_url %j, as browsers open it',
    async (url) => {
      const app = await client.createApp({ name: 'Quiz', launch_url: url, thumbnail_url: url });
      expect(app).toMatchObject({ launch_url: url, thumbnail_url: url });
    },
  );

  it('answers 409 for a name that is taken, ignoring case and surrounding spaces', async () => {
    const taken = await client.createApp({ name: 'Flashcards' });
    for (const name of ['Flashcards', 'FLASHCARDS', ' flashcards ']) {
      const response = await client.post('/learning_apps', { name, launch_url: 'https://other.example/' });
      expect(expectProblem(response, 409).detail).toBe(
        `A learning app named "Flashcards" already exists (id ${taken.id})`,
      );
    }
    expect(await countRows(t, 'learning_apps')).toBe(1);
  });

  it('answers 409 for a name that differs only in the case of non-ASCII letters', async () => {
    await client.createApp({ name: 'Ｆlash Écrire' });
    for (const name of ['ｆlash écrire', 'ＦLASH ÉCRIRE']) {
      expectProblem(await client.post('/learning_apps', { name, launch_url: 'https://other.example/' }), 409);
    }
    expect(await countRows(t, 'learning_apps')).toBe(1);
  });

  it('answers 201 for a name that differs from another in more than case (full-width letters, a ligature)', async () => {
    await client.createApp({ name: 'Quiz file' });

    for (const name of ['Ｑｕｉｚ file', 'Quiz ﬁle']) {
      await client.post('/learning_apps', { name, launch_url: 'https://other.example/' }).expect(201);
    }
    expect(await countRows(t, 'learning_apps')).toBe(3);
  });
});

describe('GET /learning_apps', () => {
  it('lists the apps by name, case-insensitively, paginated', async () => {
    for (const name of ['gamma', 'Beta', 'alpha', 'Delta']) {
      await client.createApp({ name });
    }
    const names = async (query: string) =>
      (await client.get(`/learning_apps${query}`).expect(200)).body.items.map((app: LearningAppBody) => app.name);
    expect(await names('')).toEqual(['alpha', 'Beta', 'Delta', 'gamma']);
    expect(await names('?per_page=3&page=2')).toEqual(['gamma']);
    const page = await client.get('/learning_apps?per_page=3').expect(200);
    expect(page.body.pagination).toEqual({ current_page: 1, total_pages: 2, total_items: 4, items_per_page: 3 });
    expectInvalid(await client.get('/learning_apps?per_page=0'), 'per_page');
  });
});

describe('GET /learning_apps/:id', () => {
  it('answers 404 for an app that does not exist and 400 for an id that is not a positive integer', async () => {
    expectProblem(await client.get('/learning_apps/999999'), 404);
    expectInvalid(await client.get('/learning_apps/abc'), 'id');
  });
});

describe('PATCH /learning_apps/:id', () => {
  let app: LearningAppBody;
  beforeEach(async () => {
    app = (await client.post('/learning_apps', flashcards).expect(201)).body;
  });

  it('changes only the fields it is given', async () => {
    const response = await client.patch(`/learning_apps/${app.id}`, { description: ' New text ' }).expect(200);
    expect(response.body).toEqual({ ...app, description: 'New text' });
    const moved = await client
      .patch(`/learning_apps/${app.id}`, { name: 'Cards', launch_url: 'http://localhost:9000/cards' })
      .expect(200);
    expect(moved.body).toEqual({
      ...app,
      description: 'New text',
      name: 'Cards',
      launch_url: 'http://localhost:9000/cards',
    });
    expect((await client.get(`/learning_apps/${app.id}`).expect(200)).body).toEqual(moved.body);
    expect((await client.patch(`/learning_apps/${app.id}`, {}).expect(200)).body).toEqual(moved.body);
  });

  it('removes the thumbnail with thumbnail_url null', async () => {
    const response = await client.patch(`/learning_apps/${app.id}`, { thumbnail_url: null }).expect(200);
    expect(response.body).toEqual({ ...app, thumbnail_url: null });
  });

  it('may change the case of its own name, but not take another app’s name', async () => {
    const quiz = await client.createApp({ name: 'Quiz' });
    expect((await client.patch(`/learning_apps/${app.id}`, { name: 'FLASHCARDS' }).expect(200)).body.name).toBe(
      'FLASHCARDS',
    );
    const problem = expectProblem(await client.patch(`/learning_apps/${app.id}`, { name: 'quiz' }), 409);
    expect(problem.detail).toBe(`A learning app named "Quiz" already exists (id ${quiz.id})`);
    expect((await client.get(`/learning_apps/${app.id}`).expect(200)).body.name).toBe('FLASHCARDS');
  });

  it.each([
    [{ name: null }, 'name'],
    [{ name: ' ' }, 'name'],
    [{ launch_url: null }, 'launch_url'],
    [{ launch_url: '/relative' }, 'launch_url'],
    [{ thumbnail_url: 'ftp://apps.example/x.png' }, 'thumbnail_url'],
    [{ description: null }, 'description'],
    [{ id: 5 }, 'id'],
  ])('answers 400 for %j and changes nothing', async (body, field) => {
    expectInvalid(await client.patch(`/learning_apps/${app.id}`, body), field);
    expect((await client.get(`/learning_apps/${app.id}`).expect(200)).body).toEqual(app);
  });

  it('answers 404 for an app that does not exist', async () => {
    expectProblem(await client.patch('/learning_apps/999999', { description: 'x' }), 404);
  });
});

describe('DELETE /learning_apps/:id', () => {
  it('deletes the app and keeps its study sessions, without an app', async () => {
    const group = await client.createGroup('Greetings');
    const app = await client.createApp();
    const other = await client.createApp({ name: 'Quiz' });
    const launched = await client.createSession(group.id, app.id);
    const kept = await client.createSession(group.id, other.id);

    await client.delete(`/learning_apps/${app.id}`).expect(204);

    expectProblem(await client.get(`/learning_apps/${app.id}`), 404);
    expectProblem(await client.get(`/learning_apps/${app.id}/study_sessions`), 404);
    expectProblem(await client.get(`/study_sessions?learning_app_id=${app.id}`), 404);
    expect(await client.getSession(launched.id)).toEqual({
      ...launched,
      learning_app_id: null,
      learning_app_name: null,
    });
    expect(await client.getSession(kept.id)).toEqual(kept);
    expect(await client.ids('/learning_apps')).toEqual([other.id]);
  });

  it('answers 404 for an app that does not exist and 400 for a bad id', async () => {
    expectProblem(await client.delete('/learning_apps/999999'), 404);
    expectInvalid(await client.delete('/learning_apps/0'), 'id');
  });

  it('answers 204 to one of two concurrent deletes of an app, and 404 to the other', async () => {
    for (let round = 0; round < 10; round++) {
      const app = await client.createApp({ name: `App ${round}` });

      const responses = await Promise.all([
        client.delete(`/learning_apps/${app.id}`),
        client.delete(`/learning_apps/${app.id}`),
      ]);

      const [deleted, missing] = responses.sort((a, b) => a.status - b.status);
      expect(deleted.status).toBe(204);
      expectProblem(missing, 404);
    }
  });
});

describe('api_base with PUBLIC_URL set (a server behind a proxy)', () => {
  const proxied = useTestApp({ PUBLIC_URL: 'https://portal.school.example/' });
  const proxiedClient = portal(proxied);

  it('is PUBLIC_URL + /api/v1, whatever Host the request names', async () => {
    const group = await proxiedClient.createGroup('Greetings');
    const app = await proxiedClient.createApp();
    const response = await proxiedClient
      .post(`/learning_apps/${app.id}/launch`, { group_id: group.id })
      .set('Host', 'evil.example')
      .expect(201);
    expect(new URL(response.body.launch_url).searchParams.get('api_base')).toBe('https://portal.school.example/api/v1');
  });
});

describe('POST /learning_apps/:id/launch', () => {
  let group: GroupBody;
  beforeEach(async () => {
    group = await client.createGroup('Greetings');
  });

  const launch = async (launchUrl: string) => {
    const app = await client.createApp({ launch_url: launchUrl });
    return (await client.post(`/learning_apps/${app.id}/launch`, { group_id: group.id }).expect(201)).body;
  };

  it('starts a session of the group for the app and adds it to the launch_url', async () => {
    const { study_session: session, launch_url } = await launch('https://apps.example/fc');
    expect(session).toMatchObject({ group_id: group.id, learning_app_name: 'Flashcards', review_items_count: 0 });
    expect(await client.getSession(session.id)).toEqual(session);
    const url = new URL(launch_url);
    expect(`${url.origin}${url.pathname}`).toBe('https://apps.example/fc');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      session_id: String(session.id),
      group_id: String(group.id),
      api_base: expect.stringMatching(/^https?:\/\/[^/]+\/api\/v1$/),
    });
    // A launch_url without a query gets one of these parameters alone, not an empty one before them (`?&`).
    expect(launch_url).toBe(`https://apps.example/fc?${url.searchParams}`);
  });

  it('answers with the new study session’s URL in Location', async () => {
    const app = await client.createApp();
    const response = await client.post(`/learning_apps/${app.id}/launch`, { group_id: group.id }).expect(201);
    expect(response.headers.location).toBe(`/api/v1/study_sessions/${response.body.study_session.id}`);
    expect((await request(t.http).get(response.headers.location).expect(200)).body).toEqual(
      response.body.study_session,
    );
  });

  it('keeps the query and fragment the launch_url already has', async () => {
    const { study_session: session, launch_url } = await launch('http://localhost:8080/fc/?lang=th&tags=a&tags=b#deck');
    const url = new URL(launch_url);
    expect(`${url.origin}${url.pathname}`).toBe('http://localhost:8080/fc/');
    expect(url.hash).toBe('#deck');
    const entries = [...url.searchParams];
    expect(entries.slice(0, 3)).toEqual([
      ['lang', 'th'],
      ['tags', 'a'],
      ['tags', 'b'],
    ]);
    expect(Object.fromEntries(entries.slice(3))).toEqual({
      session_id: String(session.id),
      group_id: String(group.id),
      api_base: expect.stringMatching(/\/api\/v1$/),
    });
  });

  it('keeps the query it already has as written, not re-encoded', async () => {
    const { study_session: session, launch_url } = await launch(
      'https://apps.example/fc?q=a%20b&flag&x=1,2&y=%E0%B8%81',
    );
    const apiBase = new URL(launch_url).searchParams.get('api_base')!;
    expect(launch_url).toBe(
      `https://apps.example/fc?q=a%20b&flag&x=1,2&y=%E0%B8%81&session_id=${session.id}&group_id=${group.id}` +
        `&api_base=${encodeURIComponent(apiBase)}`,
    );
  });

  it('gives an api_base on the portal’s port of localhost to a request whose Host is empty', async () => {
    const app = await client.createApp();
    const response = await client
      .post(`/learning_apps/${app.id}/launch`, { group_id: group.id })
      .set('Host', '')
      .expect(201);
    expect(new URL(response.body.launch_url).searchParams.get('api_base')).toMatch(/^http:\/\/localhost:\d+\/api\/v1$/);
  });

  it('replaces a session_id, group_id or api_base the launch_url already has', async () => {
    const { study_session: session, launch_url } = await launch(
      'https://apps.example/fc?session_id=0&lang=th&group_id=0&api_base=https%3A%2F%2Fevil.example',
    );
    const url = new URL(launch_url);
    expect([...url.searchParams.keys()].sort()).toEqual(['api_base', 'group_id', 'lang', 'session_id']);
    expect(url.searchParams.get('session_id')).toBe(String(session.id));
    expect(url.searchParams.get('group_id')).toBe(String(group.id));
    expect(url.searchParams.get('api_base')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
  });

  /**
   * Launches the app while `meanwhile` (a delete) is sent between the launch's checks and its write: the delete may
   * not slip between them (on PostgreSQL it did, and the session's foreign key failed: a 500).
   */
  async function launchDuring(appId: number, meanwhile: () => Test) {
    const exists = LearningAppsService.prototype.exists;
    let other: Promise<Response> | undefined;
    jest.spyOn(LearningAppsService.prototype, 'exists').mockImplementation(async function (
      this: LearningAppsService,
      id,
    ) {
      const found = await exists.call(this, id);
      other = Promise.resolve(meanwhile());
      // The delete finishes, or waits for the launch's transaction.
      await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 500))]);
      return found;
    });
    try {
      const launched = await client.post(`/learning_apps/${appId}/launch`, { group_id: group.id });
      return { launched, other: await other! };
    } finally {
      jest.restoreAllMocks();
    }
  }

  it('starts its session before a concurrent delete of the app, which then keeps it without an app', async () => {
    const app = await client.createApp();
    const { launched, other } = await launchDuring(app.id, () => client.delete(`/learning_apps/${app.id}`));
    expect([launched.status, other.status]).toEqual([201, 204]);
    expect(await client.getSession(launched.body.study_session.id)).toMatchObject({
      learning_app_id: null,
      learning_app_name: null,
    });
  });

  it('starts its session before a concurrent delete of the group, which then refuses to delete it unforced', async () => {
    const app = await client.createApp();
    const { launched, other } = await launchDuring(app.id, () => client.delete(`/groups/${group.id}`));
    expect([launched.status, other.status]).toEqual([201, 409]);
    expect(await client.getSession(launched.body.study_session.id)).toMatchObject({ group_id: group.id });
  });

  it('answers 422 for a group that does not exist, and starts no session', async () => {
    const app = await client.createApp();
    expectProblem(await client.post(`/learning_apps/${app.id}/launch`, { group_id: 999_999 }), 422);
    expect(await countRows(t, 'study_sessions')).toBe(0);
  });

  it('answers 404 for an app that does not exist, and starts no session', async () => {
    expectProblem(await client.post('/learning_apps/999999/launch', { group_id: group.id }), 404);
    expect(await countRows(t, 'study_sessions')).toBe(0);
  });

  it.each([
    [{}, 'group_id'],
    [{ group_id: '1' }, 'group_id'],
    [{ group_id: 0 }, 'group_id'],
    [{ group_id: 1, learning_app_id: 1 }, 'learning_app_id'],
  ])('answers 400 for %j', async (body, field) => {
    const app = await client.createApp();
    expectInvalid(await client.post(`/learning_apps/${app.id}/launch`, body), field);
    expectInvalid(await client.post('/learning_apps/abc/launch', { group_id: group.id }), 'id');
    expect(await countRows(t, 'study_sessions')).toBe(0);
  });
});

describe('the built-in flashcards app, as the portal serves it', () => {
  /** Whether a page of `pageOrigin` under this Content-Security-Policy may fetch `url` (connect-src, else default-src). */
  function mayConnect(policy: string, pageOrigin: string, url: string): boolean {
    const directives = new Map(
      policy.split(';').map((directive) => {
        const [name, ...sources] = directive.trim().split(/\s+/);
        return [name, sources];
      }),
    );
    const sources = directives.get('connect-src') ?? directives.get('default-src') ?? ['*'];
    const { origin, protocol } = new URL(url);
    return sources.some(
      (source) =>
        source === '*' || source === protocol || source === origin || (source === "'self'" && origin === pageOrigin),
    );
  }

  it('may call the api_base of its launch when that names the portal by another address than its launch_url', async () => {
    // Registered at 127.0.0.1, the app's launch_url names it; a launch asked at localhost gives a localhost api_base.
    const group = await client.createGroup('Greetings');
    const app = await client.createApp({ launch_url: 'http://127.0.0.1:3000/apps/flashcards/' });
    const launched = await client
      .post(`/learning_apps/${app.id}/launch`, { group_id: group.id })
      .set('Host', 'localhost:3000')
      .expect(201);
    const launchUrl = new URL(launched.body.launch_url);
    const apiBase = launchUrl.searchParams.get('api_base')!;
    expect(apiBase).toBe('http://localhost:3000/api/v1');

    const page = await request(t.http).get(launchUrl.pathname).expect(200);
    const policy = page.headers['content-security-policy'];
    expect(mayConnect(policy, launchUrl.origin, `${apiBase}/groups/${group.id}/words/raw`)).toBe(true);
    // Scripts, styles and fonts still come from the portal's own origin only.
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("default-src 'self'");
  });
});

import request from 'supertest';
import { api, countRows, expectProblem, sql } from '../api.js';
import { closeTestApp, createTestApp, useEmptyTestApp } from '../app.js';

/** 405 with Allow, 404 for unknown and wrongly cased paths, and request ids on every response. */

const t = useEmptyTestApp({ BODY_LIMIT: '2kb' });
const client = api(t);

describe('405 Method Not Allowed', () => {
  it.each([
    ['put', '/api/v1/words', 'GET, HEAD, POST, OPTIONS'],
    ['delete', '/api/v1/words', 'GET, HEAD, POST, OPTIONS'],
    ['delete', '/api/v1/dashboard/quick_stats', 'GET, HEAD, OPTIONS'],
    ['post', '/api/v1/dashboard/quick_stats', 'GET, HEAD, OPTIONS'],
    ['get', '/api/v1/full_reset', 'POST, OPTIONS'],
    ['patch', '/api/v1/reset_history', 'POST, OPTIONS'],
    ['put', '/api/v1/words/1', 'GET, HEAD, DELETE, PATCH, OPTIONS'],
    ['post', '/api/v1/words/1', 'GET, HEAD, DELETE, PATCH, OPTIONS'],
    ['patch', '/api/v1/groups', 'GET, HEAD, POST, OPTIONS'],
    ['get', '/api/v1/words/import', 'POST, OPTIONS'],
    ['put', '/api/v1/words/import', 'POST, OPTIONS'],
    ['post', '/api/v1/words/export', 'GET, HEAD, OPTIONS'],
    ['delete', '/api/v1/words/export', 'GET, HEAD, OPTIONS'],
  ] as const)('%s %s is 405 with Allow: %s, as OPTIONS names them', async (method, path, allow) => {
    const response = await request(t.http)[method](path);

    expectProblem(response, 405);
    expect(response.headers.allow).toBe(allow);
    expect((await request(t.http).options(path).expect(204)).headers.allow).toBe(allow);
  });

  it('PUT /api/v1/words/:id is 405 naming the methods of /words/:id', async () => {
    const word = await client.createWord({ thai: 'แมว', english: 'cat' });

    const response = await request(t.http).put(`/api/v1/words/${word.id}`).send({ english: 'kitten' });

    expectProblem(response, 405);
    expect(response.headers.allow.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH']);
    expect((await client.getWord(word.id)).english).toBe('cat');
  });

  it('a 405 changes nothing, even with a body', async () => {
    await client.createWord({ thai: 'แมว', english: 'cat' });
    expectProblem(await request(t.http).put('/api/v1/words').send({ thai: 'หมา', english: 'dog' }), 405);
    expect(await countRows(t, 'words')).toBe(1);
  });
});

describe('OPTIONS', () => {
  it.each([
    ['/api/v1/words', 'GET, HEAD, POST, OPTIONS'],
    ['/api/v1/words/1', 'GET, HEAD, DELETE, PATCH, OPTIONS'],
    ['/api/v1/full_reset', 'POST, OPTIONS'],
  ])('OPTIONS %s is a 204 naming its methods in Allow', async (path, allow) => {
    const response = await request(t.http).options(path).expect(204);
    expect(response.headers.allow).toBe(allow);
    expect(response.text).toBe('');
  });

  it('OPTIONS of a path the API does not have is 404', async () => {
    const response = await request(t.http).options('/api/v1/nothing');
    expect(expectProblem(response, 404).detail).toBe('Cannot OPTIONS /api/v1/nothing');
    expect(response.headers.allow).toBeUndefined();
  });

  it('a CORS preflight is answered as such, on any path: the request it announces gets the problem document', async () => {
    const response = await request(t.http)
      .options('/api/v1/nothing')
      .set('Origin', 'http://localhost:8080')
      .set('Access-Control-Request-Method', 'GET')
      .expect(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('404 Not Found', () => {
  it.each(['/api/v1/nothing', '/api/v1/words/1/nothing', '/api/v2/words', '/nothing', '/api', '/api/v1'])(
    'GET %s is 404',
    async (path) => {
      expectProblem(await request(t.http).get(path), 404);
    },
  );

  it.each([
    ['//', '//'],
    ['//%zz/words', '//%zz/words'],
    ['//api/v1/words', '//api/v1/words'],
    ['/api/v1/./words', '/api/v1/./words'],
    ['/api/v1/nothing/../words', '/api/v1/nothing/../words'],
  ])('GET %s, which no route takes as written, is 404 naming that path, not a 500 or a 405', async (path, named) => {
    const response = await request(t.http).get(path);
    expect(expectProblem(response, 404).detail).toBe(`Cannot GET ${named}`);
    expect(response.headers.allow).toBeUndefined();
  });

  it.each(['/api/v1/WORDS', '/API/V1/WORDS', '/Api/v1/words', '/api/V1/words'])(
    'routes are case-sensitive: GET %s is 404',
    async (path) => {
      await client.createWord({ thai: 'แมว', english: 'cat' });
      expectProblem(await request(t.http).get(path), 404);
    },
  );

  it.each([
    ['/API/V1/FULL_RESET', 'full_reset'],
    ['/api/v1/FULL_RESET', 'full_reset'],
    ['/api/v1/Full_Reset', 'full_reset'],
    ['/API/V1/RESET_HISTORY', 'reset_history'],
  ])('POST %s with the right body is 404, and resets nothing', async (path, confirm) => {
    const word = await client.createWord({ thai: 'แมว', english: 'cat' });
    await request(t.http).post('/api/v1/reviews').send({ word_id: word.id, correct: true }).expect(201);
    const before = await sql(t, 'select * from words');

    expectProblem(await request(t.http).post(path).send({ confirm }), 404);

    expect(await sql(t, 'select * from words')).toEqual(before);
    expect(await countRows(t, 'words_review_items')).toBe(1);
  });

  it.each(['/api/v1/words/999', '/api/v1/learning_apps/999', '/api/v1/groups/999'])(
    'HEAD %s, which does not exist, is 404 as GET is',
    async (path) => {
      const get = expectProblem(await request(t.http).get(path), 404);
      const head = await request(t.http).head(path);
      expect(head.status).toBe(404);
      expect(head.headers.allow).toBeUndefined();
      expect(get.detail).not.toMatch(/^Cannot /);
    },
  );

  it('HEAD of a path that has no GET is 405, and of a path the API does not have 404 (no body: HEAD)', async () => {
    const reset = await request(t.http).head('/api/v1/full_reset');
    expect([reset.status, reset.headers.allow]).toEqual([405, 'POST, OPTIONS']);
    expect((await request(t.http).head('/api/v1/nothing')).status).toBe(404);
  });

  it('GET /api/v1/metrics is 404 (metrics are served outside the API)', async () => {
    expectProblem(await request(t.http).get('/api/v1/metrics'), 404);
  });
});

describe('X-Request-Id', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  const api = () => request(t.http);
  const oversized = () =>
    api()
      .post('/api/v1/words')
      .send({ thai: 'x'.repeat(4096), english: 'x' });
  const preflight = () =>
    api().options('/api/v1/words').set('Origin', 'http://apps.example').set('Access-Control-Request-Method', 'POST');
  const responses: [string, () => request.Test][] = [
    ['GET /api/v1/words (200)', () => api().get('/api/v1/words')],
    ['POST /api/v1/words (201)', () => api().post('/api/v1/words').send({ thai: 'แมว', english: 'cat' })],
    ['DELETE /api/v1/groups/1 (204)', () => api().delete('/api/v1/groups/1')],
    ['GET /api/v1/words?per_page=0 (400)', () => api().get('/api/v1/words?per_page=0')],
    ['POST /api/v1/words with malformed JSON (400)', () => api().post('/api/v1/words').type('json').send('{"thai":')],
    ['GET /api/v1/words/999 (404)', () => api().get('/api/v1/words/999')],
    ['GET /api/v1/nothing (404)', () => api().get('/api/v1/nothing')],
    ['GET /nothing (404)', () => api().get('/nothing')],
    ['PUT /api/v1/words (405)', () => api().put('/api/v1/words')],
    ['POST /api/v1/words with 4 KB over a 2 KB BODY_LIMIT (413)', oversized],
    ['POST /api/v1/words as text/plain (415)', () => api().post('/api/v1/words').type('text').send('hello')],
    ['GET /metrics', () => api().get('/metrics')],
    ['GET /api/v1/health', () => api().get('/api/v1/health')],
    ['GET /api/docs-json', () => api().get('/api/docs-json')],
    ['OPTIONS /api/v1/words, a CORS preflight (204)', preflight],
  ];

  it.each(responses)('%s has one', async (_what, send) => {
    if (_what.startsWith('DELETE')) {
      await client.createGroup('Empty');
    }
    const response = await send();
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('each request gets its own', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      ids.add((await request(t.http).get('/api/v1/words')).headers['x-request-id']);
    }
    expect(ids.size).toBe(5);
  });

  it.each(['abc-123', 'client.req:42@edge_1', 'x'.repeat(128)])('a sane client id (%s) is echoed', async (sent) => {
    const response = await request(t.http).get('/api/v1/words').set('X-Request-Id', sent).expect(200);
    expect(response.headers['x-request-id']).toBe(sent);
  });

  it('a sane client id is echoed on an error too', async () => {
    const response = await request(t.http).get('/api/v1/words/999').set('X-Request-Id', 'abc-123');
    expectProblem(response, 404);
    expect(response.headers['x-request-id']).toBe('abc-123');
  });

  it.each([
    ['300 characters', 'a'.repeat(300)],
    ['129 characters', 'a'.repeat(129)],
    ['spaces', 'abc 123'],
    ['a slash and quotes', 'a/b"c'],
    ['a newline-like escape', 'abc\\r\\nSet-Cookie:x'],
    ['non-ASCII', 'abc-é'],
  ])('an insane client id (%s) is replaced by a generated one', async (_what, sent) => {
    const response = await request(t.http).get('/api/v1/words').set('X-Request-Id', sent).expect(200);
    expect(response.headers['x-request-id']).not.toBe(sent);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });
});

describe('the OpenAPI document', () => {
  it('names the server at /, where the portal is (PUBLIC_URL unset)', async () => {
    const { servers } = (await request(t.http).get('/api/docs-json').expect(200)).body;
    expect(new URL(servers[0].url, 'http://localhost:3000/api/docs').href).toBe('http://localhost:3000/');
  });

  it('names the server at PUBLIC_URL’s path: behind a proxy serving the portal under it, the docs page tries requests there', async () => {
    const prefixed = await createTestApp({ PUBLIC_URL: 'http://portal.test/school/' });
    try {
      const { servers } = (await request(prefixed.http).get('/api/docs-json').expect(200)).body;
      expect(new URL(servers[0].url, 'http://portal.test/school/api/docs').href).toBe('http://portal.test/school');
    } finally {
      await closeTestApp(prefixed);
    }
  });
});

import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { connect } from 'node:net';
import request from 'supertest';
import { dialect } from '../../src/database/dialect.js';
import { WordsService } from '../../src/words/words.service.js';
import {
  API,
  api,
  countRows,
  expectInvalid,
  expectProblem,
  insertAnswers,
  itRejectsQuery,
  type Method,
  sql,
} from '../api.js';
import { closeTestApp, createTestApp, type TestApp, useEmptyTestApp } from '../app.js';

const t = useEmptyTestApp();
const client = api(t);

interface Route {
  method: Method;
  path: string;
  body?: object;
}

/** Every Word and Group route with a path id, written with `:id` (and `:word_id`) and a valid body. */
const ID_ROUTES: Route[] = [
  { method: 'get', path: '/words/:id' },
  { method: 'patch', path: '/words/:id', body: { english: 'x' } },
  { method: 'delete', path: '/words/:id' },
  { method: 'get', path: '/groups/:id' },
  { method: 'get', path: '/groups/:id/words' },
  { method: 'get', path: '/groups/:id/words/raw' },
  { method: 'get', path: '/groups/:id/study_sessions' },
  { method: 'patch', path: '/groups/:id', body: { name: 'x' } },
  { method: 'delete', path: '/groups/:id' },
  { method: 'post', path: '/groups/:id/words', body: { word_ids: [] } },
  { method: 'delete', path: '/groups/:id/words/:word_id' },
];

/** Every Word and Group route that takes a body, with a valid one. */
const BODY_ROUTES: Route[] = [
  { method: 'post', path: '/words', body: { thai: 'หมา', english: 'dog' } },
  { method: 'post', path: '/groups', body: { name: 'Dogs' } },
  ...ID_ROUTES.filter((route) => route.body),
];

const label = ({ method, path }: Route) => `${method.toUpperCase()} ${path}`;

/** Fills in the path: `:id` with the group's or word's id as the route needs, `:word_id` with the word's. */
const pathOf = (route: Route, ids: { word: number | string; group: number | string; member: number | string }) =>
  route.path
    .replace(':id', String(route.path.startsWith('/words') ? ids.word : ids.group))
    .replace(':word_id', String(ids.member));

/** A word inside a group, so that every route has something that exists. */
async function fixture(): Promise<{ word: number; group: number; member: number }> {
  const word = await client.createWord({ thai: 'แมว', english: 'cat' });
  const group = await client.createGroup('Pets', [word.id]);
  return { word: word.id, group: group.id, member: word.id };
}

/** Every row of the Word and Group tables. */
const snapshot = () =>
  Promise.all(['words', 'groups', 'words_groups'].map((table) => sql(t, `select * from ${table}`)));

describe('path ids', () => {
  const badIds = ['abc', '0', '-1', '1.5', '2x'];
  const cases = ID_ROUTES.flatMap((route) =>
    badIds.flatMap((bad) => [
      [label(route), bad, 'id', route] as const,
      ...(route.path.includes(':word_id') ? [[label(route), bad, 'word_id', route] as const] : []),
    ]),
  );

  it.each(cases)('%s with %s as :%s is 400', async (_label, bad, param, route) => {
    const existing = await fixture();
    const ids = param === 'id' ? { word: bad, group: bad, member: existing.member } : { ...existing, member: bad };

    expectInvalid(await client.call(route.method, pathOf(route, ids), route.body), param);
  });

  // Path ids are read by the IdParams DTO, which takes plain digits from 1 only: JavaScript would read the others as
  // numbers, and 0 is no id.
  it.each(['1e3', '0x1A', '+5', ' 7', '0'])('a path id written as %j is 400, no positive integer', async (bad) => {
    const { group } = await fixture();
    const response = await client.get(`/words/${encodeURIComponent(bad)}`);
    expect(expectInvalid(response, 'id').errors).toEqual([{ field: 'id', message: 'must be a positive integer' }]);
    expectInvalid(await client.delete(`/groups/${group}/words/${encodeURIComponent(bad)}`), 'word_id');
  });

  it('a path id with a leading zero is 400, not the word of that number', async () => {
    const { word } = await fixture();
    expectInvalid(await client.get(`/words/0${word}`), 'id');
  });

  // Beyond 2^31 too: PostgreSQL's id columns are 32-bit, and no id beyond them is a row.
  it.each(
    ID_ROUTES.flatMap((route) =>
      [999_999, 2 ** 31, Number.MAX_SAFE_INTEGER].map((id) => [label(route), id, route] as const),
    ),
  )('%s is 404 for an id that does not exist (%d)', async (_label, id, route) => {
    await fixture();
    const missing = { word: id, group: id, member: id };
    expectProblem(await client.call(route.method, pathOf(route, missing), route.body), 404);
  });

  it('a path id beyond the integers a JavaScript number holds exactly says that limit, as a body id does', async () => {
    const { group } = await fixture();
    const tooLarge = '9007199254740993';
    const message = 'must not be greater than 9007199254740991';
    expect(expectInvalid(await client.get(`/words/${tooLarge}`), 'id').errors).toEqual([{ field: 'id', message }]);
    expect(expectInvalid(await client.delete(`/groups/${group}/words/${tooLarge}`), 'word_id').errors).toEqual([
      { field: 'word_id', message },
    ]);
    const body = expectInvalid(
      await client.post(`/groups/${group}/words`, { word_ids: [Number(tooLarge)] }),
      'word_ids',
    );
    expect(body.errors).toEqual([{ field: 'word_ids', message: `each value ${message}` }]);
  });

  it('DELETE /groups/:id/words/:word_id is 404 for a word_id that does not exist in an existing group', async () => {
    const { group } = await fixture();
    expectProblem(await client.delete(`/groups/${group}/words/999999`), 404);
  });
});

describe('unknown routes', () => {
  it.each([
    ['get', '/api/v1/nope'],
    ['get', '/api/v1/words/1/nope'],
    ['get', '/api/v2/words'],
    ['get', '/api/words'],
    ['post', '/'],
    ['get', '/nope'],
    ['delete', '/words/1'],
  ] as const)('%s %s is a 404 problem', async (method, path) => {
    expectProblem(await request(t.http)[method](path), 404);
  });

  it('an app’s folder named without its slash leads to it, its query kept; a folder no app has is a 404', async () => {
    for (const method of ['get', 'head'] as const) {
      const response = await request(t.http)[method]('/apps/flashcards').expect(302);
      expect(response.headers.location).toBe('/apps/flashcards/');
    }
    expect((await request(t.http).get('/apps/flashcards?x=1').expect(302)).headers.location).toBe(
      '/apps/flashcards/?x=1',
    );
    await request(t.http)
      .get('/apps/flashcards/')
      .expect(200)
      .expect('content-type', /text\/html/);
    expectProblem(await request(t.http).get('/apps/nope'), 404);
    expectProblem(await request(t.http).post('/apps/flashcards'), 404);
  });

  it("the portal's own address leads a browser to the API documentation", async () => {
    for (const method of ['get', 'head'] as const) {
      const response = await request(t.http)[method]('/').expect(302);
      expect(response.headers.location).toBe('/api/docs');
    }
    await request(t.http)
      .get('/api/docs')
      .expect(200)
      .expect('content-type', /text\/html/);
  });

  // A path the API has, asked with a method it does not take there, is a 405: test/operations/routing.e2e-spec.ts.

  it('answers malformed JSON outside /api with a 400 problem, not an HTML page', async () => {
    const response = await request(t.http).post('/nope').set('content-type', 'application/json').send('{bad');
    expectProblem(response, 400);
  });
});

describe('request bodies', () => {
  it.each(BODY_ROUTES.map((route) => [label(route), route] as const))(
    '%s: 400 for malformed JSON or JSON that is no object, 415 for text/plain or a form, nothing written',
    async (_label, route) => {
      const ids = await fixture();
      const path = pathOf(route, ids);
      const before = await snapshot();

      const malformed = await client.call(route.method, path).set('Content-Type', 'application/json').send('{"name":');
      expect(expectProblem(malformed, 400).detail).toBe(
        'The request body is not valid JSON: Unexpected end of JSON input',
      );
      for (const notAnObject of ['null', '[]', `[${JSON.stringify(route.body)}]`, '"x"', '1', 'true']) {
        const response = await client
          .call(route.method, path)
          .set('Content-Type', 'application/json')
          .send(notAnObject);
        expect({ notAnObject, detail: expectProblem(response, 400).detail }).toEqual({
          notAnObject,
          detail: 'The request body must be a JSON object',
        });
      }
      const json = JSON.stringify(route.body);
      expectProblem(await client.call(route.method, path).set('Content-Type', 'text/plain').send(json), 415);
      // Sent in chunks, without a Content-Length, the same.
      const chunked = client.call(route.method, path).set('Content-Type', 'text/plain');
      chunked.write(json);
      expectProblem(await chunked, 415);
      expectProblem(
        await client.call(route.method, path).type('form').send({ name: 'x', thai: 'x', english: 'y' }),
        415,
      );

      expect(await snapshot()).toEqual(before);
      await client
        .call(route.method, path)
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(json)
        .expect(route.method === 'post' && !route.path.includes(':id') ? 201 : 200);
    },
  );

  it('POST /words/import (its own parser): 400 for JSON that is no object, nothing written', async () => {
    const before = await snapshot();
    const response = await client.post('/words/import').set('Content-Type', 'application/json').send('null');
    expect(expectProblem(response, 400).detail).toBe('The request body must be a JSON object');
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['POST /groups', '/groups', ['{"name":"Caf', '"}']],
    ['POST /words/import', '/words/import', ['{"words":[{"thai":"กาแฟ","english":"caf', '"}]}']],
  ])(
    '%s: 400 for a JSON body whose bytes are not UTF-8 (here é in Latin-1), nothing written',
    async (_label, path, [head, tail]) => {
      const before = await snapshot();
      const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0xe9]), Buffer.from(tail)]);
      const response = await request(t.http)
        .post(API + path)
        .set('Content-Type', 'application/json')
        .serialize(((data: Buffer) => data) as unknown as (body: unknown) => string)
        .send(bytes);
      expect(expectProblem(response, 400).detail).toBe('The request body is not UTF-8');
      expect(await snapshot()).toEqual(before);
    },
  );

  it('413 for a body that is too large, and nothing is written', async () => {
    const huge = { thai: 'แมว', english: 'cat', parts: { note: 'ก'.repeat(1024 * 1024) } };
    expectProblem(await client.post('/words', huge), 413);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it.each(['constructor', 'prototype', '__proto__', 'toString', 'hasOwnProperty'])(
    'a field named %s (like an Object.prototype member) is unknown too: 400, in a body and a query',
    async (field) => {
      expectInvalid(await client.post('/groups', { name: 'Pets', [field]: 1 }), field);
      expectInvalid(await client.get(`/words?${field}=1`), field);
      expect(await countRows(t, 'groups')).toBe(0);
    },
  );

  it('an unknown field is a 400 naming it in errors[], never silently dropped', async () => {
    const body = expectInvalid(await client.post('/words', { thai: 'แมว', english: 'cat', colour: 'black' }), 'colour');
    expect(body.errors).toEqual([{ field: 'colour', message: 'is not a known field' }]);
    expect(body.detail).toBe('colour is not a known field');
    const two = await client.post('/words', { thai: 'แมว', english: 'cat', colour: 'black', size: 'small' });
    expect(expectProblem(two, 400).detail).toBe('colour is not a known field; size is not a known field');
    expect(await countRows(t, 'words')).toBe(0);
    const word = await client.createWord({ thai: 'แมว', english: 'cat' });
    const nested = expectInvalid(
      await client.post('/reviews/batch', { answers: [{ word_id: word.id, correct: true, colour: 'black' }] }),
      'answers.0.colour',
    );
    expect(nested.errors).toEqual([{ field: 'answers.0.colour', message: 'is not a known field' }]);
    expect(await countRows(t, 'words_review_items')).toBe(0);
  });

  it('a required field left out is reported as required, not as a value of the wrong type; null is a wrong type', async () => {
    const { group } = await fixture();
    const before = await snapshot();
    for (const [path, body, errors] of [
      ['/words', { english: 'cat' }, [{ field: 'thai', message: 'is required' }]],
      [
        '/learning_apps',
        {},
        [
          { field: 'name', message: 'is required' },
          { field: 'launch_url', message: 'is required' },
        ],
      ],
      ['/study_sessions', {}, [{ field: 'group_id', message: 'is required' }]],
      ['/reviews/batch', { answers: [{ word_id: 1 }] }, [{ field: 'answers.0.correct', message: 'is required' }]],
      ['/words', { thai: null, english: 'cat' }, [{ field: 'thai', message: 'must be a string' }]],
      [`/groups/${group}/words`, { word_ids: null }, [{ field: 'word_ids', message: 'must be an array' }]],
    ] as const) {
      expect({ path, body, errors: expectProblem(await client.post(path, body), 400).errors }).toEqual({
        path,
        body,
        errors,
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a list's size out of bounds is said in items", async () => {
    const body = expectInvalid(await client.post('/reviews/batch', { answers: [] }), 'answers');
    expect(body.errors).toEqual([{ field: 'answers', message: 'must contain at least 1 item' }]);
    const ids = Array.from({ length: 5001 }, (_, i) => i + 1);
    const long = expectInvalid(await client.post('/groups', { name: 'Long', word_ids: ids }), 'word_ids');
    expect(long.errors).toEqual([{ field: 'word_ids', message: 'must contain no more than 5000 items' }]);
    expect(await countRows(t, 'groups')).toBe(0);
    const group = await client.createGroup('Short');
    const added = expectInvalid(await client.post(`/groups/${group.id}/words`, { word_ids: ids }), 'word_ids');
    expect(added.errors).toEqual(long.errors);
    expect(await countRows(t, 'words_groups')).toBe(0);
  });
  /** A `parts` object nested `levels` deep under the body's own level. */
  const nested = (levels: number) => JSON.parse('{"a":'.repeat(levels) + '1' + '}'.repeat(levels));

  it('400 for a body nested deeper than 32 levels, and nothing is written; 32 levels are fine', async () => {
    expectProblem(await client.post('/words', { thai: 'ลึก', english: 'deep', parts: nested(32) }), 400);
    expectProblem(await client.post('/words', { thai: 'ลึก', english: 'deep', parts: nested(5000) }), 400);
    expect(await countRows(t, 'words')).toBe(0);
    await client.post('/words', { thai: 'ลึก', english: 'deep', parts: nested(31) }).expect(201);
    await client.get('/words?q=deep').expect(200);
  });

  /** A `parts` object of `count` fields. */
  const wide = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, 0]));

  it('400 for an object of more than 1000 fields, and nothing is written; 1000 fields are fine', async () => {
    expectProblem(await client.post('/words', { thai: 'กว้าง', english: 'wide', parts: wide(1001) }), 400);
    expectProblem(await client.post('/words', { thai: 'กว้าง', english: 'wide', parts: wide(50_000) }), 400);
    expectProblem(await client.post('/groups', { name: 'Wide', ...wide(50_000) }), 400);
    // Wherever it sits among narrower objects.
    for (const parts of [
      { first: wide(1001), second: {} },
      { first: {}, second: wide(1001) },
    ]) {
      expectProblem(await client.post('/words', { thai: 'กว้าง', english: 'wide', parts }), 400);
    }
    expect(await countRows(t, 'words')).toBe(0);
    await client.post('/words', { thai: 'กว้าง', english: 'wide', parts: wide(1000) }).expect(201);
  });

  it.each([
    ['delete', '/words/:id'],
    ['delete', '/groups/:id'],
    ['get', '/words'],
    ['post', '/reset_history'],
    ['post', '/full_reset'],
  ] as const)('%s %s takes no body: a field sent is a 400, and nothing changes', async (method, path) => {
    const { word, group } = await fixture();
    const before = await snapshot();
    const url = path.replace(':id', String(path.startsWith('/words') ? word : group));
    expectInvalid(await client.call(method, url).send({ force: true }), 'force');
    expect(await snapshot()).toEqual(before);
  });
});

describe('query strings', () => {
  it.each([
    ['post', '/full_reset?dry_run=true', 'dry_run'],
    ['post', '/reset_history?force=true', 'force'],
    ['delete', '/groups/:group/words/:word?force=true', 'force'],
    ['get', '/words/:word?fields=thai', 'fields'],
    ['get', '/dashboard/quick_stats?since=2026-01-01', 'since'],
  ] as const)(
    '%s %s: a parameter the endpoint does not take is a 400, and nothing changes',
    async (method, path, field) => {
      const { word, group } = await fixture();
      const before = await snapshot();
      const url = path.replace(':group', String(group)).replace(':word', String(word));
      expectInvalid(await client.call(method, url), field);
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each([
    ['Latin-1 (é)', '/words?q=caf%E9'],
    ['cut in a character', '/words?q=%E0%B8'],
  ])('a query string whose percent-encoded bytes are not UTF-8, %s, is a 400', async (_case, url) => {
    await client.createWord({ thai: 'กาแฟ', english: 'caf\uFFFD' });
    expect(expectProblem(await client.get(url), 400).detail).toBe('The query string is not UTF-8 (percent-encoded)');
  });

  it.each([
    ['/words?sort_by=thai&sort_by=english', 'sort_by'],
    ['/words?page=1&page=2', 'page'],
    ['/reviews?word_id=1&word_id=1', 'word_id'],
  ])(
    'a parameter given more than once, %s, is a 400 saying so (not that its values are of the wrong kind)',
    async (url, field) => {
      const body = expectInvalid(await client.get(url), field);
      expect(body.errors).toEqual([{ field, message: 'is given more than once' }]);
    },
  );

  it('takes percent-encoded UTF-8 and a percent sign that encodes nothing', async () => {
    const cafe = await client.createWord({ thai: 'กาแฟ', english: 'café 100%' });
    const found = async (q: string) => (await client.get(`/words?q=${q}`).expect(200)).body.items;
    expect(await found('caf%C3%A9')).toMatchObject([{ id: cafe.id }]);
    expect(await found('%E0%B8%81%E0%B8%B2%E0%B9%81%E0%B8%9F')).toMatchObject([{ id: cafe.id }]);
    expect(await found('100%')).toMatchObject([{ id: cafe.id }]);
  });
});

describe('text SQLite cannot store', () => {
  it.each([
    ['U+0000 in a field', { thai: 'แมว\u0000', english: 'cat' }, 'thai'],
    ['U+0000 in parts', { thai: 'แมว', english: 'cat', parts: { note: 'a\u0000b' } }, 'parts.note'],
    ['U+0000 in a parts key', { thai: 'แมว', english: 'cat', parts: { 'a\u0000': 1 } }, 'parts.a\u0000'],
    ['a lone surrogate', { thai: 'แมว', english: '\ud800' }, 'english'],
  ])('%s is a 400 naming the field, and nothing is written', async (_, body, field) => {
    expectInvalid(await client.post('/words', body), field);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('U+0000 in a query is a 400 too', async () => {
    expectInvalid(await client.get('/words?q=a%00b'), 'q');
  });

  it('emoji and other astral characters round-trip', async () => {
    const word = await client.createWord({ thai: 'ยิ้ม 😀', english: 'smile 𝄞' });
    expect(await client.getWord(word.id)).toMatchObject({ thai: 'ยิ้ม 😀', english: 'smile 𝄞' });
  });
});

describe('cross-origin learning apps (CORS)', () => {
  it('answers a preflight for an answer with an Idempotency-Key', async () => {
    const response = await request(t.http)
      .options('/api/v1/study_sessions/1/words/1/review')
      .set('Origin', 'http://localhost:8080')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,idempotency-key')
      .expect(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-headers']).toBe('content-type,idempotency-key');
  });

  it('lets the app read responses, the Location of what it created and the ETag of what it reads', async () => {
    const response = await client.post('/groups', { name: 'Pets' }).set('Origin', 'http://localhost:8080').expect(201);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-expose-headers'].split(',')).toEqual(
      expect.arrayContaining(['Location', 'ETag']),
    );
  });
});

/** Sends raw bytes to the listening server and returns the raw response. */
async function raw(text: string): Promise<string> {
  if (!t.http.listening) {
    await new Promise<void>((resolve) => t.http.listen(0, '127.0.0.1', resolve));
  }
  const { port } = t.http.address() as { port: number };
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('requests the HTTP parser refuses', () => {
  it.each([
    [
      'a control character in a header',
      400,
      'GET /api/v1/words HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0001b\r\n\r\n',
    ],
    ['headers over 16 KiB', 431, `GET /api/v1/words HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`],
    [
      'chunk extensions over 16 KiB',
      413,
      'POST /api/v1/groups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `2;${'a'.repeat(20000)}\r\n{}\r\n0\r\n\r\n`,
    ],
  ])('%s gets a %i problem document', async (_, status, text) => {
    const response = await raw(text);
    const [head, body] = response.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    // As every response does (docs/api.md), though the request's own headers were not read.
    expect(head).toMatch(/^x-request-id: [0-9a-f-]{36}$/im);
    expect(JSON.parse(body)).toMatchObject({ type: 'about:blank', status });
  });
});

describe('Host', () => {
  it.each([
    'portal.test/school?x=1#',
    'user@portal.test',
    'portal test',
    'portal.test:80x',
    '[::1',
    'portal.test:3000:1',
    ':3000',
    '[foo]',
    'a%zz',
    'portal.test:65536',
  ])('a Host that is no host with a port, %s, is a 400, and a launch with it starts no session', async (host) => {
    const group = await client.createGroup('Animals');
    const app = await client.post('/learning_apps', { name: 'Cards', launch_url: 'https://apps.example/c' });
    const launched = client.post(`/learning_apps/${app.body.id}/launch`, { group_id: group.id }).set('Host', host);
    expect(expectProblem(await launched, 400).detail).toBe('The Host header is not a host with an optional port');
    expect(await countRows(t, 'study_sessions')).toBe(0);
  });

  it.each(['portal.test', 'portal.test:3000', '192.168.1.20:3000', '[::1]:3413', 'localhost:', 'xn--12c.test'])(
    'a Host %s is taken',
    async (host) => {
      await client.get('/groups').set('Host', host).expect(200);
    },
  );

  it('a request with two Host lines is a 400', async () => {
    const response = await raw(
      'GET /api/v1/groups HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nConnection: close\r\n\r\n',
    );
    expect(response).toMatch(/^HTTP\/1\.1 400 [^]*"detail":"The request has more than one Host header"/);
  });
});

describe('pagination parameters', () => {
  itRejectsQuery(t, '/words', {
    offset: ['5'],
    page: ['99999999999999999999', '1000000001', '1e3', '01'],
    per_page: ['0x10'],
  });

  it('a value of the wrong type is reported as that alone, not as every range it also misses', async () => {
    const body = expectInvalid(await client.get('/words?page=abc'), 'page');
    expect(body.errors).toEqual([{ field: 'page', message: 'must be an integer number' }]);
  });

  it.each([
    ['page', '-1'],
    ['per_page', '-5'],
  ])('a negative %s (%s) is reported as below the range, not as no integer', async (field, value) => {
    const body = expectInvalid(await client.get(`/words?${field}=${value}`), field);
    expect(body.errors).toEqual([{ field, message: 'must not be less than 1' }]);
  });

  it('a list that is not an array is reported as that alone, not as its items too', async () => {
    const body = expectInvalid(await client.post('/groups', { name: 'Pets', word_ids: 'abc' }), 'word_ids');
    expect(body.errors).toEqual([{ field: 'word_ids', message: 'must be an array' }]);
  });

  it('the last allowed page is an empty page, not an error', async () => {
    const response = await client.get('/words?page=1000000000&per_page=500').expect(200);
    expect(response.body.items).toEqual([]);
  });
});

describe('query booleans', () => {
  it.each(['yes', '1', 'TRUE', 'True', ''])(
    'force=%j is 400 on both deletes, and nothing is deleted',
    async (force) => {
      const { word, group } = await fixture();
      await insertAnswers(t, { wordId: word, correct: true });

      expectInvalid(await client.delete(`/words/${word}?force=${force}`), 'force');
      expectInvalid(await client.delete(`/groups/${group}?force=${force}`), 'force');

      await client.getWord(word);
      await client.getGroup(group);
    },
  );

  it('force=true and force=false are accepted where there is no history', async () => {
    const { word, group } = await fixture();
    await client.delete(`/groups/${group}?force=false`).expect(204);
    await client.delete(`/words/${word}?force=true`).expect(204);
  });
});

describe('errors', () => {
  it('a real fault is a 500 problem with a generic detail: no message, stack, SQL or path leaks', async () => {
    const { word } = await fixture();
    const fault = new Error('SQLITE_ERROR: near "select * from words": syntax error in /work/main/src/words/x.ts');
    jest.spyOn(t.app.get(WordsService), 'get').mockRejectedValueOnce(fault);
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const response = await client.get(`/words/${word}`);

      const body = expectProblem(response, 500);
      expect(body.detail).not.toContain('SQLITE');
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('SQLITE_ERROR'));
    } finally {
      jest.restoreAllMocks();
    }
  });

  /** `POST /words` whose first check in the service meets `error`: the answer, and what the server logged as errors. */
  async function postWordMeeting(error: Error): Promise<{ response: request.Response; logged: string[] }> {
    jest.spyOn(t.app.get(WordsService) as any, 'assertUnique').mockRejectedValueOnce(error);
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const response = await client.post('/words', { thai: 'แมว', english: 'cat' });
      return { response, logged: logged.mock.calls.map(([message]) => String(message)) };
    } finally {
      jest.restoreAllMocks();
    }
  }

  it('a write another transaction kept from the database is a 503 with Retry-After, and nothing is written', async () => {
    // What each database says: the write lock held past busy_timeout (SQLite), a deadlock (PostgreSQL).
    const contention =
      dialect.name === 'sqlite'
        ? Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
        : Object.assign(new Error('deadlock detected'), { code: '40P01' });

    const { response, logged } = await postWordMeeting(contention);

    expect(expectProblem(response, 503).detail).toBe(
      'The database is busy with another write: send the request again in a moment',
    );
    expect(response.headers['retry-after']).toBe('5');
    expect(logged).toEqual([]);
    expect(await countRows(t, 'words')).toBe(0);
    await client.post('/words', { thai: 'แมว', english: 'cat' }).expect(201);
  });

  // What each database says when it cannot grow its files, and what a file written (an Anki import's audio) meets.
  const fullDisks: [string, Error][] = [
    [
      'the database',
      dialect.name === 'sqlite'
        ? Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
        : Object.assign(new Error('could not extend file "base/5/16385": No space left on device'), { code: '53100' }),
    ],
    [
      'a file',
      Object.assign(new Error("ENOSPC: no space left on device, write '/srv/media/a.mp3.part'"), { code: 'ENOSPC' }),
    ],
  ];
  it.each(fullDisks)(
    'a write %s has no room for is a 507 whose cause is logged, not sent, and nothing is written',
    async (_, full) => {
      const { response, logged } = await postWordMeeting(full);

      expect(expectProblem(response, 507).detail).toBe(
        "The server's disk is full: nothing was written. Its administrator must free space",
      );
      expect(logged).toContainEqual(expect.stringContaining(full.message));
      expect(await countRows(t, 'words')).toBe(0);
    },
  );

  (dialect.name === 'sqlite' ? it : it.skip)(
    'an import SQLite finds no room for midway is a 507, and none of its words is written',
    async () => {
      await client.createWord({ thai: 'แมว', english: 'cat' });
      const [{ pages }] = await sql<{ pages: number }>(t, 'select page_count as pages from pragma_page_count()');
      // The database may not grow: as a full disk, SQLite stops at the first page it needs.
      await sql(t, `pragma max_page_count = ${pages}`);
      const words = Array.from({ length: 500 }, (_, i) => ({ thai: `คำ ${i}`, english: `word number ${i}` }));
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const response = await client.post('/words/import', { words });

        expectProblem(response, 507);
        expect(logged).toHaveBeenCalledWith(expect.stringContaining('database or disk is full'));
      } finally {
        jest.restoreAllMocks();
        await sql(t, 'pragma max_page_count = 4294967294');
      }
      expect(await countRows(t, 'words')).toBe(1);
      await client.post('/words/import', { words }).expect(200);
      expect(await countRows(t, 'words')).toBe(501);
    },
  );

  it('documents the 503 of a busy database, the 507 of a full disk and the 412 of If-Match on every operation that writes', async () => {
    const { paths } = (await request(t.http).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    };
    const writes = Object.values(paths).flatMap((item) =>
      Object.entries(item)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        .map(([, operation]) => operation),
    );
    expect(writes.length).toBeGreaterThan(20);
    for (const operation of writes) {
      expect(operation.responses['503']).toBeDefined();
      expect(operation.responses['507']).toBeDefined();
      expect(operation.responses['412']).toBeDefined();
    }
    expect(paths[`${API}/words`].post.responses['503'].headers).toHaveProperty('Retry-After');
  });

  it('a duplicate that slips past the service check is still a 409 (the unique index answers)', async () => {
    const service = t.app.get(WordsService);
    await client.createWord({ thai: 'แมว', english: 'cat' });
    jest.spyOn(service as any, 'assertUnique').mockResolvedValue(undefined);
    try {
      expectProblem(await client.post('/words', { thai: 'แมว', english: 'CAT' }), 409);
    } finally {
      jest.restoreAllMocks();
    }
    expect(await countRows(t, 'words')).toBe(1);
  });
});

describe('per-request EntityManager', () => {
  it('gives every request its own identity map: a change made behind the ORM is seen by the next request', async () => {
    const { word } = await fixture();
    expect((await client.getWord(word)).english).toBe('cat');
    expect((await client.get('/words').expect(200)).body.items[0].english).toBe('cat');

    await sql(t, 'update words set english = ?, correct_count = 7 where id = ?', ['kitten', word]);

    expect(await client.getWord(word)).toMatchObject({ english: 'kitten', correct_count: 7 });
    expect((await client.get('/words').expect(200)).body.items[0]).toMatchObject({
      english: 'kitten',
      correct_count: 7,
    });
  });
});

describe('conditional requests', () => {
  it('tags a GET’s answer with an ETag, and a request naming it gets a 304 until the resource changes', async () => {
    const { word } = await fixture();
    const first = await client.get('/words').expect(200);
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect((await client.get('/words').expect(200)).headers.etag).toBe(tag);

    const unchanged = await client.get('/words').set('If-None-Match', tag).expect(304);
    expect(unchanged.text).toBe('');
    // As long as before: only the CRC tells the two bodies apart.
    await client.patch(`/words/${word}`, { english: 'cow' }).expect(200);
    const changed = await client.get('/words').set('If-None-Match', tag).expect(200);
    expect(changed.body.items[0].english).toBe('cow');
    expect(changed.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(changed.headers.etag).not.toBe(tag);
  });
});

describe('Location', () => {
  it.each([
    ['/words/', async () => ({ thai: 'แมว', english: 'cat' })],
    ['/groups/', async () => ({ name: 'Animals' })],
    ['/learning_apps/', async () => ({ name: 'Flashcards', launch_url: 'https://apps.example/fc' })],
    ['/study_sessions/', async () => ({ group_id: (await client.createGroup('Animals')).id })],
  ])('POST %s (a trailing slash) gives the new resource’s URL, which answers it', async (collection, body) => {
    const created = await client.post(collection, await body()).expect(201);

    expect(await client.followLocation(created, collection.slice(0, -1))).toMatchObject({ id: created.body.id });
  });

  describe('of a portal served under a path (PUBLIC_URL http://portal.test/school)', () => {
    let prefixed: TestApp;
    beforeAll(async () => {
      prefixed = await createTestApp({ PUBLIC_URL: 'http://portal.test/school/' });
    });
    afterAll(() => closeTestApp(prefixed));

    it('names the full path, which a client resolves against the portal’s address', async () => {
      const proxied = api(prefixed);
      const group = await proxied.post('/groups', { name: 'Animals' }).expect(201);
      const app = await proxied.post('/learning_apps', { name: 'Cards', launch_url: 'https://apps.example/c' });
      const launched = await proxied.post(`/learning_apps/${app.body.id}/launch`, { group_id: group.body.id });

      expect(group.headers.location).toBe(`/school${API}/groups/${group.body.id}`);
      expect(launched.headers.location).toBe(`/school${API}/study_sessions/${launched.body.study_session.id}`);
      // The proxy in front takes /school off, as it does for every request.
      const location = new URL(group.headers.location, 'http://portal.test/school/words');
      await request(prefixed.http)
        .get(location.pathname.replace(/^\/school/, ''))
        .expect(200);
    });

    it("leads a browser from the portal's address to the API documentation under that path", async () => {
      const response = await request(prefixed.http).get('/').expect(302);
      expect(response.headers.location).toBe('/school/api/docs');
    });

    it('leads a browser from an app’s folder named without its slash to the folder, under that path', async () => {
      const response = await request(prefixed.http).get('/apps/flashcards?study_session_id=7&group_id=2').expect(302);
      expect(response.headers.location).toBe('/school/apps/flashcards/?study_session_id=7&group_id=2');
    });
  });
});

describe('Content-Security-Policy', () => {
  const policies = async (app: TestApp) =>
    Promise.all(
      ['/api/docs/', '/apps/flashcards/index.html'].map(
        async (page) => (await request(app.http).get(page).expect(200)).headers['content-security-policy'] as string,
      ),
    );

  it('served over plain http, pages are not told to fetch everything over https, which would fail', async () => {
    for (const policy of await policies(t)) {
      expect(policy).toMatch(/default-src 'self'/);
      expect(policy).not.toMatch(/upgrade-insecure-requests/);
    }
  });

  it('with PUBLIC_URL https, pages are told to upgrade their requests to https', async () => {
    const secure = await createTestApp({ PUBLIC_URL: 'https://portal.school.example/' });
    try {
      for (const policy of await policies(secure)) {
        expect(policy).toMatch(/upgrade-insecure-requests/);
      }
    } finally {
      await closeTestApp(secure);
    }
  });
});

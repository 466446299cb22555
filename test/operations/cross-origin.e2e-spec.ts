import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { allRows, expectInvalid, expectProblem, sql } from '../api.js';
import { type TestApp, useEmptyTestApp, useTestApp } from '../app.js';
import { portal } from '../fixtures.js';

/**
 * A page on another origin must not be able to destroy data: the resets need a JSON body (which a
 * browser only sends cross-origin after a preflight), and the preflights of what destroys data are
 * answered only for CORS_ORIGINS. Everything else stays open to every origin (launched learning apps).
 */

const EVIL = 'http://evil.example';
const PORTAL = 'http://portal.example';

const RESETS = ['full_reset', 'reset_history'] as const;

/** Some user data with learning history (and no seed data, so a full reset would show). */
async function studied(t: TestApp) {
  const client = portal(t);
  const { group, words } = await client.groupWithWords('Animals', 3);
  const session = await client.createSession(group.id);
  await client.answer(session.id, words[0].id, true, { key: 'k-1' }).expect(201);
  await client.answer(session.id, words[1].id, false).expect(201);
  await client.review(words[2].id, true).expect(201);
  return { group, words, session };
}

describe('cross-origin resets (CORS_ORIGINS empty)', () => {
  const t = useEmptyTestApp();

  const post = (path: string) => request(t.http).post(`/api/v1/${path}`).set('Origin', EVIL);

  describe.each(RESETS)('POST /api/v1/%s from http://evil.example', (reset) => {
    // What an HTML form (or a fetch without preflight) can send: text/plain, urlencoded or multipart.
    it.each([
      ['text/plain', 'the confirmation', `{"confirm":"${reset}"}`],
      ['text/plain', 'an empty object', '{}'],
      ['text/plain;charset=UTF-8', 'the confirmation', `{"confirm":"${reset}"}`],
      ['application/x-www-form-urlencoded', 'the confirmation', `confirm=${reset}`],
      [
        'multipart/form-data; boundary=xyz',
        'the confirmation',
        `--xyz\r\nContent-Disposition: form-data; name="confirm"\r\n\r\n${reset}\r\n--xyz--\r\n`,
      ],
    ])('as %s (%s) is 415 and changes nothing', async (type, _what, body) => {
      await studied(t);
      const before = await allRows(t);

      const response = await post(reset).set('Content-Type', type).send(body);

      expectProblem(response, 415);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect(await allRows(t)).toEqual(before);
    });

    it('as text/plain with an empty body (no body, by the rules of docs/api.md §1) is 400 naming confirm, and changes nothing', async () => {
      await studied(t);
      const before = await allRows(t);

      const response = await post(reset).set('Content-Type', 'text/plain').send('');

      expectInvalid(response, 'confirm');
      expect(await allRows(t)).toEqual(before);
    });

    it('with no body is 400 naming confirm, and changes nothing', async () => {
      await studied(t);
      const before = await allRows(t);

      const response = await post(reset);

      expectInvalid(response, 'confirm');
      expect(await allRows(t)).toEqual(before);
    });

    it.each([
      { confirm: 'yes' },
      { confirm: reset === 'full_reset' ? 'reset_history' : 'full_reset' },
      { confirm: true },
      { confirm: reset.toUpperCase() },
      {},
    ])('with the wrong confirmation %j is 400 naming confirm, and changes nothing', async (body) => {
      await studied(t);
      const before = await allRows(t);

      const response = await post(reset).send(body);

      expectInvalid(response, 'confirm');
      expect(await allRows(t)).toEqual(before);
    });

    it('with the right JSON body is 200 (a browser would have asked first), and the response is not readable cross-origin', async () => {
      await studied(t);

      const response = await post(reset).send({ confirm: reset }).expect(200);

      expect(response.body).toEqual({ success: true, message: expect.any(String) });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      for (const table of ['study_sessions', 'study_activities', 'words_review_items']) {
        expect({ table, rows: (await sql(t, `select * from ${table}`)).length }).toEqual({ table, rows: 0 });
      }
      const words = await sql<{ english: string }>(t, 'select english from words');
      if (reset === 'full_reset') {
        // The seed data, not the user's words.
        expect(words.length).toBeGreaterThan(100);
        expect(words.map((word) => word.english)).not.toContain('Animals word 1');
      } else {
        expect(words.map((word) => word.english).sort()).toEqual([
          'Animals word 1',
          'Animals word 2',
          'Animals word 3',
        ]);
      }
    });
  });
});

/** A preflight as a browser sends it before a request it may not send unasked. */
const preflight = (t: TestApp, method: string, path: string, origin: string) =>
  request(t.http)
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method)
    .set('Access-Control-Request-Headers', 'content-type');

const DESTRUCTIVE: [string, string][] = [
  ['POST', '/api/v1/full_reset'],
  ['POST', '/api/v1/reset_history'],
  ['DELETE', '/api/v1/words/1?force=true'],
  ['DELETE', '/api/v1/groups/1?force=true'],
  // The same routes, as Express also routes them.
  ['POST', '/api/v1/full_reset/'],
  ['DELETE', '/api/v1/words/1/?force=true'],
];

const OPEN: [string, string][] = [
  ['POST', '/api/v1/study_sessions/1/words/1/review'],
  ['POST', '/api/v1/reviews'],
  ['GET', '/api/v1/words'],
  ['DELETE', '/api/v1/words/1'],
  ['DELETE', '/api/v1/groups/1'],
  ['DELETE', '/api/v1/words/1?force=false'],
  ['POST', '/api/v1/learning_apps/1/launch'],
];

describe('CORS preflights per origin (CORS_ORIGINS=http://portal.example)', () => {
  const t = useTestApp({ CORS_ORIGINS: PORTAL });

  it.each(DESTRUCTIVE)('%s %s from http://evil.example: no Access-Control-Allow-Origin', async (method, path) => {
    const response = await preflight(t, method, path, EVIL);
    expect(response.status).toBeLessThan(300);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each(DESTRUCTIVE)('%s %s from a CORS_ORIGINS origin: that origin is echoed', async (method, path) => {
    const response = await preflight(t, method, path, PORTAL).expect(204);
    expect(response.headers['access-control-allow-origin']).toBe(PORTAL);
    expect(response.headers.vary).toMatch(/\bOrigin\b/i);
  });

  it.each(OPEN.flatMap(([method, path]) => [EVIL, PORTAL, 'http://localhost:8080'].map((o) => [method, path, o])))(
    '%s %s from %s: * (open to every origin)',
    async (method, path, origin) => {
      const response = await preflight(t, method, path, origin).expect(204);
      expect(response.headers['access-control-allow-origin']).toBe('*');
    },
  );

  it('a force delete sent from http://evil.example without a preflight gets no Access-Control-Allow-Origin', async () => {
    const client = portal(t);
    const word = await client.createWord({ thai: 'ลา', english: 'donkey' });
    const response = await request(t.http).delete(`/api/v1/words/${word.id}?force=true`).set('Origin', EVIL);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const open = await request(t.http).get('/api/v1/words').set('Origin', EVIL).expect(200);
    expect(open.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('CORS preflights with CORS_ORIGINS empty (the default)', () => {
  const t = useTestApp({ CORS_ORIGINS: '' });

  it.each(DESTRUCTIVE.flatMap(([method, path]) => [EVIL, PORTAL].map((o) => [method, path, o])))(
    '%s %s from %s: no Access-Control-Allow-Origin',
    async (method, path, origin) => {
      const response = await preflight(t, method, path, origin);
      expect(response.status).toBeLessThan(300);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  it.each(OPEN)('%s %s: * from any origin', async (method, path) => {
    const response = await preflight(t, method, path, EVIL).expect(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('a learning app on another origin reads the problem of a body that does not parse', () => {
  const t = useTestApp({ BODY_LIMIT: '1kb' });

  it.each([
    ['malformed JSON', 400, '{"correct":tru'],
    ['bytes that are not UTF-8', 400, Buffer.from('{"correct":true,"x":"\xc3"}', 'latin1')],
    ['a body over BODY_LIMIT', 413, JSON.stringify({ correct: true, x: 'a'.repeat(2000) })],
  ])('%s: %i with Access-Control-Allow-Origin *', async (_what, status, body) => {
    const response = await request(t.http)
      .post('/api/v1/reviews')
      .set('Origin', EVIL)
      .set('Content-Type', 'application/json')
      .send(body);

    expectProblem(response, status);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('media files (/media/) from other origins', () => {
  const media = mkdtempSync(join(tmpdir(), 'cross-origin-media-'));
  writeFileSync(join(media, 'khao.mp3'), 'ID3 fake audio');
  writeFileSync(join(media, '.htpasswd'), 'admin:secret');
  const t = useTestApp({ MEDIA_PATH: media });
  afterAll(() => rmSync(media, { recursive: true, force: true }));

  // A launched app plays a word's parts.audio, or fetches it, from its own origin.
  it.each(['get', 'head'] as const)('%s is readable and embeddable from any origin', async (method) => {
    const response = await request(t.http)[method]('/media/khao.mp3').set('Origin', EVIL).expect(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it('a preflight is answered for any origin', async () => {
    const response = await preflight(t, 'GET', '/media/khao.mp3', EVIL).expect(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('a hidden file of the media folder is not served: 404, as a file that is not there', async () => {
    const response = await request(t.http).get('/media/.htpasswd');
    expectProblem(response, 404);
    expect(response.text).not.toContain('secret');
  });

  it('the API keeps its own resource policy', async () => {
    const response = await request(t.http).get('/api/v1/words').set('Origin', EVIL).expect(200);
    expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

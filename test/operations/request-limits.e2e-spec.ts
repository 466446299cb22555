import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import request from 'supertest';
import { api, clearDatabase, countRows, expectProblem } from '../api.js';
import { closeTestApp, createTestApp, useEmptyTestApp, useTestApp } from '../app.js';

/** BODY_LIMIT, RATE_LIMIT_PER_MINUTE, JSON in UTF-8 only and Content-Encoding. */

/** A serializer that sends a Buffer's bytes unchanged (superagent's types only know string bodies). */
const asIs = ((data: Buffer) => data) as unknown as (body: unknown) => string;

describe("BODY_LIMIT '2kb'", () => {
  const t = useEmptyTestApp({ BODY_LIMIT: '2kb' });
  const client = api(t);

  const bodyOf = (bytes: number) => {
    const body = { thai: 'แมว', english: 'cat', parts: { note: '' } };
    body.parts.note = 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(body)));
    expect(Buffer.byteLength(JSON.stringify(body))).toBe(bytes);
    return body;
  };

  it('a 3 KB JSON body is 413, its detail states the limit in bytes, and nothing is written', async () => {
    const response = await client.post('/words', bodyOf(3 * 1024));

    const problem = expectProblem(response, 413);
    expect(problem.detail).toMatch(/\b2048 bytes\b/);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('the limit holds for the body inflated: 3 KB of JSON compressed to far less is 413', async () => {
    const compressed = gzipSync(JSON.stringify(bodyOf(3 * 1024)));
    expect(compressed.length).toBeLessThan(1024);
    const response = await client
      .post('/words')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize(asIs)
      .send(compressed);

    expect(expectProblem(response, 413).detail).toMatch(/\b2048 bytes\b/);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('a body declared over the limit is 413 at once, while it is still being sent', async () => {
    const server = t.http.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    try {
      const headers = 'Host: x\r\nContent-Type: application/json\r\nContent-Length: 3072\r\nConnection: close';
      socket.write(`POST /api/v1/words HTTP/1.1\r\n${headers}\r\n\r\n{"thai"`);
      let answer = '';
      socket.on('data', (data: Buffer) => (answer += data.toString()));
      await once(socket, 'end');
      expect(answer).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n[^]*larger than the limit of 2048 bytes/);
    } finally {
      socket.destroy();
      await new Promise((closed) => server.close(closed));
    }
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('a body of the limit is accepted, and one byte more is 413', async () => {
    await client.post('/words', bodyOf(2048)).expect(201);
    expectProblem(await client.post('/words', bodyOf(2049)), 413);
    expect(await countRows(t, 'words')).toBe(1);
  });

  it('a compressed body longer than the limit is accepted when it inflates within it', async () => {
    const stored = gzipSync(JSON.stringify(bodyOf(2040)), { level: 0 });
    expect(stored.length).toBeGreaterThan(2048);
    await client
      .post('/words')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize(asIs)
      .send(stored)
      .expect(201);
  });

  it('a 3 KB reset confirmation is 413 and resets nothing', async () => {
    await client.createWord({ thai: 'หมา', english: 'dog' });
    const response = await client
      .post('/reset_history', `{"confirm":"reset_history"${' '.repeat(3 * 1024)}}`)
      .type('json');
    expect(expectProblem(response, 413).detail).toMatch(/\b2048 bytes\b/);
    expect(await countRows(t, 'words')).toBe(1);
  });
});

describe('RATE_LIMIT_PER_MINUTE 5', () => {
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: 5 });
  const client = api(t);

  /** Asserts a 429 problem with a Retry-After of 1 to 60 seconds. */
  function expectLimited(response: Awaited<ReturnType<typeof client.get>>) {
    expectProblem(response, 429);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  // Each test runs on a fresh app: the limit counts per client address, for the app's lifetime minute.
  it('the 6th request to one endpoint within a minute is 429 with Retry-After', async () => {
    const fresh = await createTestApp({ RATE_LIMIT_PER_MINUTE: 5 });
    try {
      for (let i = 1; i <= 5; i++) {
        await request(fresh.http).get('/api/v1/words').expect(200);
      }
      expectLimited(await request(fresh.http).get('/api/v1/words'));
    } finally {
      await closeTestApp(fresh);
    }
  });

  it('a learning app on another origin can read the Retry-After of its 429', async () => {
    const fresh = await createTestApp({ RATE_LIMIT_PER_MINUTE: 1 });
    try {
      await request(fresh.http).get('/api/v1/words').expect(200);
      const response = await request(fresh.http).get('/api/v1/words').set('Origin', 'http://localhost:8080');

      expectLimited(response);
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.headers['access-control-expose-headers'].split(',')).toContain('Retry-After');
    } finally {
      await closeTestApp(fresh);
    }
  });

  // .env.example: "Requests per minute per client address", not per endpoint.
  it('the 6th request of a client within a minute is 429 whatever the endpoint, and is not carried out', async () => {
    await clearDatabase(t);
    for (let i = 1; i <= 5; i++) {
      await client.get('/words').expect(200);
    }

    const response = await client.post('/words', { thai: 'แมว', english: 'cat' });

    expectLimited(response);
    expect(await countRows(t, 'words')).toBe(0);
    expectLimited(await client.get('/groups'));
  });
});

describe('RATE_LIMIT_PER_MINUTE 5: health checks and metrics are not limited', () => {
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: 5 });

  it('20 liveness, readiness and metrics requests all pass', async () => {
    for (let i = 0; i < 20; i++) {
      await request(t.http)
        .get(['/api/v1/health', '/api/v1/health/ready', '/metrics'][i % 3])
        .expect(200);
    }
  });
});

describe('RATE_LIMIT_PER_MINUTE 0 (the default)', () => {
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: 0 });
  const client = api(t);

  it('50 requests within a minute all pass', async () => {
    await clearDatabase(t);
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const response =
        i % 2 === 0 ? await client.get('/words') : await client.post('/words', { thai: `คำ ${i}`, english: `w${i}` });
      statuses.push(response.status);
      expect(response.headers['retry-after']).toBeUndefined();
    }
    expect(statuses).toEqual(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 200 : 201)));
    expect(await countRows(t, 'words')).toBe(25);
  });
});

describe('JSON in UTF-8 only', () => {
  const t = useEmptyTestApp();
  const client = api(t);

  const word = { thai: 'แมว', english: 'cat' };

  it.each([
    ['application/json; charset=utf-16', 'in UTF-16', Buffer.from(JSON.stringify(word), 'utf16le')],
    ['application/json; charset=utf-16', 'in UTF-8 bytes', Buffer.from(JSON.stringify(word), 'utf8')],
    ['application/json; charset=UTF-16LE', 'in UTF-16', Buffer.from(JSON.stringify(word), 'utf16le')],
    [
      'application/json; charset=iso-8859-1',
      'in Latin-1',
      Buffer.from(JSON.stringify({ thai: 'x', english: 'café' }), 'latin1'),
    ],
    // The charset however it is written: quoted, its name in capitals, UTF-8 by an alias or a longer name.
    ['application/json; charset="iso-8859-1"', 'in UTF-8 bytes', Buffer.from(JSON.stringify(word), 'utf8')],
    ['application/json; CHARSET=iso-8859-1', 'in UTF-8 bytes', Buffer.from(JSON.stringify(word), 'utf8')],
    ['application/json; charset=utf8', 'in UTF-8 bytes', Buffer.from(JSON.stringify(word), 'utf8')],
    ['application/json; charset=x-utf-8', 'in UTF-8 bytes', Buffer.from(JSON.stringify(word), 'utf8')],
  ])('POST /words as %s (%s) is 415, and nothing is written', async (type, _bytes, bytes) => {
    // The bytes as they are: superagent would otherwise serialise a Buffer as JSON.
    const response = await client.post('/words').set('Content-Type', type).serialize(asIs).send(bytes);

    expect(expectProblem(response, 415).detail).toBe('The request body must be application/json, in UTF-8');
    expect(await countRows(t, 'words')).toBe(0);
  });

  it.each([
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf-8"',
    'application/json',
    'Application/JSON',
    'application/json ; charset=utf-8',
  ])('POST /words as %s is 201', async (type) => {
    const response = await client.post('/words').set('Content-Type', type).send(JSON.stringify(word));

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject(word);
    expect(await countRows(t, 'words')).toBe(1);
  });
});

describe('Content-Encoding', () => {
  const t = useEmptyTestApp();
  const client = api(t);

  it.each([
    ['/words', 'application/json', '{"thai":"แมว","english":"cat"}'],
    ['/words/import', 'text/csv', 'thai,english\nแมว,cat\n'],
  ])(
    'POST %s as %s in an encoding the portal does not read is 415 naming it, and nothing is written',
    async (path, type, body) => {
      const response = await client.post(path).set('Content-Type', type).set('Content-Encoding', 'x-zip').send(body);

      expect(expectProblem(response, 415).detail).toBe(
        "The request body's Content-Encoding, x-zip, is none the portal reads: gzip, deflate, br or zstd",
      );
      expect(await countRows(t, 'words')).toBe(0);
    },
  );

  const compressions = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync, zstd: zstdCompressSync };

  it.each([
    ['/words', 'application/json', 'gzip', '{"thai":"แมว","english":"cat"}', 201],
    ['/words', 'application/json', 'deflate', '{"thai":"แมว","english":"cat"}', 201],
    ['/words', 'application/json', 'br', '{"thai":"แมว","english":"cat"}', 201],
    ['/words', 'application/json', 'zstd', '{"thai":"แมว","english":"cat"}', 201],
    ['/words/import', 'text/csv', 'gzip', 'thai,english\nแมว,cat\n', 200],
  ] as const)('POST %s as %s compressed with %s is read', async (path, type, encoding, body, status) => {
    const response = await client
      .post(path)
      .set('Content-Type', type)
      .set('Content-Encoding', encoding)
      .serialize(asIs)
      .send(compressions[encoding](body));

    expect(response.status).toBe(status);
    expect(await countRows(t, 'words')).toBe(1);
  });

  it.each([
    ['/words', 'application/json', 'gzip'],
    ['/words', 'application/json', 'deflate'],
    ['/words', 'application/json', 'br'],
    ['/words', 'application/json', 'zstd'],
    ['/words/import', 'text/csv', 'gzip'],
  ])(
    'POST %s as %s said to be %s that is not is 400 saying so, and nothing is written',
    async (path, type, encoding) => {
      const response = await client
        .post(path)
        .set('Content-Type', type)
        .set('Content-Encoding', encoding)
        .send('not compressed at all');

      expect(expectProblem(response, 400).detail).toBe(
        'The request body does not decompress as its Content-Encoding says',
      );
      expect(await countRows(t, 'words')).toBe(0);
    },
  );
});

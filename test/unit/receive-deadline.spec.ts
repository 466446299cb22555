import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import express from 'express';
import { receiveDeadline, UPLOAD_BYTES_PER_SECOND } from '../../src/http/receive-deadline.js';

const RECEIVE_MS = 400;
const UPLOAD_LIMIT = 512 * 1024;

/** A server with the deadline (400 ms; /upload up to 512 KB) before a route that reads the body and says how long. */
async function serve() {
  const app = express();
  app.use(receiveDeadline({ '/upload': UPLOAD_LIMIT }, RECEIVE_MS));
  // An answer before the body is read, as a 415 is.
  app.post('/early', (_request, response) => {
    response.status(415).json({ answered: 'early' });
  });
  // An answer that takes longer than the deadline once the body is in.
  app.post('/slow', express.raw({ type: () => true }), (_request, response) => {
    setTimeout(() => response.json({ answered: 'late' }), RECEIVE_MS * 2);
  });
  app.post('/{*path}', express.raw({ type: () => true, limit: UPLOAD_LIMIT }), (request, response) => {
    response.json({ received: (request.body as Buffer).length });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/**
 * Sends a POST of `length` bytes in `chunks` equal parts `every` ms apart (all of them, or `sent` of them), and resolves
 * with the status line of the answer, when it came, and whether the server closed the connection right after it.
 */
function trickle(
  port: number,
  path: string,
  length: number,
  chunks: number,
  every: number,
  sent = chunks,
  waitForCloseMs = 200,
) {
  return new Promise<{ status: string; atMs: number; closed: boolean }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    let answer = '';
    let status = '';
    let atMs = 0;
    socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`);
    let part = 0;
    const sending = setInterval(() => {
      if (part < sent && !socket.destroyed) {
        socket.write(Buffer.alloc(length / chunks, 'a'));
      }
      part += 1;
    }, every);
    let closed = false;
    socket.on('data', (data: Buffer) => {
      answer += data.toString();
      if (!status) {
        status = answer.split('\r\n')[0];
        atMs = Date.now() - started;
        // A connection the server keeps is closed here.
        setTimeout(() => {
          socket.destroy();
          resolve({ status, atMs, closed });
        }, waitForCloseMs);
      }
    });
    socket.on('end', () => (closed = true));
    socket.on('close', () => clearInterval(sending));
    socket.on('error', () => undefined);
  });
}

describe('receiveDeadline', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let port: number;
  beforeAll(async () => {
    server = await serve();
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  it('answers 408 and closes the connection when a small body is still arriving at the deadline', async () => {
    const answer = await trickle(port, '/words', 100, 10, 100);
    expect(answer).toMatchObject({ status: 'HTTP/1.1 408 Request Timeout', closed: true });
    expect(answer.atMs).toBeGreaterThanOrEqual(RECEIVE_MS - 50);
    expect(answer.atMs).toBeLessThan(RECEIVE_MS + 300);
  });

  it('closes the connection at the deadline when the answer came before the body (a 415), which is still arriving', async () => {
    // Closed within 300 ms of the deadline; Node would go on reading the rest of the body for as long as it came.
    const answer = await trickle(port, '/early', 100, 10, 100, 10, RECEIVE_MS + 300);
    expect(answer).toMatchObject({ status: 'HTTP/1.1 415 Unsupported Media Type', closed: true });
    expect(answer.atMs).toBeLessThan(100);
  });

  it('takes a body that arrives whole before the deadline', async () => {
    expect((await trickle(port, '/words', 100, 2, 100)).status).toBe('HTTP/1.1 200 OK');
  });

  it('leaves the answer as long as it takes once the body is in', async () => {
    expect((await trickle(port, '/slow', 100, 1, 10)).status).toBe('HTTP/1.1 200 OK');
  });

  it('gives an upload the time its declared length takes at the slowest rate allowed on top', async () => {
    const length = 256 * 1024; // 2 s at UPLOAD_BYTES_PER_SECOND
    expect(length / UPLOAD_BYTES_PER_SECOND).toBe(2);
    // Over 1.6 s: far past the 400 ms of any other request, within its 2.4 s.
    expect((await trickle(port, '/upload', length, 8, 200)).status).toBe('HTTP/1.1 200 OK');
    // Stopped half-way: a 408 at 2.4 s.
    const stalled = await trickle(port, '/upload', length, 8, 100, 4);
    expect(stalled).toMatchObject({ status: 'HTTP/1.1 408 Request Timeout', closed: true });
    expect(stalled.atMs).toBeGreaterThanOrEqual(RECEIVE_MS + 2_000 - 50);
    expect(stalled.atMs).toBeLessThan(RECEIVE_MS + 2_000 + 300);
  }, 10_000);

  it('gives an upload path named with a trailing slash, which Express routes to it, its time too', async () => {
    expect((await trickle(port, '/upload/', 256 * 1024, 8, 200)).status).toBe('HTTP/1.1 200 OK');
  }, 10_000);

  it('counts an upload at most at its limit, whatever length it declares', async () => {
    // Declared 100 MB over a 512 KB limit: 4 s on top, not 800.
    const stalled = await trickle(port, '/upload', 100 * 1024 * 1024, 100 * 1024, 100, 1);
    expect(stalled.status).toBe('HTTP/1.1 408 Request Timeout');
    expect(stalled.atMs).toBeGreaterThanOrEqual(RECEIVE_MS + 4_000 - 50);
    expect(stalled.atMs).toBeLessThan(RECEIVE_MS + 4_000 + 300);
  }, 10_000);
});

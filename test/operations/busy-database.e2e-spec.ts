import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { countRows, expectProblem } from '../api.js';
import { closeTestApp, createTestApp, type TestApp } from '../app.js';
import { portal } from '../fixtures.js';

/**
 * Another process holding SQLite's write lock longer than a write waits for it (busy_timeout, 5 s): a cluster's
 * worker importing a large vocabulary, a reset, a command-line script. PostgreSQL's writers wait for each other.
 */
const sqliteOnly = process.env.TEST_DATABASE_URL ? describe.skip : describe;

sqliteOnly('a database another process keeps busy', () => {
  let folder: string;
  let path: string;
  let t: TestApp;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'busy-database-'));
    path = join(folder, 'portal.sqlite');
    t = await createTestApp({ DATABASE_PATH: path });
  });
  afterAll(async () => {
    await closeTestApp(t);
    rmSync(folder, { recursive: true, force: true });
  });

  it('a write is a 503 with Retry-After, nothing written, and the server serves on once the lock is free', async () => {
    const client = portal(t);
    const other = new Database(path);
    try {
      other.exec('begin immediate');
      const response = await client.post('/words', { thai: 'แมว', english: 'cat' });

      expect(expectProblem(response, 503).detail).toMatch(/busy/);
      expect(response.headers['retry-after']).toBe('5');
      other.exec('rollback');
    } finally {
      other.close();
    }
    // The connection the refused transaction held is free again: reads and writes are answered, not left waiting.
    await client.get('/words').expect(200);
    await client.post('/words', { thai: 'แมว', english: 'cat' }).expect(201);
    expect(await countRows(t, 'words')).toBe(1);
  }, 20_000);

  /** Another thread (the server's waiting blocks this one) holding the write lock for `ms` after it has it. */
  async function holdLock(ms: number): Promise<Worker> {
    const holder = new Worker(
      `const Database = require('better-sqlite3');
       const { parentPort, workerData } = require('node:worker_threads');
       const database = new Database(workerData.path);
       database.exec('begin immediate');
       parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
       database.exec('rollback');
       database.close();`,
      { eval: true, workerData: { path, ms } },
    );
    await new Promise((resolve) => holder.once('message', resolve));
    return holder;
  }

  it('a write waits for a lock another process lets go of within busy_timeout, and is written', async () => {
    const holder = await holdLock(500);
    try {
      await portal(t).post('/words', { thai: 'หมา', english: 'dog' }).expect(201);
    } finally {
      await holder.terminate();
    }
    expect(await countRows(t, 'words', "english = 'dog'")).toBe(1);
  });

  it('a write whose transaction could not begin writes nothing, though the lock is let go of while it would run', async () => {
    // Let go of 1.5 s after the transaction's begin gave up: its statements, run outside a transaction, would wait
    // for it and be written one by one.
    const holder = await holdLock(6_500);
    try {
      expectProblem(await portal(t).post('/words', { thai: 'นก', english: 'bird' }), 503);
    } finally {
      await holder.terminate();
    }
    expect(await countRows(t, 'words', "english = 'bird'")).toBe(0);
  }, 20_000);
});

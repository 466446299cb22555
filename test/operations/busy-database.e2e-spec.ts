import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});

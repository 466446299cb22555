import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { expectProblem } from '../api.js';
import { closeTestApp, createTestApp, type TestApp } from '../app.js';
import { portal } from '../fixtures.js';

/**
 * PostgreSQL cutting a server's connection in the middle of a write: the database restarted, an administrator
 * terminating the backend. (SQLite's connection is the server's own file: test/operations/busy-database.e2e-spec.ts.)
 */
const postgresOnly = process.env.TEST_DATABASE_URL ? describe : describe.skip;

postgresOnly('a connection to PostgreSQL lost in the middle of a write', () => {
  let t: TestApp;

  beforeAll(async () => {
    // One connection: the server serves on only if the pool gets a new one in place of the lost one.
    t = await createTestApp({ DATABASE_POOL_SIZE: 1 });
  });
  afterAll(() => closeTestApp(t));

  it('fails that write, writes nothing, and the server serves on with a new connection', async () => {
    const client = portal(t);
    const { id } = (await client.post('/words', { thai: 'แมว', english: 'cat' }).expect(201)).body as { id: number };
    const other = new pg.Client({ connectionString: t.orm.config.get('clientUrl') });
    await other.connect();
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      // The word's row locked by another transaction: the server's update waits for it inside its transaction.
      await other.query('begin');
      await other.query('select id from words where id = $1 for update', [id]);
      const update = client.patch(`/words/${id}`, { english: 'kitten' }).then((response) => response);
      let waiting: { pid: number } | undefined;
      while (!waiting) {
        const { rows } = await other.query<{ pid: number }>(
          `select pid from pg_stat_activity
            where datname = current_database() and application_name = 'lang-portal' and wait_event_type = 'Lock'`,
        );
        waiting = rows[0];
      }
      await other.query('select pg_terminate_backend($1)', [waiting.pid]);
      await other.query('rollback');

      // Whether a commit cut off had been written is not known: the server cannot say the write may be sent again.
      expectProblem(await update, 500);
      expect(logged).toHaveBeenCalled();
    } finally {
      jest.restoreAllMocks();
      await other.end();
    }
    const word = (await client.get(`/words/${id}`).expect(200)).body as { english: string };
    expect(word.english).toBe('cat');
    await client.patch(`/words/${id}`, { english: 'kitten' }).expect(200);
  }, 20_000);
});

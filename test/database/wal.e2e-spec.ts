import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asInteger, dialect } from '../../src/database/dialect.js';
import { countRows, sql } from '../api.js';
import { closeTestApp, createTestApp, type TestApp } from '../app.js';
import { portal } from '../fixtures.js';

/**
 * Two servers (two connections) on one database, as several processes would share it: one SQLite file in WAL
 * mode, or one PostgreSQL database.
 */
describe('a database shared by two connections', () => {
  let dir: string;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lang-portal-wal-'));
    first = await createTestApp({ DATABASE_PATH: join(dir, 'portal.sqlite') });
    second = await createTestApp({
      DATABASE_PATH: join(dir, 'portal.sqlite'),
      ...(dialect.name === 'postgresql' && { DATABASE_URL: first.orm.config.get('clientUrl') }),
    });
  });
  afterAll(async () => {
    await closeTestApp(first);
    await closeTestApp(second);
    rmSync(dir, { recursive: true, force: true });
  });

  (dialect.name === 'sqlite' ? it : it.skip)('runs in WAL mode (SQLite)', async () => {
    expect(await sql(first, 'pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('refuses a row that refers to no row (foreign keys enforced), and writes nothing', async () => {
    const group = await portal(first).createGroup('Animals', []);
    await expect(
      sql(first, 'insert into words_groups (word_id, group_id, created_at) values (?, ?, ?)', [
        999_999,
        group.id,
        new Date(),
      ]),
    ).rejects.toThrow(/foreign key/i);
    expect(await countRows(first, 'words_groups')).toBe(0);
  });

  it('keeps every counter exact when both write answers at once', async () => {
    const [a, b] = [portal(first), portal(second)];
    const words = await a.createWords(['น้ำ', 'water'], ['ไฟ', 'fire']);
    const group = await a.createGroup('Elements', [words[0].id, words[1].id]);
    const session = await a.createSession(group.id);

    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const client = i % 2 === 0 ? a : b;
        const word = words[i % 4 < 2 ? 0 : 1].id;
        return i % 3 === 0 ? client.review(word, i % 5 === 0) : client.answer(session.id, word, i % 5 === 0);
      }),
    );

    const recorded = responses.filter((response) => response.status === 201).length;
    const counters = await sql<{ correct: number; wrong: number }>(
      first,
      'select sum(correct_count) as correct, sum(wrong_count) as wrong from words',
    );
    const log = await sql<{ correct: number; wrong: number }>(
      second,
      `select sum(${asInteger('correct')}) as correct, sum(1 - ${asInteger('correct')}) as wrong from words_review_items`,
    );
    expect(counters).toEqual(log);
    expect(log[0].correct + log[0].wrong).toBe(recorded);
    expect(recorded).toBe(60);
  });
});

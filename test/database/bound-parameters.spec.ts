import { jest } from '@jest/globals';
import type Database from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { dialect } from '../../src/database/dialect.js';
import type { SqliteConnection } from '../../src/database/sqlite.dialect.js';
import { api, sql, statementsDuring } from '../api.js';
import { useTestApp } from '../app.js';
import { portal } from '../fixtures.js';

/** SQLite's statements: values bound, not written into the SQL text, and each text compiled once. */
(dialect.name === 'sqlite' ? describe : describe.skip)('statements on SQLite', () => {
  const t = useTestApp();
  const database = () => (t.orm.config.get('driverOptions') as SqliteConnection).database!;

  /** The statement texts better-sqlite3 compiles while `run` executes. */
  async function compiledDuring(run: () => Promise<unknown>): Promise<string[]> {
    const compiled: string[] = [];
    const prepare = database().prepare.bind(database());
    const spy = jest.spyOn(database(), 'prepare').mockImplementation((text: string) => {
      compiled.push(text);
      return prepare(text) as Database.Statement<unknown[], unknown>;
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return compiled;
  }

  it('compiles a statement once, whatever values later requests bind', async () => {
    const [first, second] = await portal(t).createWords(['น้ำ', 'water'], ['ไฟ', 'fire']);
    await portal(t).getWord(first.id);
    expect(await compiledDuring(() => portal(t).getWord(second.id))).toEqual([]);
  });

  it('compiles the review queue once, though it orders the cards by the time since their last review', async () => {
    const { group, words } = await portal(t).groupWithWords('wind', 1);
    // Answered wrong a day ago: due since.
    await portal(t)
      .review(words[0].id, false, { reviewedAt: new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString() })
      .expect(201);
    for (const path of ['/reviews/queue', `/reviews/queue?group_id=${group.id}`]) {
      const queue = () => api(t).get(path).expect(200);
      expect((await queue()).body.items.map((item: { id: number }) => item.id)).toContain(words[0].id);
      // A later instant: the same statements, nothing compiled again.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect({ path, compiled: await compiledDuring(queue) }).toEqual({ path, compiled: [] });
    }
  });

  it('keeps the 500 texts used last compiled, so that a server running for years holds a bounded number', async () => {
    const kysely = t.orm.em.fork().getKysely();
    const run = (text: string) => kysely.executeQuery(CompiledQuery.raw(text));
    const texts = Array.from({ length: 500 }, (_, i) => `select ${i} as n`);
    const used = 'select -1 as n';
    await run(used);
    for (const text of texts.slice(0, 250)) await run(text);
    // Used again: kept as the latest then, where the 250 texts before stay as old as they were.
    await run(used);
    for (const text of texts.slice(250)) await run(text);
    // The 500 used last: the 250 texts, `used`, and the first 250 texts but their first.
    expect(await compiledDuring(() => run(texts[1]))).toEqual([]);
    expect(await compiledDuring(() => run(used))).toEqual([]);
    expect(await compiledDuring(() => run(texts[0]))).toEqual([texts[0]]);
  });

  it('runs no pragma to record an answer outside a session: a pragma expires every compiled statement', async () => {
    const word = await portal(t).createWord({ thai: 'ดิน', english: 'earth' });
    const statements = await statementsDuring(() => portal(t).review(word.id, true).expect(201));
    expect(statements.filter((statement) => /\bpragma\b/i.test(statement))).toEqual([]);
  });

  it('binds integers as integers, booleans as 0 and 1, instants as epoch milliseconds', async () => {
    const instant = new Date('2026-11-30T12:00:00.000Z');
    expect(
      await sql(t, 'select typeof(?) as number, ? as flag, ? as instant, ? / 2 as half', [7, true, instant, 7]),
    ).toEqual([{ number: 'integer', flag: 1, instant: instant.getTime(), half: 3 }]);
  });

  it("binds a Kysely query's values as MikroORM's: the entities' instants, booleans and integers", async () => {
    const instant = new Date('2026-11-30T12:00:00.000Z');
    const { rows } = await t.orm.em
      .fork()
      .getKysely()
      .executeQuery(
        CompiledQuery.raw('select typeof(?) as number, ? as flag, ? as instant, ? / 2 as half', [7, false, instant, 7]),
      );
    expect(rows).toEqual([{ number: 'integer', flag: 0, instant: instant.getTime(), half: 3 }]);
  });

  it('refuses to bind what SQLite would store as something else (NaN would be null)', async () => {
    await expect(
      t.orm.em
        .fork()
        .getKysely()
        .executeQuery(CompiledQuery.raw('select ? as value', [Number.NaN])),
    ).rejects.toThrow('A statement cannot bind number NaN');
  });
});

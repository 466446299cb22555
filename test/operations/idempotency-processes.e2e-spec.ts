import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { CardsService } from '../../src/reviews/cards.service.js';
import { countRows, expectProblem } from '../api.js';
import { closeTestApp, createTestApp, type TestApp } from '../app.js';
import { portal } from '../fixtures.js';
import { freshDatabase } from '../postgres.js';

/**
 * Two servers on one database, as a cluster's workers are (one SQLite file, or one PostgreSQL database): a retry
 * sent to the other server while the first request with its Idempotency-Key is recording its answer.
 */

const folder = mkdtempSync(join(tmpdir(), 'idempotency-processes-'));
let first: TestApp;
let second: TestApp;

beforeAll(async () => {
  const database = process.env.TEST_DATABASE_URL
    ? { DATABASE_URL: await freshDatabase() }
    : { DATABASE_PATH: join(folder, 'portal.sqlite') };
  first = await createTestApp(database);
  second = await createTestApp(database);
});
afterAll(async () => {
  await Promise.all([closeTestApp(first), closeTestApp(second)]);
  rmSync(folder, { recursive: true, force: true });
});

it('a retry sent to another server while the first request runs gets 409, another body 422; nothing is recorded twice', async () => {
  const viaFirst = portal(first);
  const viaSecond = portal(second);
  const word = await viaFirst.createWord({ thai: 'แมว', english: 'cat' });

  // The first request waits inside its write (its transaction holding the write lock) until the others are answered.
  // They are sent from here, not from inside that write: supertest starts a server listening for each request, which
  // then runs in the async context it was started in, where MikroORM would find the first request's transaction.
  let writing!: () => void;
  const inWrite = new Promise<void>((resolve) => (writing = resolve));
  let othersAnswered!: () => void;
  const answeredOthers = new Promise<void>((resolve) => (othersAnswered = resolve));
  const follow = CardsService.prototype.follow;
  jest.spyOn(CardsService.prototype, 'follow').mockImplementationOnce(async function (this: CardsService, ...args) {
    writing();
    await Promise.race([answeredOthers, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    return follow.apply(this, args);
  });
  try {
    const answering = Promise.resolve(viaFirst.review(word.id, true, { key: 'k' }));
    await inWrite;
    const [retry, other] = await Promise.all([
      Promise.resolve(viaSecond.review(word.id, true, { key: 'k' })),
      Promise.resolve(viaSecond.review(word.id, false, { key: 'k' })),
    ]);
    othersAnswered();
    const answered = await answering;

    expect(answered.status).toBe(201);
    expect(expectProblem(retry, 409).detail).toBe('A request with this Idempotency-Key is still being processed');
    expectProblem(other, 422);
    expect((await viaSecond.review(word.id, true, { key: 'k' }).expect(201)).body).toEqual(answered.body);
    expect(await countRows(first, 'words_review_items', 'word_id = ?', [word.id])).toBe(1);
  } finally {
    jest.restoreAllMocks();
  }
});

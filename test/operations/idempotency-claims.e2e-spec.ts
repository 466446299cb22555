import { hostname } from 'node:os';
import { IdempotencyKey } from '../../src/reviews/idempotency-key.entity.js';
import { IdempotencyService } from '../../src/reviews/idempotency.service.js';
import { countRows, expectProblem, sql } from '../api.js';
import { useEmptyTestApp } from '../app.js';
import { portal } from '../fixtures.js';

/**
 * Idempotency-Key claims left by a server that stopped mid-request: a server starting on the same
 * database frees them (releaseClaimsOfStoppedServers), and only them.
 */

const t = useEmptyTestApp();
const client = portal(t);

/** A pid no process has: far above any pid_max. */
const DEAD_PID = 2147483646;

/**
 * An answer to POST /reviews and the fingerprint the server stores for it, taken from a first,
 * finished request with another key (so the claim inserted below is for this very request).
 */
async function answerAndFingerprint() {
  const word = await client.createWord({ thai: 'แมว', english: 'cat' });
  await client.review(word.id, true, { key: 'probe' }).expect(201);
  const [{ fingerprint }] = await sql<{ fingerprint: string }>(
    t,
    "select fingerprint from idempotency_keys where key = 'probe'",
  );
  return { wordId: word.id, fingerprint };
}

/** An unfinished claim (no response yet, made just now), as a server leaves it when it dies mid-request. */
async function insertClaim(key: string, fingerprint: string, claimedBy: string | null) {
  const em = t.orm.em.fork();
  em.create(IdempotencyKey, {
    endpoint: 'POST /reviews',
    key,
    fingerprint,
    response: null,
    claimedBy,
    createdAt: new Date(),
  });
  await em.flush();
}

const release = () => t.app.get(IdempotencyService).releaseClaimsOfStoppedServers();
const reviewsOf = (wordId: number) => countRows(t, 'words_review_items', 'word_id = ?', [wordId]);

it('a claim by a process that is not running blocks its key (409) until released; then the retry is recorded once', async () => {
  const { wordId, fingerprint } = await answerAndFingerprint();
  await insertClaim('k-dead', fingerprint, `${hostname()}/${DEAD_PID}/1`);

  expectProblem(await client.review(wordId, true, { key: 'k-dead' }), 409);
  expect(await reviewsOf(wordId)).toBe(1);

  expect(await release()).toBe(1);

  const first = await client.review(wordId, true, { key: 'k-dead' }).expect(201);
  expect(first.body).toMatchObject({ success: true, word_id: wordId, study_session_id: null, correct: true });
  const again = await client.review(wordId, true, { key: 'k-dead' }).expect(201);
  expect(again.body).toEqual(first.body);
  expect(await reviewsOf(wordId)).toBe(2);
  expect((await client.getWord(wordId)).correct_count).toBe(2);
  // Nothing is left to free.
  expect(await release()).toBe(0);
});

it('a claim by an earlier server with this pid (another start time) is freed', async () => {
  const { wordId, fingerprint } = await answerAndFingerprint();
  await insertClaim('k-earlier', fingerprint, `${hostname()}/${process.pid}/1`);
  expectProblem(await client.review(wordId, true, { key: 'k-earlier' }), 409);

  expect(await release()).toBe(1);

  await client.review(wordId, true, { key: 'k-earlier' }).expect(201);
  expect(await reviewsOf(wordId)).toBe(2);
});

it('a claim by a running process (the parent of this worker) is kept', async () => {
  const { wordId, fingerprint } = await answerAndFingerprint();
  await insertClaim('k-alive', fingerprint, `${hostname()}/${process.ppid}/1`);

  expect(await release()).toBe(0);

  expectProblem(await client.review(wordId, true, { key: 'k-alive' }), 409);
  expect(await countRows(t, 'idempotency_keys', "key = 'k-alive' and response is null")).toBe(1);
  expect(await reviewsOf(wordId)).toBe(1);
});

it('a claim by this very server (same pid and start) is kept', async () => {
  const { wordId, fingerprint } = await answerAndFingerprint();
  await insertClaim('k-self', fingerprint, `${hostname()}/${process.pid}/${Math.round(performance.timeOrigin)}`);

  expect(await release()).toBe(0);

  expectProblem(await client.review(wordId, true, { key: 'k-self' }), 409);
});

it('a claim by a server of another machine is kept (it cannot be told stopped)', async () => {
  const { wordId, fingerprint } = await answerAndFingerprint();
  await insertClaim('k-other-host', fingerprint, `not-${hostname()}.example/${DEAD_PID}/1`);

  expect(await release()).toBe(0);

  expectProblem(await client.review(wordId, true, { key: 'k-other-host' }), 409);
});

it('a claim by a server of another pid namespace with this host name is kept (its pid means nothing here)', async () => {
  const { wordId, fingerprint } = await answerAndFingerprint();
  await insertClaim('k-other-space', fingerprint, `${hostname()}/${DEAD_PID}/1/00000000-another-boot:4026531836`);

  expect(await release()).toBe(0);

  expectProblem(await client.review(wordId, true, { key: 'k-other-space' }), 409);
});

it('a claim that names no server (made before claims named one) is freed', async () => {
  const { wordId, fingerprint } = await answerAndFingerprint();
  await insertClaim('k-legacy', fingerprint, null);

  expect(await release()).toBe(1);

  await client.review(wordId, true, { key: 'k-legacy' }).expect(201);
  expect(await reviewsOf(wordId)).toBe(2);
});

it('only the dead claims are freed, finished keys stay', async () => {
  const { wordId, fingerprint } = await answerAndFingerprint();
  await insertClaim('k-dead-1', fingerprint, `${hostname()}/${DEAD_PID}/1`);
  await insertClaim('k-dead-2', fingerprint, `${hostname()}/${DEAD_PID}/1`);
  await insertClaim('k-dead-3', fingerprint, `${hostname()}/${DEAD_PID - 1}/7`);
  await insertClaim('k-alive', fingerprint, `${hostname()}/${process.ppid}/1`);
  // A key a stopped server finished.
  await sql(t, "update idempotency_keys set claimed_by = ? where key = 'probe'", [`${hostname()}/${DEAD_PID}/1`]);

  expect(await release()).toBe(3);

  const keys = await sql<{ key: string }>(t, 'select key from idempotency_keys order by key');
  expect(keys.map((row) => row.key)).toEqual(['k-alive', 'probe']);
  // The finished key still answers its first response.
  await client.review(wordId, true, { key: 'probe' }).expect(201);
  expect(await reviewsOf(wordId)).toBe(1);
});

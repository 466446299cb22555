import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seededRandom } from '../../bench/random.js';
import {
  type BuiltServer,
  ensureBuilt,
  isResponse,
  type Outcome,
  outcomeOf,
  requestLocal,
  sleep,
  startBuiltServer,
} from '../server.js';

/**
 * Crash test of the learning record: the built server (dist/, `npm run test:crash` builds it) is killed
 * with SIGKILL while answers are in flight, five times over, and restarted on the same SQLite file.
 * Afterwards every acknowledged answer must be stored exactly once, an unacknowledged one at most once,
 * retries with the same Idempotency-Key must never record twice, and the counters must equal the log.
 *
 * Every answer carries a distinct `reviewed_at` (the session's start plus its sequence number in
 * milliseconds), so that each row of the review log can be traced back to the one request that wrote it.
 * `CRASH_SEED` replays the random choices (kill moments, answer mix, retried keys) of a failed run.
 */

const ROUNDS = 5;
const PER_ROUND = 300;
const IN_FLIGHT = 64;
/** Acknowledged keyed answers re-sent after each restart (every unacknowledged keyed one is). */
const RETRY_ACKNOWLEDGED = 12;
const REQUEST_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);

// Seeded, so that a failing run can be replayed with CRASH_SEED.
const random = seededRandom(SEED);
const randomInt = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: T[], count: number): T[] => {
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
};

interface Server extends BuiltServer {
  agent: http.Agent;
  killed: boolean;
}

/** One HTTP request on the server's connections; a connection failure or a timeout is an outcome, not an error. */
function send(
  server: Server,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Outcome> {
  return outcomeOf(
    requestLocal(server.port, method, path, { body, headers, agent: server.agent, timeoutMs: REQUEST_TIMEOUT_MS }),
  );
}

async function getJson<T>(server: Server, path: string): Promise<T> {
  const outcome = await send(server, 'GET', path);
  if (!isResponse(outcome) || outcome.status !== 200) {
    throw new Error(`GET ${path}: ${JSON.stringify(outcome)}`);
  }
  return outcome.body as T;
}

/** Errors the server logged (Nest's console format or pino's JSON), e.g. the stack of a 500. */
const serverErrors = (server: Server) =>
  (server.log.join('').match(/^.*(\bERROR\b|"level":\s*(50|60)\b|"level":\s*"(error|fatal)").*$/gm) ?? [])
    .slice(0, 5)
    .map((line) => `server log: ${line.slice(0, 1000)}`);

/** Starts the built server on the database file and waits until it answers. */
async function startServer(databasePath: string): Promise<Server> {
  const server = await startBuiltServer({
    env: {
      DATABASE_PATH: databasePath,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // A few hundred answers a second from one address: no rate limit may turn them away.
      RATE_LIMIT_PER_MINUTE: '0',
    },
    timeoutMs: START_TIMEOUT_MS,
    // GET /health may not exist in every version; the words list answers as soon as the server listens.
    withoutHealth: true,
  });
  return Object.assign(server, { agent: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }), killed: false });
}

/** SIGKILL: no shutdown hook, no flush, no goodbye. */
async function kill(server: Server | undefined): Promise<void> {
  if (!server) {
    return;
  }
  if (server.process.exitCode === null && server.process.signalCode === null) {
    server.killed = true;
  }
  await server.kill();
  server.agent.destroy();
}

interface Answer {
  seq: number;
  round: number;
  kind: 'session' | 'review';
  wordId: number;
  correct: boolean;
  reviewedAtMs: number;
  key?: string;
  path: string;
  body: string;
  sent: boolean;
  outcome?: Outcome;
  retries: Outcome[];
}

const describeAnswer = (answer: Answer) =>
  `#${answer.seq} (round ${answer.round}) POST ${answer.path} ${answer.body}` +
  (answer.key ? ` Idempotency-Key: ${answer.key}` : '');

const describeOutcome = (outcome: Outcome | undefined) =>
  outcome === undefined
    ? 'not sent'
    : isResponse(outcome)
      ? `${outcome.status} ${outcome.text.slice(0, 300)}`
      : `no response (${outcome.error})`;

/** Whether the server acknowledged the answer: a 201 to the first request or to a retry. */
const acknowledged = (answer: Answer) =>
  [answer.outcome, ...answer.retries].some((outcome) => isResponse(outcome) && outcome.status === 201);

describe(`answers under SIGKILL (CRASH_SEED=${SEED})`, () => {
  let dir: string;
  let databasePath: string;
  let server: Server | undefined;
  let sessionId: number;
  let sessionStartMs: number;
  let wordIds: number[];
  const answers: Answer[] = [];

  /** The 201 body the server must answer for this answer. */
  const expectedBody = (answer: Answer) => ({
    success: true,
    word_id: answer.wordId,
    study_session_id: answer.kind === 'session' ? sessionId : null,
    correct: answer.correct,
    created_at: new Date(answer.reviewedAtMs).toISOString(),
  });

  function planAnswer(round: number): Answer {
    const seq = answers.length;
    const kind = random() < 0.5 ? 'session' : 'review';
    const wordId = wordIds[randomInt(0, wordIds.length - 1)];
    const correct = random() < 0.5;
    // Distinct and never in the future by the time it is sent (see the wait in beforeAll).
    const reviewedAtMs = sessionStartMs + 1 + seq;
    const reviewedAt = new Date(reviewedAtMs).toISOString();
    const answer: Answer = {
      seq,
      round,
      kind,
      wordId,
      correct,
      reviewedAtMs,
      ...(random() < 0.5 && { key: `crash-${SEED}-${seq}` }),
      path: kind === 'session' ? `/api/v1/study_sessions/${sessionId}/words/${wordId}/review` : '/api/v1/reviews',
      body: JSON.stringify(
        kind === 'session'
          ? { correct, reviewed_at: reviewedAt }
          : { word_id: wordId, correct, reviewed_at: reviewedAt },
      ),
      sent: false,
      retries: [],
    };
    answers.push(answer);
    return answer;
  }

  const sendAnswer = (target: Server, answer: Answer) =>
    send(target, 'POST', answer.path, answer.body, answer.key ? { 'Idempotency-Key': answer.key } : {});

  /**
   * Sends the round's answers IN_FLIGHT at a time and, once `killAfter` responses have arrived, kills the
   * server with SIGKILL while the others are in flight; answers not sent by then stay unsent. The kill lands
   * either at a random moment (0-8 ms later: anywhere in the server's work), or, `midClaim`, as soon as the
   * database file shows an Idempotency-Key claimed whose answer is not committed yet (watched through a
   * read-only connection; at most 300 ms, then at once), the moment a claim is left behind.
   */
  async function fireAndKill(target: Server, round: Answer[], killAfter: number, midClaim: boolean) {
    let next = 0;
    let completed = 0;
    const result = { inFlightAtKill: -1, claimsAtKill: [] as string[] };
    const watcher = midClaim ? new Database(databasePath, { readonly: true, fileMustExist: true }) : undefined;
    const unfinished = watcher?.prepare(
      "select key from idempotency_keys where response is null and key like 'crash-%'",
    );
    const killNow = () => {
      if (target.killed) {
        return;
      }
      result.inFlightAtKill = round.filter((a) => a.sent && a.outcome === undefined).length;
      target.killed = true;
      target.process.kill('SIGKILL');
    };
    // Claims of earlier rounds that no restart freed do not count: the kill waits for one of this round.
    const keys = new Set(round.map((answer) => answer.key));
    const watch = (deadline: number) => {
      const claims = (unfinished!.pluck().all() as string[]).filter((key) => keys.has(key));
      if (claims.length > 0 || Date.now() > deadline) {
        killNow();
        result.claimsAtKill = claims;
      } else if (!target.killed) {
        setImmediate(() => watch(deadline));
      }
    };
    let armed = false;
    const worker = async () => {
      while (!target.killed && next < round.length) {
        const answer = round[next++];
        answer.sent = true;
        answer.outcome = await sendAnswer(target, answer);
        completed++;
        if (completed >= killAfter && !armed) {
          armed = true;
          if (midClaim) {
            watch(Date.now() + 300);
          } else {
            setTimeout(killNow, random() * 8);
          }
        }
      }
    };
    const watchdog = setTimeout(() => void kill(target), 30_000);
    try {
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    } finally {
      clearTimeout(watchdog);
      await kill(target);
      watcher?.close();
    }
    return result;
  }

  /** Re-sends keyed answers with the same key and body after a restart; returns the violations seen. */
  async function retry(target: Server, candidates: { answer: Answer; wasAcknowledged: boolean }[]): Promise<string[]> {
    const violations: string[] = [];
    for (const { answer, wasAcknowledged } of candidates) {
      const firstBody = isResponse(answer.outcome) ? answer.outcome.body : undefined;
      const outcome = await sendAnswer(target, answer);
      answer.retries.push(outcome);
      if (!isResponse(outcome) || outcome.status !== 201) {
        violations.push(
          `retry of ${wasAcknowledged ? 'an acknowledged' : 'an unacknowledged'} answer ${describeAnswer(answer)} ` +
            `after a restart: expected 201, got ${describeOutcome(outcome)}`,
        );
        continue;
      }
      const expected = wasAcknowledged ? firstBody : expectedBody(answer);
      if (JSON.stringify(outcome.body) !== JSON.stringify(expected)) {
        violations.push(
          `retry of ${describeAnswer(answer)}: expected the body ${JSON.stringify(expected)}, got ${outcome.text}`,
        );
      }
    }
    return violations;
  }

  /**
   * The keyed answers to re-send after a restart: every unacknowledged one of the last round (each may hold
   * a claim of the killed server), and a few acknowledged ones of any round.
   */
  function retryCandidates(lastRound: number) {
    const keyed = answers.filter((answer) => answer.key !== undefined && answer.sent);
    const unacknowledged = keyed.filter((answer) => answer.round === lastRound && !acknowledged(answer));
    const acknowledgedOnes = keyed.filter(
      (answer) => isResponse(answer.outcome) && answer.outcome.status === 201 && answer.retries.length === 0,
    );
    return [
      ...unacknowledged.map((answer) => ({ answer, wasAcknowledged: false })),
      ...pick(acknowledgedOnes, RETRY_ACKNOWLEDGED).map((answer) => ({ answer, wasAcknowledged: true })),
    ];
  }

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'lang-portal-crash-'));
    databasePath = join(dir, 'portal.sqlite');
    server = await startServer(databasePath);
    const groups = await getJson<{ items: { id: number; words_count: number }[] }>(
      server,
      '/api/v1/groups?sort_by=id&per_page=500',
    );
    const group = groups.items.find((candidate) => candidate.words_count >= 5);
    if (!group) {
      throw new Error(`No seeded group with words: ${JSON.stringify(groups)}`);
    }
    const raw = await getJson<{ words: { id: number }[] }>(server, `/api/v1/groups/${group.id}/words/raw`);
    wordIds = raw.words.map((word) => word.id);
    const created = await send(server, 'POST', '/api/v1/study_sessions', JSON.stringify({ group_id: group.id }));
    if (!isResponse(created) || created.status !== 201) {
      throw new Error(`POST /api/v1/study_sessions: ${describeOutcome(created)}`);
    }
    const session = created.body as { id: number; start_time: string };
    sessionId = session.id;
    sessionStartMs = Date.parse(session.start_time);
    // reviewed_at = start + sequence number (ms) must not be in the future when the answer is sent.
    const lastReviewedAt = sessionStartMs + 1 + ROUNDS * PER_ROUND;
    await sleep(Math.max(0, lastReviewedAt - Date.now() + 20));
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await kill(server);
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (let round = 1; round <= ROUNDS; round++) {
    const midClaim = round % 2 === 0;
    it(`round ${round}: answers in flight when the server is killed (${midClaim ? 'mid-claim' : 'at random'}); keyed retries after the restart`, async () => {
      const violations: string[] = [];
      let retried = 0;
      if (round > 1) {
        server = await startServer(databasePath);
        const candidates = retryCandidates(round - 1);
        retried = candidates.length;
        violations.push(...(await retry(server, candidates)));
      }
      const planned = Array.from({ length: PER_ROUND }, () => planAnswer(round));
      const killAfter = randomInt(Math.floor(PER_ROUND * 0.15), Math.floor(PER_ROUND * 0.7));
      const started = Date.now();
      const { inFlightAtKill, claimsAtKill } = await fireAndKill(server!, planned, killAfter, midClaim);

      for (const answer of planned.filter((candidate) => isResponse(candidate.outcome))) {
        const outcome = answer.outcome as { status: number; body: unknown; text: string };
        if (outcome.status !== 201 || JSON.stringify(outcome.body) !== JSON.stringify(expectedBody(answer))) {
          violations.push(
            `${describeAnswer(answer)}: expected 201 ${JSON.stringify(expectedBody(answer))}, got ${outcome.status} ${outcome.text}`,
          );
        }
      }
      violations.push(...serverErrors(server!));
      process.stdout.write(
        `crash round ${round}: ${JSON.stringify({
          retriedAfterRestart: retried,
          killAfter,
          ms: Date.now() - started,
          inFlightAtKill,
          claimsAtKill,
          sent: planned.filter((a) => a.sent).length,
          acknowledged: planned.filter((a) => isResponse(a.outcome) && a.outcome.status === 201).length,
        })}\n`,
      );
      expect({ round, seed: SEED, violations }).toEqual({ round, seed: SEED, violations: [] });
      // The kill must have hit answers in flight, or the round tested nothing.
      expect(inFlightAtKill).toBeGreaterThan(0);
    }, 60_000);
  }

  it('after the last restart: every acknowledged answer is stored exactly once, and the counters equal the log', async () => {
    server = await startServer(databasePath);
    const candidates = retryCandidates(ROUNDS);
    const violations = await retry(server, candidates);

    const db = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db
        .prepare('select id, word_id, study_session_id, correct, reviewed_at from words_review_items')
        .all() as {
        id: number;
        word_id: number;
        study_session_id: number | null;
        correct: number;
        reviewed_at: number;
      }[];

      // Each row back to the answer that wrote it.
      const rowsPerAnswer = new Map<number, number>();
      for (const row of rows) {
        const answer = answers[Number(row.reviewed_at) - sessionStartMs - 1];
        if (!answer || answer.reviewedAtMs !== Number(row.reviewed_at)) {
          violations.push(`review row ${JSON.stringify(row)} matches no answer that was sent`);
          continue;
        }
        rowsPerAnswer.set(answer.seq, (rowsPerAnswer.get(answer.seq) ?? 0) + 1);
        const expected = {
          word_id: answer.wordId,
          study_session_id: answer.kind === 'session' ? sessionId : null,
          correct: answer.correct ? 1 : 0,
        };
        const actual = { word_id: row.word_id, study_session_id: row.study_session_id, correct: row.correct };
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          violations.push(`review row ${JSON.stringify(row)} differs from its request ${describeAnswer(answer)}`);
        }
      }
      let acknowledgedCount = 0;
      let committedUnacknowledged = 0;
      let unacknowledgedCount = 0;
      for (const answer of answers) {
        const stored = rowsPerAnswer.get(answer.seq) ?? 0;
        if (acknowledged(answer)) {
          acknowledgedCount++;
          if (stored !== 1) {
            violations.push(`acknowledged answer ${describeAnswer(answer)} is stored ${stored} times`);
          }
        } else if (answer.sent) {
          unacknowledgedCount++;
          committedUnacknowledged += stored;
          if (stored > 1) {
            violations.push(
              `unacknowledged answer ${describeAnswer(answer)} (${describeOutcome(answer.outcome)}) is stored ${stored} times`,
            );
          }
        } else if (stored !== 0) {
          violations.push(`answer ${describeAnswer(answer)} was never sent but is stored ${stored} times`);
        }
      }
      // Total reviews: the acknowledged ones plus those whose response the kill swallowed.
      expect(rows.length).toBeGreaterThanOrEqual(acknowledgedCount);
      expect(rows.length).toBeLessThanOrEqual(acknowledgedCount + unacknowledgedCount);
      expect(rows.length).toBe(acknowledgedCount + committedUnacknowledged);

      // Every word's counters and last review, and every group's counters, equal the review log.
      const counters = db
        .prepare(
          `select w.id, w.correct_count, w.wrong_count, w.last_reviewed_at,
                  coalesce(sum(r.correct), 0) as log_correct, count(r.id) - coalesce(sum(r.correct), 0) as log_wrong,
                  max(r.reviewed_at) as log_last
             from words w left join words_review_items r on r.word_id = w.id
            group by w.id
           having w.correct_count != log_correct or w.wrong_count != log_wrong or w.last_reviewed_at is not log_last`,
        )
        .all();
      violations.push(...counters.map((word) => `word counters differ from the review log: ${JSON.stringify(word)}`));
      const groupCounters = db
        .prepare(
          `select g.id, g.review_items_count, g.correct_count, g.studied_word_count, g.last_reviewed_at,
                  count(r.id) as log_answers, coalesce(sum(r.correct), 0) as log_correct,
                  count(distinct r.word_id) as log_studied, max(r.reviewed_at) as log_last
             from groups g left join study_sessions s on s.group_id = g.id
               left join words_review_items r on r.study_session_id = s.id
            group by g.id
           having g.review_items_count != log_answers or g.correct_count != log_correct
               or g.studied_word_count != log_studied or g.last_reviewed_at is not log_last`,
        )
        .all();
      violations.push(
        ...groupCounters.map((group) => `group counters differ from the review log: ${JSON.stringify(group)}`),
      );
      const orphans = db
        .prepare('select count(*) as n from words_review_items where word_id not in (select id from words)')
        .get() as { n: number };
      expect(orphans.n).toBe(0);

      // The session's counts, its study activities and its rows agree.
      const inSession = rows.filter((row) => row.study_session_id === sessionId);
      const activities = db
        .prepare('select count(*) as n from study_activities where session_id = ?')
        .get(sessionId) as { n: number };
      expect(activities.n).toBe(inSession.length);
      const session = await getJson<{ review_items_count: number; correct_count: number; wrong_count: number }>(
        server,
        `/api/v1/study_sessions/${sessionId}`,
      );
      expect(session).toMatchObject({
        review_items_count: inSession.length,
        correct_count: inSession.filter((row) => row.correct === 1).length,
        wrong_count: inSession.filter((row) => row.correct === 0).length,
      });
      const log = await getJson<{ pagination: { total_items: number } }>(server, '/api/v1/reviews?per_page=1');
      expect(log.pagination.total_items).toBe(rows.length);

      // Idempotency keys: a stored response means a stored answer; no claim of a killed server is left.
      const keys = db.prepare('select key, response from idempotency_keys').all() as {
        key: string;
        response: string | null;
      }[];
      const byKey = new Map(answers.filter((answer) => answer.key).map((answer) => [answer.key!, answer]));
      for (const { key, response } of keys) {
        const answer = byKey.get(key);
        if (!answer) {
          violations.push(`idempotency key ${key} belongs to no answer`);
        } else if (response !== null && rowsPerAnswer.get(answer.seq) !== 1) {
          violations.push(
            `key ${key} has a stored response but its answer is stored ${rowsPerAnswer.get(answer.seq) ?? 0} times`,
          );
        }
      }
      const unfinished = keys.filter((key) => key.response === null).map((key) => key.key);
      if (unfinished.length > 0) {
        violations.push(
          `${unfinished.length} claims of killed servers are still held after the restart (a retry gets 409 ` +
            `for 10 minutes): ${unfinished.slice(0, 5).join(', ')}`,
        );
      }
      const keyedStored = answers.filter((answer) => answer.key && rowsPerAnswer.get(answer.seq) === 1);
      const keysWithResponse = new Set(keys.filter((key) => key.response !== null).map((key) => key.key));
      violations.push(
        ...keyedStored
          .filter((answer) => !keysWithResponse.has(answer.key!))
          .map((answer) => `keyed answer ${describeAnswer(answer)} is stored, but its key holds no response`),
      );

      violations.push(...serverErrors(server));
      const summary = {
        seed: SEED,
        sent: answers.filter((answer) => answer.sent).length,
        acknowledged: acknowledgedCount,
        retried: answers.filter((answer) => answer.retries.length > 0).length,
        storedWithoutAcknowledgement: committedUnacknowledged,
        rows: rows.length,
      };
      process.stdout.write(`crash test summary: ${JSON.stringify(summary)}\n`);
      expect({ summary, violations }).toEqual({ summary, violations: [] });
    } finally {
      db.close();
    }
  }, 60_000);
});

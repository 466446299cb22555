import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { asInteger, dialect, instantOf, quarterHour } from '../../src/database/dialect.js';
import { freshDatabase } from '../postgres.js';
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
 * Two cluster workers (`npm run start:cluster`, built) on one database (a SQLite file; in the PostgreSQL run,
 * `npm run test:postgres -- …`, a PostgreSQL database) receive 1,000 concurrent answers,
 * each with an `Idempotency-Key`; half of them are sent again with the same key to the other worker while
 * the first may still be running (a `409` is retried until the answer is there). Every answer must be
 * acknowledged, stored exactly once, with the same body on both workers, no request may fail (no
 * SQLITE_BUSY), and the counters and summaries must equal the log.
 *
 * The cluster hands each new connection to the next worker; a request cannot choose its worker. So the test
 * opens keep-alive connections, learns which worker holds each one (a probe request's id in the request log,
 * which names the process), and sends through the connections of the worker it wants. The log then says
 * which worker answered every request: a retry counts as "on the other process" only when it was.
 *
 * Then GET /metrics, through either worker, must count every request of the cluster (the primary collects the
 * workers' registries, each worker's requests labelled with its slot), and answer 503 while a worker cannot answer.
 */

const WORKERS = Number(process.env.CLUSTER_TEST_WORKERS ?? 2);
const ANSWERS = 1_000;
const IN_FLIGHT = 100;
const CONNECTIONS_PER_WORKER = 16;
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const CONFLICT_RETRY_LIMIT_MS = 30_000;

let requestCounter = 0;

/** One request on `agent`'s connection, with its own X-Request-Id (returned, to find it in the log). */
async function send(
  port: number,
  agent: http.Agent,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ id: string; outcome: Outcome }> {
  const id = `cluster-test-${++requestCounter}`;
  const options = { body, headers: { 'X-Request-Id': id, ...headers }, agent, timeoutMs: REQUEST_TIMEOUT_MS };
  return { id, outcome: await outcomeOf(requestLocal(port, method, path, options)) };
}

/** The JSON lines of the cluster's output (pino's, each with the pid of the process that wrote it). */
function logLines(server: BuiltServer): Record<string, any>[] {
  return server.stdout
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        return {};
      }
    });
}

/** Which process answered each request id, from the request log. */
function servedBy(server: BuiltServer): Map<string, number> {
  const pids = new Map<string, number>();
  for (const line of logLines(server)) {
    if (typeof line.req?.id === 'string' && typeof line.pid === 'number') {
      pids.set(line.req.id, line.pid);
    }
  }
  return pids;
}

/** The value of one series (name with labels, exactly as exposed) in Prometheus text, or undefined. */
function metricOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await sleep(50);
  }
}

interface Attempt {
  id: string;
  outcome: Outcome;
}

interface Answer {
  seq: number;
  wordId: number;
  correct: boolean;
  reviewedAtMs: number;
  key: string;
  path: string;
  body: string;
  /** The worker (index into the pools) the answer is sent to first; a retry goes to the next one. */
  home: number;
  retried: boolean;
  attempts: Attempt[];
  retries: Attempt[];
}

/** Reads the database the servers wrote, with the test's own connection. */
interface Reader {
  all<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

async function readerOf(database: { path: string; url?: string }): Promise<Reader> {
  if (database.url) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    return { all: async (sql) => (await client.query(sql)).rows, close: () => client.end() };
  }
  const db = new Database(database.path, { readonly: true, fileMustExist: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  return { all: async <T>(sql: string) => db.prepare(sql).all() as T[], close: async () => void db.close() };
}

describe(`${WORKERS} cluster workers on one ${dialect.name === 'postgresql' ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  let dir: string;
  const database: { path: string; url?: string } = { path: '' };
  let server: BuiltServer | undefined;
  const agents: http.Agent[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'lang-portal-cluster-'));
    database.path = join(dir, 'portal.sqlite');
    if (dialect.name === 'postgresql') {
      database.url = await freshDatabase();
    }
  });

  afterAll(async () => {
    for (const agent of agents) {
      agent.destroy();
    }
    await server?.stop(20_000);
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`receive ${ANSWERS} concurrent answers, half retried with the same Idempotency-Key on another worker: each stored once, counters exact`, async () => {
    server = await startBuiltServer({
      script: 'src/cluster.js',
      env: {
        DATABASE_PATH: database.path,
        DATABASE_URL: database.url,
        HOST: '127.0.0.1',
        WORKERS: String(WORKERS),
        LOG_LEVEL: 'log',
        RATE_LIMIT_PER_MINUTE: '0',
        // Each pooled connection stays with its worker for the whole test: none is closed while idle, nor reused
        // by the client just as the server closes it (ECONNRESET, seen when the client was busy past the timeout).
        KEEP_ALIVE_TIMEOUT_MS: '600000',
        BACKUP_CRON: undefined,
        NODE_ENV: undefined,
      },
      timeoutMs: START_TIMEOUT_MS,
    });
    const running = server;
    await until(
      'every worker to listen',
      () => logLines(running).find((line) => String(line.msg).includes(`${WORKERS} workers serve`)),
      START_TIMEOUT_MS,
    );
    // Each worker logs "Serving" itself, after the primary learns it listens: its line may come later.
    const servingPids = () =>
      new Set(
        logLines(running)
          .filter((line) => String(line.msg).startsWith('Serving '))
          .map((line) => line.pid as number),
      );
    const workerPids = [
      ...(await until('every worker to log that it serves', () => {
        const pids = servingPids();
        return pids.size >= WORKERS ? pids : undefined;
      })),
    ];
    expect(workerPids).toHaveLength(WORKERS);
    // Start-up work ran once: one worker migrated and seeded, the others skipped it.
    expect(logLines(running).filter((line) => String(line.msg).startsWith('Database ')).length).toBe(1);
    expect(logLines(running).filter((line) => /^(Seeded|Kept the existing data)/.test(String(line.msg))).length).toBe(
      1,
    );

    // Keep-alive connections, each learnt to belong to one worker.
    const pools = new Map<number, http.Agent[]>(workerPids.map((pid) => [pid, []]));
    for (let opened = 0; [...pools.values()].some((pool) => pool.length < CONNECTIONS_PER_WORKER); opened++) {
      if (opened > CONNECTIONS_PER_WORKER * WORKERS * 4) {
        throw new Error(`Connections did not reach every worker: ${[...pools].map(([p, a]) => `${p}: ${a.length}`)}`);
      }
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      const probe = await send(running.port, agent, 'GET', '/api/v1/health');
      expect(probe.outcome).toMatchObject({ status: 200 });
      const pid = await until(`the log line of ${probe.id}`, () => servedBy(running).get(probe.id));
      pools.get(pid)!.push(agent);
    }
    const byWorker = workerPids.map((pid) => pools.get(pid)!);
    let turn = 0;
    const connection = (worker: number) => byWorker[worker][turn++ % CONNECTIONS_PER_WORKER];

    const anyAgent = byWorker[0][0];
    const getJson = async <T>(path: string): Promise<T> => {
      const { outcome } = await send(running.port, anyAgent, 'GET', path);
      if (!isResponse(outcome) || outcome.status !== 200) {
        throw new Error(`GET ${path}: ${JSON.stringify(outcome)}`);
      }
      return outcome.body as T;
    };
    const groups = await getJson<{ items: { id: number; words_count: number }[] }>(
      '/api/v1/groups?sort_by=id&per_page=500',
    );
    const group = groups.items.find((candidate) => candidate.words_count >= 10)!;
    const wordIds = (await getJson<{ words: { id: number }[] }>(`/api/v1/groups/${group.id}/words/raw`)).words.map(
      (word) => word.id,
    );
    const created = await send(
      running.port,
      anyAgent,
      'POST',
      '/api/v1/study_sessions',
      JSON.stringify({ group_id: group.id }),
    );
    expect(created.outcome).toMatchObject({ status: 201 });
    const session = (created.outcome as { body: { id: number; start_time: string } }).body;
    const sessionStartMs = Date.parse(session.start_time);
    // Every answer has its own reviewed_at (the session's start + its number in ms), never in the future.
    await sleep(Math.max(0, sessionStartMs + ANSWERS + 20 - Date.now()));

    const answers: Answer[] = Array.from({ length: ANSWERS }, (_, seq) => {
      const wordId = wordIds[(seq * 7) % wordIds.length];
      const correct = seq % 3 !== 0;
      const reviewedAtMs = sessionStartMs + 1 + seq;
      const inSession = seq % 2 === 0;
      return {
        seq,
        wordId,
        correct,
        reviewedAtMs,
        key: `cluster-${seq}`,
        path: inSession ? `/api/v1/study_sessions/${session.id}/words/${wordId}/review` : '/api/v1/reviews',
        body: JSON.stringify(
          inSession
            ? { correct, reviewed_at: new Date(reviewedAtMs).toISOString() }
            : { word_id: wordId, correct, reviewed_at: new Date(reviewedAtMs).toISOString() },
        ),
        home: seq % WORKERS,
        retried: Math.floor(seq / 2) % 2 === 0,
        attempts: [],
        retries: [],
      };
    });

    /** Sends the answer to `worker` until it gets something other than 409 (the other copy still running). */
    const deliver = async (answer: Answer, worker: number, into: Attempt[]) => {
      const deadline = Date.now() + CONFLICT_RETRY_LIMIT_MS;
      for (;;) {
        const attempt = await send(running.port, connection(worker), 'POST', answer.path, answer.body, {
          'Idempotency-Key': answer.key,
        });
        into.push(attempt);
        if (!isResponse(attempt.outcome) || attempt.outcome.status !== 409 || Date.now() > deadline) {
          return;
        }
        await sleep(10 + Math.random() * 40);
      }
    };

    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < answers.length) {
          const answer = answers[next++];
          const first = deliver(answer, answer.home, answer.attempts);
          if (answer.retried) {
            // The same request to the other worker, at once or a moment later: the first may still be running.
            await sleep(Math.random() * 20);
            await deliver(answer, (answer.home + 1) % WORKERS, answer.retries);
          }
          await first;
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const requests = answers.reduce((sum, answer) => sum + answer.attempts.length + answer.retries.length, 0);

    const violations: string[] = [];
    const expectedBody = (answer: Answer) => ({
      success: true,
      word_id: answer.wordId,
      study_session_id: answer.path.startsWith('/api/v1/study_sessions') ? session.id : null,
      correct: answer.correct,
      created_at: new Date(answer.reviewedAtMs).toISOString(),
    });
    let conflicts = 0;
    for (const answer of answers) {
      for (const attempt of [...answer.attempts, ...answer.retries]) {
        const { outcome } = attempt;
        if (isResponse(outcome) && outcome.status === 409) {
          conflicts++;
        } else if (!isResponse(outcome) || outcome.status !== 201) {
          violations.push(`#${answer.seq} ${answer.key}: ${JSON.stringify(outcome).slice(0, 300)}`);
        } else if (JSON.stringify(outcome.body) !== JSON.stringify(expectedBody(answer))) {
          violations.push(`#${answer.seq} ${answer.key}: answered ${outcome.text}`);
        }
      }
      const last = [answer.attempts.at(-1), answer.retries.at(-1)].filter((attempt) => attempt !== undefined);
      if (last.some((attempt) => !isResponse(attempt.outcome) || attempt.outcome.status !== 201)) {
        violations.push(`#${answer.seq} ${answer.key} was not acknowledged: ${JSON.stringify(last).slice(0, 300)}`);
      }
    }

    // Which worker answered each request: every retry on a worker other than the one of its first request.
    await until('the request log of every answer', () => {
      const pids = servedBy(running);
      return answers.every((answer) => [...answer.attempts, ...answer.retries].every((a) => pids.has(a.id)))
        ? true
        : undefined;
    });
    const pids = servedBy(running);
    let crossProcess = 0;
    const answeredBy = new Map<number, number>();
    for (const answer of answers) {
      for (const attempt of [...answer.attempts, ...answer.retries]) {
        answeredBy.set(pids.get(attempt.id)!, (answeredBy.get(pids.get(attempt.id)!) ?? 0) + 1);
      }
      if (!answer.retried) {
        continue;
      }
      const home = new Set(answer.attempts.map((attempt) => pids.get(attempt.id)));
      const away = new Set(answer.retries.map((attempt) => pids.get(attempt.id)));
      if (home.size !== 1 || away.size !== 1 || (WORKERS > 1 && [...home][0] === [...away][0])) {
        violations.push(`#${answer.seq}: first sent to ${[...home]}, retried on ${[...away]}: not another process`);
      } else {
        crossProcess++;
      }
    }

    // No request failed on the database: no SQLITE_BUSY, no error logged.
    const output = running.log.join('');
    const busy = output.match(/^.*(SQLITE_BUSY|database is locked).*$/gm) ?? [];
    violations.push(...busy.slice(0, 5).map((line) => `server log: ${line.slice(0, 500)}`));
    violations.push(
      ...logLines(running)
        .filter((line) => line.level >= 50)
        .slice(0, 5)
        .map((line) => `server log: ${JSON.stringify(line).slice(0, 500)}`),
    );

    const db = await readerOf(database);
    try {
      const rows = (
        await db.all<{
          word_id: number;
          study_session_id: number | null;
          correct: number;
          reviewed_at: number | string;
        }>(`select word_id, study_session_id, ${asInteger('correct')} as correct, reviewed_at from words_review_items`)
      ).map((row) => ({ ...row, reviewed_at: instantOf(row.reviewed_at)!.getTime() }));
      const stored = new Map<number, number>();
      for (const row of rows) {
        const answer = answers[row.reviewed_at - sessionStartMs - 1];
        if (!answer || answer.wordId !== row.word_id || Boolean(row.correct) !== answer.correct) {
          violations.push(`review row ${JSON.stringify(row)} matches no answer`);
          continue;
        }
        stored.set(answer.seq, (stored.get(answer.seq) ?? 0) + 1);
      }
      for (const answer of answers) {
        if (stored.get(answer.seq) !== 1) {
          violations.push(`#${answer.seq} ${answer.key} is stored ${stored.get(answer.seq) ?? 0} times`);
        }
      }
      const rightAnswers = `coalesce(sum(${asInteger('r.correct')}), 0)`;
      const counters = await db.all(
        `select w.id, w.correct_count, w.wrong_count, ${rightAnswers} as log_correct, count(r.id) - ${rightAnswers} as log_wrong
           from words w left join words_review_items r on r.word_id = w.id
          group by w.id
         having w.correct_count != ${rightAnswers} or w.wrong_count != count(r.id) - ${rightAnswers}`,
      );
      violations.push(...counters.map((word) => `word counters differ from the log: ${JSON.stringify(word)}`));
      const [totals] = await db.all('select answers, correct, studied_words from answer_totals');
      const [fromLog] = await db.all(
        `select count(*) as answers, sum(${asInteger('correct')}) as correct, count(distinct word_id) as studied_words
           from words_review_items`,
      );
      if (JSON.stringify(totals) !== JSON.stringify(fromLog)) {
        violations.push(`answer_totals ${JSON.stringify(totals)} differ from the log ${JSON.stringify(fromLog)}`);
      }
      const [quarters] = await db.all<{ n: number }>(
        `select count(*) as n from (select ${quarterHour.sql('reviewed_at')} as quarter, count(*) as answers
             from words_review_items group by 1) l
           full join answer_quarter_hours q on q.quarter = l.quarter
          where l.answers is distinct from q.answers`,
      );
      if (quarters.n !== 0) {
        violations.push(`${quarters.n} answer_quarter_hours differ from the log`);
      }
      const [keys] = await db.all(
        "select count(*) as n, count(response) as answered from idempotency_keys where key like 'cluster-%'",
      );
      if (JSON.stringify(keys) !== JSON.stringify({ n: ANSWERS, answered: ANSWERS })) {
        violations.push(`idempotency keys: ${JSON.stringify(keys)}, expected ${ANSWERS} with a response each`);
      }
      const inSession = rows.filter((row) => row.study_session_id === session.id);
      const summary = await getJson<{ review_items_count: number; correct_count: number; wrong_count: number }>(
        `/api/v1/study_sessions/${session.id}`,
      );
      expect(summary).toMatchObject({
        review_items_count: inSession.length,
        correct_count: inSession.filter((row) => row.correct === 1).length,
        wrong_count: inSession.filter((row) => row.correct === 0).length,
      });
    } finally {
      await db.close();
    }

    const figures = {
      workers: WORKERS,
      answers: ANSWERS,
      requests,
      conflicts,
      retriedOnAnotherProcess: crossProcess,
      requestsPerWorker: Object.fromEntries(answeredBy),
      seconds,
      answersPerSecond: Math.round(ANSWERS / seconds),
      requestsPerSecond: Math.round(requests / seconds),
    };
    process.stdout.write(`cluster test: ${JSON.stringify(figures)}\n`);
    // What the server logged first, then what the client saw (at most 20 lines in all).
    const logged = violations.filter((violation) => violation.startsWith('server log:'));
    const shown = [...logged.slice(0, 5), ...violations.filter((violation) => !logged.includes(violation))].slice(
      0,
      20,
    );
    expect({ figures, violations: shown }).toEqual({ figures, violations: [] });
    if (WORKERS > 1) {
      expect(crossProcess).toBe(answers.filter((answer) => answer.retried).length);
    }

    // GET /metrics on any worker answers with the whole cluster's counts, every scrape the same: not one worker's,
    // which Prometheus would take for a counter reset at every other scrape.
    const reviewsByStatus = new Map<number, number>();
    for (const answer of answers.filter((candidate) => candidate.path === '/api/v1/reviews')) {
      for (const { outcome } of [...answer.attempts, ...answer.retries]) {
        if (isResponse(outcome)) {
          reviewsByStatus.set(outcome.status, (reviewsByStatus.get(outcome.status) ?? 0) + 1);
        }
      }
    }
    expect(reviewsByStatus.get(201)).toBeGreaterThan(ANSWERS / 2);
    const scrapes: string[] = [];
    for (let scrape = 0; scrape < 3 * WORKERS; scrape++) {
      const { id, outcome } = await send(running.port, connection(scrape % WORKERS), 'GET', '/metrics');
      scrapes.push(id);
      expect(outcome).toMatchObject({ status: 200 });
      const text = (outcome as { text: string }).text;
      // Each worker's count is a series of its own (the label `worker`, its slot): their sum is the cluster's.
      for (const [status, count] of reviewsByStatus) {
        const perWorker = Array.from({ length: WORKERS }, (_, slot) =>
          metricOf(
            text,
            `http_requests_total{method="POST",route="/api/v1/reviews",status="${status}",worker="${slot + 1}"}`,
          ),
        );
        expect({ status, total: perWorker.reduce<number>((sum, value) => sum + (value ?? 0), 0) }).toEqual({
          status,
          total: count,
        });
      }
      // A figure of the database, which every worker reads: one reading, not the sum over the workers.
      expect(metricOf(text, 'lang_portal_reviews')).toBe(ANSWERS);
    }
    await until('the request log of every scrape', () =>
      scrapes.every((id) => servedBy(running).has(id)) ? true : undefined,
    );
    expect(new Set(scrapes.map((id) => servedBy(running).get(id))).size).toBe(WORKERS);

    if (WORKERS > 1) {
      // A worker that does not answer the primary (stopped here) makes the scrape a 503 once the primary gives up
      // (5 s), not a request left hanging. Both scrapes go through a connection of the worker that is not stopped.
      const stopped = workerPids[1];
      const scraper = connection(0);
      process.kill(stopped, 'SIGSTOP');
      try {
        const { outcome } = await send(running.port, scraper, 'GET', '/metrics');
        expect(outcome).toMatchObject({ status: 503 });
        expect((outcome as { body: unknown }).body).toMatchObject({
          status: 503,
          detail: expect.stringContaining(`worker pid ${stopped} did not answer within 5 s`),
        });
      } finally {
        process.kill(stopped, 'SIGCONT');
      }
      const { outcome } = await send(running.port, scraper, 'GET', '/metrics');
      expect(outcome).toMatchObject({ status: 200 });
    }

    // SIGTERM to the primary: every worker stops gracefully, then the primary, with exit code 0.
    for (const agent of agents) {
      agent.destroy();
    }
    const exit = await running.stop(30_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(logLines(running).filter((line) => line.msg === 'Stopped').length).toBe(WORKERS + 1);
  }, 300_000);
});

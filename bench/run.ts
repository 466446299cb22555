import '../src/node-version-guard.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { generate, sizeFromArgs } from './generate.js';
import { answers, answerTargetOf, BATCH, bodyOf, type Endpoint, reads, requestsOf } from './endpoints.js';
import { benchImport } from './import.js';
import { memoryOf, type Server, settled, start, stop } from './servers.js';

/**
 * `npm run bench [-- --quick] [-- --duration S --rounds N --connections N --words N ...]`
 *
 * 1. Generates the large portal (generate.ts) into bench/.data/.
 * 2. Starts the portal (built, as `npm start` runs it) and the baseline (baseline.ts: node:http +
 *    better-sqlite3) on that same database file, each on a loopback port, timing their start-up over STARTS
 *    alternating starts; the portal once before, with its compile cache empty, as after a build.
 * 3. Checks that both answer every measured request with the same JSON (values that depend on the
 *    instant of the request, as noted in `normalised`, aside).
 * 4. Measures each endpoint with autocannon (50 connections, a bounded duration, counted once all of them are
 *    answered: `load`) three rounds, the two servers alternating (who goes first changes every round); reports
 *    medians of the rounds.
 * 5. Checks every counter against the log after the answers the measurement recorded.
 * 6. Times the dashboard endpoints one request at a time on portals with 0, a tenth of and all the answers.
 * 7. Times the bulk import (import.ts) on a fresh portal.
 * 8. Times the history reset of the portal measured above (its last use), and checks every counter after it.
 * Prints everything and writes bench/results.md.
 */

const { size, rest: flags } = sizeFromArgs(process.argv.slice(2), {
  duration: { type: 'string' },
  rounds: { type: 'string' },
  connections: { type: 'string' },
  'skip-scale': { type: 'boolean' },
  'skip-import': { type: 'boolean' },
  'skip-reset': { type: 'boolean' },
  // Leaves out the endpoints whose name matches this regular expression.
  exclude: { type: 'string' },
});
const DURATION = Number(flags.duration ?? (flags.quick ? 3 : 5));
const ROUNDS = Number(flags.rounds ?? 3);
const CONNECTIONS = Number(flags.connections ?? 50);
const STARTS = 5;
const OUT = typeof flags.out === 'string' ? flags.out : 'bench/results.md';
const DATA = 'bench/.data';
const PORTAL_PORT = 3310;
const BASELINE_PORT = 3311;

const lines: string[] = [];
const say = (line = '') => {
  process.stdout.write(`${line}\n`);
  lines.push(line);
};
const log = (line: string) => process.stdout.write(`${line}\n`);

const crashes: string[] = [];

/**
 * What may differ between two correct answers given a few milliseconds apart: the instant of the answer,
 * a new word's card (due now), and the recall probability (it falls by the millisecond).
 */
function normalised(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(normalised);
  }
  if (value && typeof value === 'object') {
    const object = { ...(value as Record<string, unknown>) };
    if (object.state === 'new' && 'due' in object) {
      object.due = '(now)';
    }
    if (typeof object.retrievability === 'number') {
      object.retrievability = Number(object.retrievability.toFixed(6));
    }
    if (object.success === true && 'created_at' in object) {
      // Each server answers about its own word (below).
      [object.created_at, object.word_id] = ['(now)', '(the word answered)'];
    }
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, normalised(inner)]));
  }
  return value;
}

async function request(server: Server, endpoint: Endpoint, path: string, body?: string): Promise<[number, string]> {
  const response = await fetch(server.base + path, {
    method: endpoint.method,
    headers: endpoint.method === 'POST' ? { 'content-type': 'application/json' } : {},
    body,
  });
  return [response.status, JSON.stringify(normalised(await response.json()))];
}

/** Both servers give the same status and JSON for every endpoint; throws naming the first difference. */
async function checkSameAnswers(servers: Server[], list: Endpoint[]): Promise<void> {
  for (const endpoint of list) {
    // Answers go to different words of the session, so that neither server sees the other's answers;
    // one server after the other, as both write the one database file.
    const [portal, baseline] = [
      await request(servers[0], endpoint, endpoint.paths?.[1] ?? endpoint.path, bodyOf(endpoint, 1)),
      await request(servers[1], endpoint, endpoint.paths?.[2] ?? endpoint.path, bodyOf(endpoint, 2)),
    ];
    if (portal[0] !== baseline[0] || portal[1] !== baseline[1] || portal[0] >= 300) {
      const at = [...portal[1]].findIndex((char, i) => char !== baseline[1][i]);
      throw new Error(
        `${endpoint.name}: the portal and the baseline differ (status ${portal[0]} / ${baseline[0]}) at ` +
          `character ${at}:\n portal:   ${portal[1].slice(Math.max(0, at - 200), at + 200)}\n baseline: ${baseline[1].slice(Math.max(0, at - 200), at + 200)}`,
      );
    }
  }
  log(`Both servers answer the ${list.length} requests with the same JSON.`);
}

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

// Node accepts one new connection per turn of its event loop (libuv since 1.45, libuv/libuv#3696): 50 connections
// opened at once against a loaded server come in over seconds, the first answer of each waiting for its turn (the
// portal's sorted list: up to 2.8 s, the baseline's 1.4 s). Those are ~1% of a 5 s measure's answers, so that its
// p99 would time the ramp more than the load (the sorted list: 207 ms with them, 135 without). A measure starts once
// every connection has had its first answer, or RAMP_UP_MS in, whichever comes first, and counts the answers of the
// `duration` seconds after that: the steady load of 50 clients the targets describe.
const RAMP_UP_MS = 3000;

/** The value below which `share` of the sorted `values` fall (nearest rank). */
const percentile = (values: number[], share: number) =>
  values[Math.max(0, Math.ceil(share * values.length) - 1)] ?? Number.NaN;

async function load(server: Server, endpoint: Endpoint, duration: number): Promise<Measure> {
  const run = autocannon({
    url: server.base.replace(/\/api\/v1$/, ''),
    connections: CONNECTIONS,
    duration: RAMP_UP_MS / 1000 + duration + 1,
    requests: requestsOf(endpoint),
  });
  const answered = new Set<object>();
  const latencies: number[] = [];
  let from: number | undefined;
  let to: number | undefined;
  const measuring = () => {
    from ??= performance.now();
  };
  const rampUp = setTimeout(measuring, RAMP_UP_MS);
  run.on('response', (client, _status, _bytes, latency) => {
    if (!answered.has(client)) {
      answered.add(client);
      if (answered.size === CONNECTIONS) {
        measuring();
      }
    } else if (from !== undefined && to === undefined) {
      const now = performance.now();
      if (now - from < duration * 1000) {
        latencies.push(latency);
      } else {
        // autocannon stops at its next second's tick: what it answers until then is not counted.
        to = now;
        run.stop();
      }
    }
  });
  const result = await Promise.resolve(run).finally(() => clearTimeout(rampUp));
  const seconds = ((to ?? performance.now()) - from!) / 1000;
  // A server that died under the load (out of memory, say) is noted and started again for what follows.
  const died = server.process.exitCode !== null || server.process.signalCode !== null;
  if (died) {
    const stopped = `${server.name} stopped (exit ${server.process.exitCode ?? server.process.signalCode}) under ${endpoint.name}`;
    crashes.push(stopped);
    log(stopped);
    Object.assign(server, await start(server.name, server.database, server.port));
  } else if (latencies.length === 0) {
    throw new Error(`${server.name} ${endpoint.name}: no answer counted in ${duration} s`);
  }
  await settled(server);
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 0 : 1));
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${fmt(n)} ms`);

/** Every counter the database keeps equals what it counts, after the answers of the benchmark. */
function checkCounters(database: string): string {
  const db = new Database(database, { readonly: true });
  const one = (sqlText: string) => db.prepare(sqlText).pluck().get() as number;
  const log = db
    .prepare(
      `select count(*) as answers, coalesce(sum(correct), 0) as correct, count(distinct word_id) as words
       from words_review_items`,
    )
    .get() as { answers: number; correct: number; words: number };
  // An empty log has no summary rows.
  const total = (column: string) => one(`select coalesce((select ${column} from answer_totals), 0)`);
  const checks: [string, number, number][] = [
    ['answers in answer_totals', total('answers'), log.answers],
    ['right answers in answer_totals', total('correct'), log.correct],
    ['studied words in answer_totals', total('studied_words'), log.words],
    ['answers in answer_quarter_hours', one('select coalesce(sum(answers), 0) from answer_quarter_hours'), log.answers],
    ['words.correct_count', one('select sum(correct_count) from words'), log.correct],
    ['words.wrong_count', one('select sum(wrong_count) from words'), log.answers - log.correct],
    [
      'words whose counters differ from their log',
      one(`select count(*) from words w where w.correct_count + w.wrong_count
             <> (select count(*) from words_review_items r where r.word_id = w.id)
             or w.last_reviewed_at is not (select max(r.reviewed_at) from words_review_items r where r.word_id = w.id)`),
      0,
    ],
    ['cards (one per answered word)', one('select count(*) from cards'), log.words],
    [
      'study sessions whose counters differ from their answers',
      one(`select count(*) from study_sessions s left join (select study_session_id, count(*) as answers,
               sum(correct) as correct, max(reviewed_at) as last from words_review_items group by study_session_id) a
               on a.study_session_id = s.id
             where s.review_items_count <> coalesce(a.answers, 0) or s.correct_count <> coalesce(a.correct, 0)
               or s.last_reviewed_at is not a.last`),
      0,
    ],
    [
      'groups whose count of sessions differs from their sessions',
      one(`select count(*) from groups g where g.study_sessions_count
             <> (select count(*) from study_sessions s where s.group_id = g.id)`),
      0,
    ],
    [
      'groups whose counters differ from the answers in their sessions',
      one(`select count(*) from groups g left join (select s.group_id, count(*) as answers, sum(r.correct) as correct,
               count(distinct r.word_id) as studied, max(r.reviewed_at) as last
               from words_review_items r join study_sessions s on s.id = r.study_session_id group by s.group_id) a
               on a.group_id = g.id
             where g.review_items_count <> coalesce(a.answers, 0) or g.correct_count <> coalesce(a.correct, 0)
               or g.studied_word_count <> coalesce(a.studied, 0) or g.last_reviewed_at is not a.last`),
      0,
    ],
  ];
  db.close();
  const wrong = checks.filter(([, actual, expected]) => actual !== expected);
  if (wrong.length > 0) {
    throw new Error(`Counters differ from the log: ${JSON.stringify(wrong)}`);
  }
  return `every counter equals the log (${log.answers.toLocaleString('en-US')} answers, ${checks.length} checks)`;
}

/** Median latency of `count` requests, one at a time, after a warm-up. */
async function sequential(base: string, path: string, count = 20): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count + 3; i++) {
    const started = performance.now();
    const response = await fetch(base + path);
    await response.arrayBuffer();
    if (!response.ok) {
      throw new Error(`${path}: ${response.status}`);
    }
    if (i >= 3) {
      times.push(performance.now() - started);
    }
  }
  return median(times);
}

const DASHBOARD = [
  '/dashboard/quick_stats',
  '/dashboard/study_progress',
  '/dashboard/forecast',
  '/dashboard/retention',
  '/dashboard/last_study_session',
];

mkdirSync(DATA, { recursive: true });
const database = join(DATA, flags.quick ? 'bench-quick.sqlite' : 'bench.sqlite');
log(`Generating ${JSON.stringify(size)} into ${database}`);
const generated = await generate(database, size, log);
const answering = answerTargetOf(database, generated.sample);

// The portal's servers keep their compiled code in a compile cache of this run's own (src/main.ts; not the
// baseline's, bench/servers.ts), empty before the first start: that start compiles the whole bundle, as the first
// one after a build does; the others read the cache.
process.env.NODE_COMPILE_CACHE = join(DATA, 'compile-cache');
rmSync(process.env.NODE_COMPILE_CACHE, { recursive: true, force: true });
const firstStart = await start('portal', database, PORTAL_PORT);
await stop(firstStart);
// One start varies by ±20% with the machine's load (and the first ones follow the generator's writes): a median.
const startups: Record<Server['name'], number[]> = { portal: [], baseline: [] };
for (let round = 0; round < STARTS; round++) {
  for (const name of ['portal', 'baseline'] as const) {
    const server = await start(name, database, name === 'portal' ? PORTAL_PORT : BASELINE_PORT);
    startups[name].push(server.startupMs);
    await stop(server);
  }
}
const portal = await start('portal', database, PORTAL_PORT);
const baseline = await start('baseline', database, BASELINE_PORT);
const servers = [portal, baseline];
const idle = servers.map(memoryOf);
const list = [...reads(generated.sample), ...answers(answering)].filter(
  (endpoint) => typeof flags.exclude !== 'string' || !new RegExp(flags.exclude).test(endpoint.name),
);
await checkSameAnswers(servers, list);

const measures = new Map<string, Record<Server['name'], Measure[]>>();
for (const endpoint of list) {
  measures.set(endpoint.name, { portal: [], baseline: [] });
  // A short warm-up of each server on each endpoint (JIT, SQLite's page cache).
  for (const server of servers) {
    await load(server, endpoint, 1);
  }
}
for (let round = 0; round < ROUNDS; round++) {
  for (const endpoint of list) {
    const order = (round + list.indexOf(endpoint)) % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      const measure = await load(server, endpoint, DURATION);
      measures.get(endpoint.name)![server.name].push(measure);
      log(
        `round ${round + 1}  ${server.name.padEnd(8)} ${endpoint.name.padEnd(48)} ${fmt(measure.rps).padStart(7)} req/s` +
          `  p50 ${ms(measure.p50)}  p99 ${ms(measure.p99)}${measure.errors ? `  ${measure.errors} errors` : ''}`,
      );
    }
  }
}
const peak = servers.map(memoryOf);
await Promise.all(servers.map(stop));
const counters = checkCounters(database);

say('# Benchmark: the portal beside a raw node:http + better-sqlite3 server');
say();
say(
  `${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GB, Node.js ${process.version}. Portal of ${size.words.toLocaleString('en-US')} words, ` +
    `${size.groups} groups, ${size.sessions.toLocaleString('en-US')} study sessions, ${size.answers.toLocaleString('en-US')} answers over ` +
    `${size.days} days (seed ${size.seed}, generated in ${generated.seconds.toFixed(0)} s). autocannon, ${CONNECTIONS} connections over loopback, ` +
    `${DURATION} s per measurement from the moment every connection has had its first answer (at most ${RAMP_UP_MS / 1000} s in), ${ROUNDS} rounds alternating the servers; medians of the rounds (the share: the median of the rounds' shares, their range in brackets).`,
);
say();
say('| endpoint | portal req/s | baseline req/s | portal / baseline | portal p50 / p99 | baseline p50 / p99 |');
say('|---|--:|--:|--:|--:|--:|');
for (const [name, { portal: p, baseline: b }] of measures) {
  const [prps, brps] = [median(p.map((m) => m.rps)), median(b.map((m) => m.rps))];
  // Each round's share sets the portal against the baseline measured just before or after it: a noisy
  // phase of the machine moves both, where the ratio of the two medians could pair figures from different rounds.
  const shares = p.map((m, round) => Math.round((m.rps / b[round].rps) * 100));
  const errors = [p, b].map((measures) => measures.reduce((sum, m) => sum + m.errors, 0));
  say(
    `| \`${name}\` | ${fmt(prps)} | ${fmt(brps)} | ${median(shares)}% (${Math.min(...shares)}–${Math.max(...shares)}) | ` +
      `${ms(median(p.map((m) => m.p50)))} / ${ms(median(p.map((m) => m.p99)))} | ` +
      `${ms(median(b.map((m) => m.p50)))} / ${ms(median(b.map((m) => m.p99)))} |` +
      (errors[0] + errors[1] > 0 ? ` errors or timeouts: portal ${errors[0]}, baseline ${errors[1]}` : ''),
  );
}
const answerRates = [...measures]
  .filter(([name]) => name.startsWith('POST '))
  .map(([name, { portal: p, baseline: b }]) => {
    const perRequest = name.includes('/answers') ? BATCH : 1;
    const rate = (list: Measure[]) => fmt(median(list.map((m) => m.rps)) * perRequest);
    return `${perRequest === 1 ? 'one' : perRequest} per request, portal ${rate(p)} (baseline ${rate(b)})`;
  });
if (answerRates.length > 0) {
  say();
  say(`Answers recorded per second: ${answerRates.join('; ')}.`);
}
say();
say(`| | portal | baseline |`);
say(`|---|--:|--:|`);
say(
  `| start-up (spawn to first answer; median of ${STARTS} alternating starts) | ${ms(median(startups.portal))} | ${ms(median(startups.baseline))} |`,
);
say(`| first start-up after a build (compile cache empty) | ${ms(firstStart.startupMs)} | – |`);
say(`| RSS idle after start-up | ${idle[0].rss} MB | ${idle[1].rss} MB |`);
say(`| peak RSS (under load) | ${peak[0].peak} MB | ${peak[1].peak} MB |`);
say();
say(`After the load: ${counters}.`);
if (crashes.length > 0) {
  say();
  say(`Servers that stopped under the load (started again for the next measurement): ${crashes.join('; ')}.`);
}

if (!flags['skip-scale']) {
  say();
  say('Dashboard latency by the size of the history (portal, one request at a time, median of 20, ms):');
  say();
  say(`| answers | start-up | ${DASHBOARD.map((path) => `\`${path}\``).join(' | ')} |`);
  say(`|--:|--:|${DASHBOARD.map(() => '--:').join('|')}|`);
  for (const answers of [0, Math.round(size.answers / 10), size.answers]) {
    const scaled = join(DATA, 'bench-scale.sqlite');
    if (answers === size.answers) {
      // The database measured above (its answers plus those of the load).
      rmSync(scaled, { force: true });
    }
    const path = answers === size.answers ? database : scaled;
    if (answers !== size.answers) {
      await generate(scaled, { ...size, answers }, () => {});
    }
    const server = await start('portal', path, PORTAL_PORT);
    const times = [];
    for (const endpoint of DASHBOARD) {
      times.push(await sequential(server.base, endpoint));
    }
    await stop(server);
    say(
      `| ${answers.toLocaleString('en-US')} | ${ms(server.startupMs)} | ${times.map((t) => t.toFixed(1)).join(' | ')} |`,
    );
  }
}

if (!flags['skip-import']) {
  const dir = mkdtempSync(join(tmpdir(), 'lang-portal-bench-'));
  const server = await start('portal', join(dir, 'import.sqlite'), PORTAL_PORT);
  process.env.BENCH_IMPORT_ROWS ??= flags.quick ? '5000' : '50000';
  const importLines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (importLines.push(chunk), write(chunk))) as typeof process.stdout.write;
  try {
    await benchImport(server.base);
  } finally {
    process.stdout.write = write;
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
  lines.push('', '```', ...importLines.join('').trim().split('\n'), '```');
}

if (!flags['skip-reset']) {
  // Last, as it forgets the history of the portal measured above.
  const db = new Database(database, { readonly: true });
  const forgotten = db.prepare('select count(*) from words_review_items').pluck().get() as number;
  db.close();
  const server = await start('portal', database, PORTAL_PORT);
  const started = performance.now();
  const response = await fetch(`${server.base}/reset_history`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ confirm: 'reset_history' }),
  });
  await response.arrayBuffer();
  const took = performance.now() - started;
  await stop(server);
  if (!response.ok) {
    throw new Error(`POST /reset_history: ${response.status}`);
  }
  say();
  say(
    `History reset (\`POST /reset_history\`) of the portal measured above, ${forgotten.toLocaleString('en-US')} answers: ` +
      `${ms(took)}; after it, ${checkCounters(database)}.`,
  );
}

const notes = join('bench', 'results.notes.md');
let tail = '';
try {
  tail = `\n${readFileSync(notes, 'utf8')}`;
} catch {
  // no notes
}
writeFileSync(OUT, `${lines.join('\n')}\n${tail}`);
log(`\nWritten to ${OUT}`);

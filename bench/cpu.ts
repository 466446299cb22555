import '../src/node-version-guard.js';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { answers, answerTargetOf, type Endpoint, reads, requestsOf } from './endpoints.js';
import { generate, sizeFromArgs } from './generate.js';
import { cpuTimeOf, type Server, settled, start, stop } from './servers.js';

/**
 * `npm run bench:cpu [-- --quick | sizes and --seed as bench/generate.ts takes them] [-- --requests N --rounds N
 * --profile --only REGEX] [-- /path ...]`
 *
 * What a request costs each server in CPU time, which the requests per second of `npm run bench` hide behind
 * the load generator and the queue of 50 connections: the portal and the baseline on one generated portal,
 * 4 clients (no queue), `--requests` requests an endpoint (fewer, but at least 100, where that is more than about
 * 4 s of the portal's work), `--rounds` rounds alternating the servers, the CPU time the server's process used
 * (user and system, from /proc) divided by the requests. The endpoints are those
 * of `npm run bench` (its reads on the portal's sample group, session and word, and its answers) with
 * `GET /health` (no database), or those of them whose name matches `--only`, or GET requests of the paths
 * given. With `--profile`, a third run of the portal under `node --cpu-prof` shows where that time goes: the
 * samples taken while each endpoint was loaded, by the module of the bundle (or the Node part) that spent them.
 */

const {
  size,
  rest: flags,
  positionals: given,
} = sizeFromArgs(process.argv.slice(2), {
  requests: { type: 'string' },
  rounds: { type: 'string' },
  profile: { type: 'boolean' },
  // Only the endpoints whose name matches this regular expression.
  only: { type: 'string' },
});
const REQUESTS = Number(flags.requests ?? 3000);
const ROUNDS = Number(flags.rounds ?? 2);
const CLIENTS = 4;
const DATA = 'bench/.data';
const PORTS = { portal: 3320, baseline: 3321, profiled: 3322 };

const log = (line = '') => process.stdout.write(`${line}\n`);

mkdirSync(DATA, { recursive: true });
const database = join(DATA, 'bench-cpu.sqlite');
log(`Generating ${JSON.stringify(size)} into ${database}`);
const { sample } = await generate(database, size, log);
const get = (path: string): Endpoint => ({ name: `GET ${path}`, method: 'GET', path });
const list =
  given.length > 0
    ? given.map(get)
    : [get('/health'), ...reads(sample), ...answers(answerTargetOf(database, sample))].filter(
        (endpoint) => typeof flags.only !== 'string' || new RegExp(flags.only).test(endpoint.name),
      );

/**
 * Loads an endpoint from CLIENTS clients, `count` requests or for `seconds`; returns how many were answered, and
 * throws unless every answer was a 2xx.
 */
async function load(server: Server, endpoint: Endpoint, { count, seconds }: { count?: number; seconds?: number }) {
  const result = await autocannon({
    url: server.base.replace(/\/api\/v1$/, ''),
    connections: CLIENTS,
    ...(count ? { amount: count } : { duration: seconds }),
    requests: requestsOf(endpoint),
  });
  // A timed load stops with requests in flight (a counted one waits for all of its answers).
  if (seconds) {
    await settled(server);
  }
  if (result.non2xx + result.errors + result.timeouts > 0) {
    throw new Error(
      `${server.name} ${endpoint.name}: answers by status ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors`,
    );
  }
  return result.requests.total;
}

/** The server's CPU time per request on an endpoint over `count` requests, in ms. */
async function cpuPerRequest(server: Server, endpoint: Endpoint, count: number): Promise<number> {
  const before = cpuTimeOf(server);
  await load(server, endpoint, { count });
  return (cpuTimeOf(server) - before) / count;
}

const servers = [await start('portal', database, PORTS.portal), await start('baseline', database, PORTS.baseline)];
// The baseline has no health check: its floor is its cheapest read.
const serving = (endpoint: Endpoint) =>
  servers.filter((server) => endpoint.path !== '/health' || server.name === 'portal');
// A warm-up of each server on each endpoint (JIT, SQLite's page cache), which also sizes the measure: REQUESTS,
// or about 4 s of the portal's work on the slow ones (`GET /reviews/queue` takes tens of ms a request).
const counts = new Map<Endpoint, number>();
for (const endpoint of list) {
  for (const server of serving(endpoint)) {
    const answered = await load(server, endpoint, { seconds: 2 });
    if (server.name === 'portal') {
      counts.set(endpoint, Math.max(100, Math.min(REQUESTS, answered * 2)));
    }
  }
}
const measured = new Map(list.map((endpoint) => [endpoint, { portal: [] as number[], baseline: [] as number[] }]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, endpoint] of list.entries()) {
    const order = (round + index) % 2 === 0 ? serving(endpoint) : serving(endpoint).reverse();
    for (const server of order) {
      const ms = await cpuPerRequest(server, endpoint, counts.get(endpoint)!);
      measured.get(endpoint)![server.name].push(ms);
      log(`round ${round + 1}  ${server.name.padEnd(8)} ${endpoint.name.padEnd(48)} ${ms.toFixed(3)} ms`);
    }
  }
}
await Promise.all(servers.map(stop));

const range = (values: number[]) =>
  values.length === 0
    ? '–'
    : Math.min(...values) === Math.max(...values)
      ? values[0].toFixed(2)
      : `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
log();
log(
  `Server CPU time per request, ms (${CLIENTS} clients; ${ROUNDS === 1 ? 'one round' : `the lowest and highest of ${ROUNDS} rounds`}):`,
);
log();
log('| endpoint | requests | portal | baseline | portal / baseline |');
log('|---|--:|--:|--:|--:|');
for (const [endpoint, { portal, baseline }] of measured) {
  const ratio = baseline.length > 0 ? `${(Math.min(...portal) / Math.min(...baseline)).toFixed(1)}×` : '–';
  log(
    `| \`${endpoint.name}\` | ${counts.get(endpoint)!.toLocaleString('en-US')} | ${range(portal)} | ${range(baseline)} | ${ratio} |`,
  );
}

if (flags.profile) {
  const directory = join(DATA, 'profile');
  rmSync(directory, { recursive: true, force: true });
  const profiled = await start('portal', database, PORTS.profiled, ['--cpu-prof', `--cpu-prof-dir=${directory}`]);
  const windows: { endpoint: Endpoint; from: bigint; to: bigint }[] = [];
  for (const endpoint of list) {
    await load(profiled, endpoint, { seconds: 2 });
    const from = process.hrtime.bigint();
    await load(profiled, endpoint, { count: counts.get(endpoint)! });
    windows.push({ endpoint, from, to: process.hrtime.bigint() });
  }
  // The profile is written when the process exits.
  await stop(profiled);
  // Node names the main thread's profile after the process id and thread 0 (a worker thread's would have its own).
  const file = join(
    directory,
    readdirSync(directory).find((name) => name.includes(`.${profiled.process.pid}.0.`))!,
  );
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const moduleAt = bundleModules();
  for (const window of windows) {
    log();
    log(
      `Where the portal's CPU time goes on ${window.endpoint.name} (${file}, the samples of its ${counts.get(window.endpoint)} requests):`,
    );
    log();
    const { busy, shares } = selfTimeByModule(profile, window, moduleAt);
    log(
      `${(busy / counts.get(window.endpoint)!).toFixed(3)} ms a request busy; of that (packages by name, the portal's files by path):`,
    );
    for (const [where, ms] of shares.slice(0, 20)) {
      log(`${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${where}`);
    }
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Which module a position in the bundle belongs to, by the bundle's source map: a package by its name (its nested
 * dependencies, node_modules/multer/node_modules/type-is, count as the package), the portal's files by their path.
 */
function bundleModules(): (line: number, column: number) => string {
  const map = new SourceMap(JSON.parse(readFileSync('dist/src/server.js.map', 'utf8')) as SourceMapPayload);
  return (line, column) => {
    const entry = map.findEntry(line, column);
    if (!('originalSource' in entry)) {
      return "(the bundle's helpers)";
    }
    const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(entry.originalSource);
    return packaged ? packaged[1] : entry.originalSource.replace(/^(\.\.\/)+/, '');
  };
}

/** Self time of the samples within the window (same monotonic clock as process.hrtime), by module, in ms. */
function selfTimeByModule(
  profile: CpuProfile,
  window: { from: bigint; to: bigint },
  moduleAt: (line: number, column: number) => string,
): { busy: number; shares: [string, number][] } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const where = ({ functionName, url, lineNumber, columnNumber }: CpuProfile['nodes'][number]['callFrame']) => {
    if (url.endsWith('/dist/src/server.js')) {
      const module = moduleAt(lineNumber, columnNumber);
      // Calls into SQLite are native code, sampled in the portal's function that makes them (with that file's own
      // binding of values, a small part).
      return module === 'src/database/sqlite.dialect.ts' ? 'SQLite (its statements, from sqlite.dialect.ts)' : module;
    }
    const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (packaged) {
      return packaged[1];
    }
    if (url.startsWith('node:')) {
      return `Node's ${
        url
          .slice('node:'.length)
          .replace(/^internal\//, '')
          .split('/')[0]
      }`;
    }
    // No file: V8's own entries ("(garbage collector)"), a regular expression's compiled code (most of them
    // Express's routes), or a built-in function.
    if (functionName.startsWith('(')) {
      return functionName;
    }
    return functionName.startsWith('RegExp: ') ? '(regular expressions)' : `(native) ${functionName}`.trim();
  };
  const totals = new Map<string, number>();
  let [time, busy] = [profile.startTime, 0];
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index];
    const frame = nodes.get(id)!;
    if (BigInt(time) * 1000n < window.from || BigInt(time) * 1000n > window.to || frame.functionName === '(idle)') {
      return;
    }
    const delta = profile.timeDeltas[index];
    const key = where(frame);
    totals.set(key, (totals.get(key) ?? 0) + delta);
    busy += delta;
  });
  return {
    busy: busy / 1000,
    shares: [...totals].sort((a, b) => b[1] - a[1]).map(([key, micros]) => [key, micros / 1000]),
  };
}

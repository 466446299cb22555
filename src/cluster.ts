import './node-version-guard.js';
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { DATABASE_PREPARED, databaseName, type Environment, validateEnvironment, WORKER_SLOT } from './config.js';
import { PINO_LEVELS, stdoutLogger } from './http/logging.js';
import { listeningOrigin } from './http/origin.js';
import { messageOf } from './core/errors.js';
import { loadEnvFile } from './env-file.js';
import { serveClusterMetrics } from './metrics/cluster-metrics.js';
import { serveClusterThrottling } from './http/cluster-throttler-storage.js';

/**
 * `npm run start:cluster`: WORKERS server processes (one per core by default) on one port, through Node's
 * cluster module (the primary accepts the connections and hands them out in turn). Every worker is
 * `main.js`, on the same database file: SQLite in WAL mode lets them read at once, and each write
 * transaction waits for the write lock (busy timeout, `begin immediate`) instead of failing.
 *
 * The start-up work that must happen once (migrations, seeding, recomputing stale cards) is done by the
 * first worker before any other starts; the others, and workers restarted after a crash, skip it. Scheduled
 * backups run in the first worker only. SIGTERM or SIGINT stops every worker gracefully, then the primary. GET /metrics
 * on any worker answers with the whole cluster's metrics, which the primary collects (src/metrics/cluster-metrics.ts), and
 * RATE_LIMIT_PER_MINUTE counts a client's requests to every worker together, in the primary
 * (src/http/cluster-throttler-storage.ts).
 */

/** A worker that served for less than this before dying is not restarted again and again. */
const CRASH_LOOP_MS = 10_000;

function loadEnvironment(): Environment {
  loadEnvFile();
  return validateEnvironment(process.env);
}

let env: Environment;
try {
  env = loadEnvironment();
  if (!env.DATABASE_URL && env.DATABASE_PATH === ':memory:' && env.WORKERS > 1) {
    throw new Error('DATABASE_PATH=:memory: gives every worker a database of its own: use a file, or WORKERS=1');
  }
} catch (error) {
  process.stderr.write(`Lang Portal could not start: ${messageOf(error)}\n`);
  process.exit(1);
}

const log = stdoutLogger({ level: PINO_LEVELS[env.LOG_LEVEL], base: { pid: process.pid, context: 'Cluster' } });
const slots: (Worker | undefined)[] = Array.from({ length: env.WORKERS });
const startedAt = new Map<Worker, number>();
let stopping = false;

/** Forks the worker of a slot and resolves once it listens; rejects if it exits first. */
function fork(slot: number, prepared: boolean): Promise<Worker> {
  const worker = cluster.fork({
    [WORKER_SLOT]: String(slot + 1),
    ...(prepared && { [DATABASE_PREPARED]: '1' }),
    // One worker takes the scheduled backups (an empty value is unset).
    ...(slot > 0 && { BACKUP_CRON: '' }),
  });
  slots[slot] = worker;
  startedAt.set(worker, Date.now());
  return new Promise((resolve, reject) => {
    const failed = (code: number | null, signal: string | null) =>
      reject(new Error(`worker ${slot + 1} exited while starting (code ${code}, signal ${signal})`));
    worker.once('exit', failed);
    worker.once('listening', () => {
      worker.off('exit', failed);
      worker.once('exit', (code, signal) => restart(slot, worker, code, signal));
      resolve(worker);
    });
  });
}

/** A worker that died while serving is replaced, unless it keeps dying at once. */
function restart(slot: number, worker: Worker, code: number | null, signal: string | null): void {
  if (stopping) {
    return;
  }
  const served = Date.now() - (startedAt.get(worker) ?? 0);
  startedAt.delete(worker);
  if (served < CRASH_LOOP_MS) {
    log.fatal(
      `Worker ${slot + 1} (pid ${worker.process.pid}) died after ${served} ms (code ${code}, signal ${signal}): stopping`,
    );
    void stop(1);
    return;
  }
  log.error(`Worker ${slot + 1} (pid ${worker.process.pid}) died (code ${code}, signal ${signal}): starting a new one`);
  fork(slot, true).catch((error: unknown) => {
    // One killed by stop() before it listened was stopped as asked, not a failure.
    if (!stopping) {
      log.fatal(`${messageOf(error)}: stopping`);
      void stop(1);
    }
  });
}

/** SIGTERM to every worker (each finishes its requests in flight, then closes the database), then exit. */
async function stop(code: number): Promise<void> {
  if (stopping) {
    return;
  }
  stopping = true;
  const running = slots.filter((worker): worker is Worker => worker !== undefined && !worker.isDead());
  // A worker still starting has no SIGTERM handler yet: killed by the signal, it stopped as asked.
  const exits = running.map(
    (worker) =>
      new Promise<number | null>((resolve) =>
        worker.once('exit', (code, signal) => resolve(signal === 'SIGTERM' ? 0 : code)),
      ),
  );
  for (const worker of running) {
    worker.process.kill('SIGTERM');
  }
  // A worker that does not stop within its grace period (and a little more) is killed.
  const deadline = setTimeout(() => {
    for (const worker of running.filter((candidate) => !candidate.isDead())) {
      log.warn(`Worker pid ${worker.process.pid} did not stop in time: killing it`);
      worker.process.kill('SIGKILL');
    }
  }, env.SHUTDOWN_GRACE_MS + 5_000);
  deadline.unref();
  const codes = await Promise.all(exits);
  const failed = codes.some((exitCode) => exitCode !== 0);
  log.info(failed ? 'Stopped (a worker did not stop cleanly)' : 'Stopped');
  process.exit(code !== 0 || failed ? 1 : 0);
}

async function start(): Promise<void> {
  cluster.setupPrimary({ exec: join(import.meta.dirname, 'main.js') });
  serveClusterMetrics();
  serveClusterThrottling();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log.info(`${signal}: stopping ${env.WORKERS} workers`);
      void stop(0);
    });
  }
  try {
    // The first worker migrates, seeds and refreshes the cards; then the others start on the prepared database.
    await fork(0, false);
    await Promise.all(Array.from({ length: env.WORKERS - 1 }, (_, index) => fork(index + 1, true)));
  } catch (error) {
    // A worker killed by a SIGTERM or SIGINT during start-up is the stop asked for, which stop(0) completes.
    if (!stopping) {
      process.stderr.write(`Lang Portal could not start: ${messageOf(error)}\n`);
      await stop(1);
    }
    return;
  }
  log.info(`${env.WORKERS} workers serve ${listeningOrigin(env.HOST, env.PORT)}/api/v1 on ${databaseName(env)}`);
}

await start();

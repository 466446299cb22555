import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A server of the benchmark, started on a database file and listening on a loopback port. */
export interface Server {
  name: 'portal' | 'baseline';
  process: ChildProcess;
  base: string;
  startupMs: number;
  database: string;
  port: number;
}

export async function waitFor(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url}: the server exited with ${child.exitCode}`);
    }
    try {
      if ((await fetch(url)).status < 500) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url}: no answer within ${timeoutMs} ms`);
}

// Servers this run started, stopped however it ends.
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
// Stopped by a signal, the run exits (and stops them) rather than leave them serving.
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => process.exit(1));
}

/** Starts the built portal (as `npm start` runs it, with `nodeFlags` added) or the baseline, and waits for its first answer. */
export async function start(
  name: Server['name'],
  database: string,
  port: number,
  nodeFlags: string[] = [],
): Promise<Server> {
  const args =
    name === 'portal'
      ? [...nodeFlags, '--max-semi-space-size=4', '--max-old-space-size=256', 'dist/src/main.js']
      : [...nodeFlags, 'dist/bench/baseline.js'];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      // The portal's start-up goes through Node's compile cache (src/main.ts); the baseline's is measured as it was.
      ...(name === 'baseline' && { NODE_COMPILE_CACHE: undefined }),
      DATABASE_PATH: database,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    // The portal logs every request, as it does by default; the lines go nowhere (a terminal would slow it).
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const base = `http://127.0.0.1:${port}/api/v1`;
  await waitFor(`${base}/dashboard/study_progress`, child);
  return { name, process: child, base, startupMs: performance.now() - started, database, port };
}

export async function stop(server: Server): Promise<void> {
  if (server.process.exitCode === null) {
    const exited = new Promise((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGTERM');
    await exited;
  }
}

/** Resident memory of a process now and at its peak (Linux), in MB. */
export function memoryOf(server: Server): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** CPU time the process has used so far, user and system (Linux), in ms. */
export function cpuTimeOf(server: Server): number {
  // Fields 14 and 15 of /proc/<pid>/stat, after the command name (which may hold spaces), in clock ticks of
  // 10 ms (USER_HZ, 100 on Linux whatever the kernel's own rate).
  const stat = readFileSync(`/proc/${server.process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Waits for the requests a load generator left unanswered when it stopped, which the server is still serving: so
 * that they never load what is measured next (the servers share the CPU and write the one database).
 */
export async function settled(server: Server): Promise<void> {
  await waitFor(`${server.base}/dashboard/study_progress`, server.process);
  await new Promise((resolve) => setTimeout(resolve, 500));
}

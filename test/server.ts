import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The built server (dist/) as a child process, for the tests that run it as it runs in production. */

export const ROOT = join(import.meta.dirname, '..');
/** What `npm run build` leaves in dist/; its last step copies the built-in learning apps. */
export const BUILT = [
  'src/main.js',
  'src/server.js',
  'src/cluster.js',
  'src/db-backup.js',
  'src/db-migrate.js',
  'src/db-restore.js',
  'src/db-copy.js',
  'database/seeds',
  'apps/flashcards/index.html',
];

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Builds dist/ unless it is complete; a build under way elsewhere is given 20 s to finish first. */
export async function ensureBuilt(): Promise<void> {
  const complete = () => BUILT.every((file) => existsSync(join(ROOT, 'dist', file)));
  for (let waited = 0; !complete() && waited < 20_000; waited += 500) {
    await sleep(500);
  }
  if (!complete()) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  }
}

/** A port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
}

/** A response read to its end; `body` is its text parsed as JSON, or undefined. */
export function collect(response: http.IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('error', reject);
    response.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body });
    });
  });
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: string;
  headers?: Record<string, string>;
  /** A keep-alive agent whose connections to use; a new connection by default. */
  agent?: http.Agent | false;
  timeoutMs: number;
}

/** One request to 127.0.0.1; a connection failure, a timeout or a response cut short rejects. */
export function requestLocal(port: number, method: string, path: string, options: RequestOptions): Promise<Reply> {
  const { body, headers = {}, agent = false, timeoutMs } = options;
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        timeout: timeoutMs,
        headers: {
          ...(body !== undefined && {
            'Content-Type': 'application/json',
            'Content-Length': String(Buffer.byteLength(body)),
          }),
          ...headers,
        },
      },
      (response) => collect(response).then(resolve, reject),
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${path}: timed out`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** A response, or why there was none: the crash tests expect requests that a kill cuts short. */
export type Outcome = { status: number; text: string; body: unknown } | { error: string };

/** Whether the request got a response (and not an error, or nothing yet). */
export const isResponse = (outcome: Outcome | undefined): outcome is Extract<Outcome, { status: number }> =>
  outcome !== undefined && 'status' in outcome;

export const outcomeOf = (reply: Promise<Reply>): Promise<Outcome> =>
  reply.then(
    ({ status, text, body }) => ({ status, text, body }),
    (error: NodeJS.ErrnoException) => ({ error: error.code ?? error.message }),
  );

/**
 * The test process's environment with these variables set, or removed where the value is undefined. A built
 * server runs on its SQLite file unless `variables` name a PostgreSQL database (the PostgreSQL run of the suite
 * sets DATABASE_URL for the test process itself).
 */
export function environment(variables: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) {
      delete env[name];
    } else {
      env[name] = value;
    }
  }
  return env;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BuiltServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  process: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** stdout and stderr as they arrived. */
  log: string[];
  exit: Promise<Exit>;
  /** SIGTERM, and the exit it leads to; SIGKILL if there is none within `killAfterMs`. */
  stop(killAfterMs?: number): Promise<Exit>;
  /** SIGKILL: no shutdown hook, no flush, no goodbye. */
  kill(): Promise<Exit>;
}

export interface BuiltServerOptions {
  /** Variables set (or, undefined, removed) over the test process's environment; PORT is chosen here. */
  env: Record<string, string | undefined>;
  /** The folder holding dist/ (a copy of the build, say); the repository by default. */
  install?: string;
  /** The server's working folder (where it would read a .env); `install` by default. */
  cwd?: string;
  timeoutMs?: number;
  /** Also accept a build without GET /api/v1/health (404): ready once the words list answers. */
  withoutHealth?: boolean;
  /** What to run, under dist/: the server (`src/main.js`) by default, or the cluster (`src/cluster.js`). */
  script?: string;
}

/** The status of GET `path` on a new connection to 127.0.0.1, or undefined when there is no answer. */
function statusOf(port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.request({ host: '127.0.0.1', port, path, agent: false, timeout: 5_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
    request.end();
  });
}

/** Starts `dist/src/main.js` (or `script`) on a free port and waits until GET /api/v1/health answers 200. */
export async function startBuiltServer(options: BuiltServerOptions): Promise<BuiltServer> {
  const { env, install = ROOT, cwd = install, timeoutMs = 20_000, withoutHealth = false } = options;
  const { script = 'src/main.js' } = options;
  const port = await freePort();
  const child = spawn(process.execPath, [join(install, 'dist', script)], {
    cwd,
    env: environment({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout.push(chunk.toString());
    log.push(chunk.toString());
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    log.push(chunk.toString());
  });
  const exit = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  const server: BuiltServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    stdout,
    stderr,
    log,
    exit,
    async stop(killAfterMs = 10_000) {
      if (running()) {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (running()) {
        child.kill('SIGKILL');
      }
      return exit;
    },
  };
  let probe = '/api/v1/health';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running()) {
      const { code, signal } = await exit;
      throw new Error(`The server exited while starting (code ${code}, signal ${signal}):\n${log.join('')}`);
    }
    const status = await statusOf(port, probe);
    if (status === 200) {
      return server;
    }
    if (status === 404 && withoutHealth && probe === '/api/v1/health') {
      probe = '/api/v1/words?per_page=1';
      continue;
    }
    await sleep(50);
  }
  await server.kill();
  throw new Error(`The server did not answer within ${timeoutMs} ms:\n${log.join('')}`);
}

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  BUILT,
  type BuiltServer,
  collect,
  ensureBuilt,
  environment,
  freePort,
  type Reply,
  requestLocal,
  ROOT,
  sleep,
  startBuiltServer,
} from '../server.js';

/**
 * The built server (dist/) as it runs in production, on a SQLite file in a temporary folder, on the
 * loopback interface only: graceful shutdown, start-up logs, the default HOST, and backup/restore
 * under write load.
 */

/**
 * A copy of dist/ taken in beforeAll (with the project's package.json and node_modules), so that
 * another `npm run build` (which empties dist/) during this file cannot pull the server from under it.
 */
let INSTALL: string;
const script = (name: string) => join(INSTALL, 'dist', 'src', name);
const START_TIMEOUT_MS = 20_000;
const GRACE_MS = 5_000;

/** Every variable the portal reads: none is inherited from the test environment unless set here. */
const PORTAL_VARIABLES = [
  'PORT',
  'DATABASE_PATH',
  'APP_TIMEZONE',
  'LOG_LEVEL',
  'HOST',
  'PUBLIC_URL',
  'CORS_ORIGINS',
  'ADMIN_TOKEN',
  'BODY_LIMIT',
  'IMPORT_BODY_LIMIT',
  'RATE_LIMIT_PER_MINUTE',
  'SHUTDOWN_GRACE_MS',
  'KEEP_ALIVE_TIMEOUT_MS',
  'BACKUP_KEEP',
  'BACKUP_CRON',
  'NODE_ENV',
];

/** The portal's settings: these, and none of the test process's. */
const only = (settings: Record<string, string | undefined>) => ({
  ...Object.fromEntries(PORTAL_VARIABLES.map((name) => [name, undefined])),
  ...settings,
});

const children = new Set<ChildProcess>();
const folders: string[] = [];

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'lang-portal-ops-'));
  folders.push(folder);
  return folder;
}

/** One request on a new connection to 127.0.0.1 (no keep-alive); a connection failure rejects. */
function send(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  agent: http.Agent | false = false,
): Promise<Reply> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return requestLocal(port, method, path, { body: text, headers, agent, timeoutMs: 15_000 });
}

/**
 * `POST /api/v1/words` on a new connection, of which only the first `sent` characters of the body are sent: `finish`
 * sends the rest, and `responded` is the reply.
 */
function slowPost(
  port: number,
  word: object,
  sent: (body: string) => number,
  headers: Record<string, string> = {},
): { finish: () => void; responded: Promise<Reply> } {
  const body = JSON.stringify(word);
  const request = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/words',
    agent: false,
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers },
  });
  const responded = new Promise<Reply>((resolve, reject) => {
    request.on('response', (response) => collect(response).then(resolve, reject));
    request.on('error', reject);
  });
  const half = sent(body);
  request.write(body.slice(0, half));
  request.flushHeaders();
  return { finish: () => request.end(body.slice(half)), responded };
}

/** The complete lines the server wrote to stdout so far. */
const linesOf = (server: BuiltServer) =>
  server.stdout
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '');

/** The stdout lines parsed as JSON; a line that is not JSON fails the test. */
function jsonLines(server: BuiltServer): Record<string, any>[] {
  return linesOf(server).map((line) => {
    try {
      return JSON.parse(line) as Record<string, any>;
    } catch {
      throw new Error(`A stdout line is not JSON: ${line}`);
    }
  });
}

/** The log messages (`msg`) of the server's JSON lines. */
const messagesOf = (server: BuiltServer) => jsonLines(server).map((line) => String(line.msg ?? ''));

/** Starts the built server (the copy of dist/) with these settings only and waits until it answers. */
async function startServer(settings: Record<string, string | undefined>): Promise<BuiltServer> {
  const server = await startBuiltServer({ env: only(settings), install: INSTALL, timeoutMs: START_TIMEOUT_MS });
  children.add(server.process);
  void server.exit.then(() => children.delete(server.process));
  return server;
}

/**
 * The server's log messages once its last start-up line (`Serving …`) is in: the log comes through the server's
 * stdout, a pipe this process reads apart from the HTTP answers, so the lines of a start may come in after its first
 * answer.
 */
async function startUpMessagesOf(server: BuiltServer): Promise<string[]> {
  for (let waited = 0; waited < START_TIMEOUT_MS; waited += 20) {
    if (messagesOf(server).some((message) => message.startsWith('Serving '))) {
      break;
    }
    await sleep(20);
  }
  return messagesOf(server);
}

/** The pids of the processes that logged that they serve, in the order they did. */
const servingPids = (server: BuiltServer) =>
  jsonLines(server)
    .filter((line) => String(line.msg).startsWith('Serving '))
    .map((line) => line.pid as number);

/** Whether the process `pid` is still there (signal 0 only asks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the built cluster with two workers and these settings only; resolves once both serve, with their pids. */
async function startCluster(
  settings: Record<string, string | undefined>,
): Promise<{ server: BuiltServer; workers: number[] }> {
  const server = await startBuiltServer({
    script: 'src/cluster.js',
    env: only({ ...settings, WORKERS: '2' }),
    install: INSTALL,
    timeoutMs: START_TIMEOUT_MS,
  });
  children.add(server.process);
  void server.exit.then(() => children.delete(server.process));
  // The health probe is answered by the first worker to listen; the other may still be starting.
  let workers: number[] = [];
  for (let waited = 0; workers.length < 2 && waited < START_TIMEOUT_MS; waited += 100) {
    await sleep(100);
    workers = servingPids(server);
  }
  expect(workers).toHaveLength(2);
  return { server, workers };
}

/** SIGTERM, and the exit it leads to (SIGKILL after the grace period and a margin). */
const stopServer = (server: BuiltServer) => server.stop(GRACE_MS + 5_000);

/** Runs a built script to its end (as another user if `user` says so): exit code and output. */
function runScript(
  name: 'cluster.js' | 'db-backup.js' | 'db-restore.js' | 'db-migrate.js' | 'main.js' | 'openapi.js' | 'srs-cli.js',
  args: string[],
  settings: Record<string, string | undefined>,
  user: { uid?: number; gid?: number } = {},
  cwd = INSTALL,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script(name), ...args], {
      cwd,
      env: environment(only(settings)),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...user,
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Whether a new TCP connection to the port is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * The user to run a script as so that it meets `file` in `folder` as a file it may not use, and the file so prepared.
 * Root reads and writes any file: the script then runs as nobody, the file and its folder root's, as a file copied in
 * by another user; anyone else runs it on the file with the permissions `mode` (the access taken away).
 */
function deniedAccessTo(file: string, folder: string, mode: number): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) {
    chmodSync(file, mode);
    return {};
  }
  chmodSync(INSTALL, 0o755);
  chmodSync(folder, 0o755);
  return { uid: 65534, gid: 65534 };
}

/** Opens the database file read-only, outside the server, and runs `read` on it. */
function readDatabase<T>(path: string, read: (database: Database.Database) => T): T {
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(database);
  } finally {
    database.close();
  }
}

beforeAll(async () => {
  await ensureBuilt();
  INSTALL = tempFolder();
  cpSync(join(ROOT, 'dist'), join(INSTALL, 'dist'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(INSTALL, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(INSTALL, 'node_modules'), 'dir');
  expect(BUILT.map((file) => existsSync(join(INSTALL, 'dist', file)))).toEqual(BUILT.map(() => true));
}, 150_000);

afterAll(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
  }
  await sleep(100);
  for (const folder of folders) {
    rmSync(folder, { recursive: true, force: true });
  }
});

describe('start-up', () => {
  it('says what it did: migrations applied and seed data loaded, then up to date and data kept; no route listing; HOST defaults to 127.0.0.1', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');

    // LOG_LEVEL and HOST unset: the defaults.
    const first = await startServer({ DATABASE_PATH: databasePath, SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    const firstMessages = await startUpMessagesOf(first);
    expect(firstMessages.some((message) => /applied/.test(message))).toBe(true);
    expect(firstMessages.some((message) => /Seeded/.test(message))).toBe(true);
    expect(firstMessages.some((message) => message.includes(`http://127.0.0.1:${first.port}/api/v1`))).toBe(true);
    expect(firstMessages.filter((message) => message.includes('Mapped {'))).toEqual([]);
    expect(first.stderr.join('')).toBe('');
    expect((await send(first.port, 'GET', '/api/v1/words?per_page=1')).body.pagination.total_items).toBeGreaterThan(
      100,
    );
    expect(await stopServer(first)).toEqual({ code: 0, signal: null });

    const second = await startServer({ DATABASE_PATH: databasePath, SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    const secondMessages = await startUpMessagesOf(second);
    expect(secondMessages.some((message) => /up to date/.test(message))).toBe(true);
    expect(secondMessages.some((message) => message.includes('Kept the existing data'))).toBe(true);
    expect(secondMessages.some((message) => /applied|Seeded/.test(message))).toBe(false);
    expect(secondMessages.filter((message) => message.includes('Mapped {'))).toEqual([]);
    expect(await stopServer(second)).toEqual({ code: 0, signal: null });
  }, 40_000);

  it('computes the review cards left stale (answers deleted, or a restored copy) from the log before it serves', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    const first = await startServer({ DATABASE_PATH: databasePath, SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    const [word] = (await send(first.port, 'GET', '/api/v1/words?per_page=1')).body.items as { id: number }[];
    expect((await send(first.port, 'POST', '/api/v1/reviews', { word_id: word.id, correct: true })).status).toBe(201);
    expect(await stopServer(first)).toEqual({ code: 0, signal: null });
    const cards = () =>
      readDatabase(databasePath, (database) => database.prepare('select * from cards').all()) as Record<
        string,
        unknown
      >[];
    const computed = cards();
    expect(computed).toMatchObject([{ word_id: word.id, reps: 1, stale: 0 }]);
    const database = new Database(databasePath);
    database.prepare('update cards set stale = 1, reps = 7, stability = 0.5').run();
    database.close();

    const second = await startServer({ DATABASE_PATH: databasePath, SHUTDOWN_GRACE_MS: String(GRACE_MS) });

    expect(cards()).toEqual(computed);
    expect(await stopServer(second)).toEqual({ code: 0, signal: null });
  }, 40_000);

  it('refuses a Node.js older than 24 with exit code 1 and a message saying to run it through npm', () => {
    // An older runtime's version, made up in this one: the guard reads nothing else of it.
    const older =
      "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.19.2' } });" +
      "Object.defineProperty(process, 'version', { value: 'v20.19.2' });";
    const { status, stdout, stderr } = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(older)}`, script('main.js')],
      { cwd: INSTALL, env: environment(only({})), encoding: 'utf8', timeout: 20_000 },
    );
    expect({ status, stdout, stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'Lang Portal needs Node.js 24 or newer, but this is v20.19.2.\n' +
        'Run it through npm (npm start, npm test, npm run ...): the project pins Node.js 24 as a dev dependency.\n',
    });
  });

  it('stops at a bad setting with exit code 1 and one message that names it, no stack trace', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    const { code, stdout, stderr } = await runScript('main.js', [], { DATABASE_PATH: databasePath, LOG_LEVEL: 'loud' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^Lang Portal could not start: Invalid configuration:\n- LOG_LEVEL="loud": LOG_LEVEL must be/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('srs:rebuild recomputes every card from the log; srs:optimize on a short log says how many more reviews it needs; no command is the usage', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    const server = await startServer({ DATABASE_PATH: databasePath, HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    const session = await send(server.port, 'POST', '/api/v1/study_sessions', { group_id: 1 });
    const wordId = (await send(server.port, 'GET', '/api/v1/groups/1/words/raw')).body.words[0].id as number;
    const review = `/api/v1/study_sessions/${session.body.id}/words/${wordId}/review`;
    expect((await send(server.port, 'POST', review, { correct: true })).status).toBe(201);
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });
    const card = () =>
      readDatabase(databasePath, (database) =>
        database.prepare('select reps, lapses from cards where word_id = ?').get(wordId),
      );
    expect(card()).toEqual({ reps: 1, lapses: 0 });
    // A card that no longer follows from the log (as every card does under SRS_* settings changed since).
    const database = new Database(databasePath);
    database.prepare('update cards set reps = 7, lapses = 3').run();
    database.close();

    expect(await runScript('srs-cli.js', ['rebuild'], { DATABASE_PATH: databasePath })).toEqual({
      code: 0,
      stdout: 'Every card was recomputed from the review log.\n',
      stderr: '',
    });
    expect(card()).toEqual({ reps: 1, lapses: 0 });
    expect(await runScript('srs-cli.js', ['optimize'], { DATABASE_PATH: databasePath })).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "srs optimize failed: Fitting needs at least 64 reviews that follow an earlier day's review of the same word, " +
        'spread enough for the optimizer; the log has 0: 64 more are needed\n',
    });
    expect(await runScript('srs-cli.js', [], { DATABASE_PATH: databasePath })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Usage: srs-cli.js optimize|rebuild\n',
    });
  }, 30_000);

  it('stops srs:rebuild at a bad setting as it stops the server: exit code 1, one message that names it, no stack trace', async () => {
    const { code, stdout, stderr } = await runScript('srs-cli.js', ['rebuild'], {
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      LOG_LEVEL: 'loud',
    });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^srs rebuild failed: Invalid configuration:\n- LOG_LEVEL="loud": LOG_LEVEL must be/);
    expect(stderr).not.toMatch(/\n\s+at |ERROR/);
  });

  it('names the database srs:rebuild cannot reach or open, as the server does', async () => {
    const port = await freePort();
    const postgresql = await runScript('srs-cli.js', ['rebuild'], {
      DATABASE_URL: `postgresql://portal:S3cret@127.0.0.1:${port}/lang`,
    });
    expect({ code: postgresql.code, stdout: postgresql.stdout }).toEqual({ code: 1, stdout: '' });
    expect(postgresql.stderr).toMatch(
      new RegExp(
        `^srs rebuild failed: PostgreSQL at postgresql://127.0.0.1:${port}/lang cannot be reached .*check DATABASE_URL`,
      ),
    );
    expect(postgresql.stderr).not.toMatch(/S3cret|\n\s+at /);
    // A path mistyped, in a folder that exists or not: no new, empty portal made there and reported rebuilt.
    for (const missing of [join(tempFolder(), 'missing', 'portal.sqlite'), join(tempFolder(), 'portal.sqlite')]) {
      expect(await runScript('srs-cli.js', ['rebuild'], { DATABASE_PATH: missing })).toEqual({
        code: 1,
        stdout: '',
        stderr: `srs rebuild failed: there is no database at ${missing}: check DATABASE_PATH, or start the portal once\n`,
      });
      expect(existsSync(missing)).toBe(false);
    }
    const unreadable = join(tempFolder(), 'folder.sqlite');
    mkdirSync(unreadable);
    const sqlite = await runScript('srs-cli.js', ['rebuild'], { DATABASE_PATH: unreadable });
    expect({ code: sqlite.code, stdout: sqlite.stdout }).toEqual({ code: 1, stdout: '' });
    expect(sqlite.stderr).toMatch(
      new RegExp(`^srs rebuild failed: the database ${unreadable} cannot be opened .*check DATABASE_PATH`),
    );
  });

  it('names DATABASE_PATH when it is no database, and HOST when it is no address of the machine', async () => {
    const notADatabase = join(tempFolder(), 'notes.txt');
    writeFileSync(notADatabase, 'x'.repeat(4096));
    const file = await runScript('main.js', [], { DATABASE_PATH: notADatabase });
    expect({ code: file.code, stdout: file.stdout }).toEqual({ code: 1, stdout: '' });
    expect(file.stderr).toMatch(
      new RegExp(
        `^Lang Portal could not start: the database ${notADatabase} is not an SQLite database .*set DATABASE_PATH`,
      ),
    );

    const host = await runScript('main.js', [], {
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: 'no.such.host.invalid',
      LOG_LEVEL: 'warn',
    });
    expect({ code: host.code, stdout: host.stdout }).toEqual({ code: 1, stdout: '' });
    expect(host.stderr).toMatch(
      /^Lang Portal could not start: HOST no\.such\.host\.invalid is no address of this machine/,
    );
  });

  it('names PORT when another program listens on it, in its one message and no log line: exit code 1', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    const databasePath = join(tempFolder(), 'portal.sqlite');
    try {
      const result = await runScript('main.js', [], {
        DATABASE_PATH: databasePath,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      });
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `Lang Portal could not start: port ${port} on 127.0.0.1 is in use by another program: stop it, or set PORT to a free port\n`,
      });
      // Found before the database was prepared: a portal started beside a running one leaves its database as it is.
      expect(existsSync(databasePath)).toBe(false);
    } finally {
      other.close();
    }
  });

  it('reads .env in its working folder before it chooses the database: DATABASE_URL there is PostgreSQL', async () => {
    const [folder, port] = [tempFolder(), await freePort()];
    writeFileSync(join(folder, '.env'), `DATABASE_URL=postgresql://portal@127.0.0.1:${port}/lang\n`);

    const { code, stdout, stderr } = await runScript('main.js', [], {}, {}, folder);

    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(
      new RegExp(`^Lang Portal could not start: PostgreSQL at postgresql://127.0.0.1:${port}/lang cannot be reached`),
    );
  });

  it.each([
    ['hangs (as a host cut off by the network does)', () => undefined],
    ['closes every connection at once', (socket: Socket) => socket.end()],
  ])(
    'names DATABASE_URL, within seconds, when the PostgreSQL server there %s',
    async (_, answer) => {
      const silent = createServer(answer);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        const started = Date.now();
        const { code, stdout, stderr } = await runScript('main.js', [], {
          DATABASE_URL: `postgresql://portal:S3cret@127.0.0.1:${port}/lang`,
        });
        expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
        expect(stderr).toMatch(
          new RegExp(
            `^Lang Portal could not start: PostgreSQL at postgresql://127.0.0.1:${port}/lang cannot be reached \\(.+\\): check DATABASE_URL`,
          ),
        );
        expect(stderr).not.toMatch(/S3cret|\n\s+at /);
        expect(Date.now() - started).toBeLessThan(20_000);
      } finally {
        silent.close();
      }
    },
    30_000,
  );

  it("reads a .env saved with a byte order mark (Windows editors' UTF-8) as without one: its first line counts", async () => {
    const [folder, port] = [tempFolder(), await freePort()];
    writeFileSync(join(folder, '.env'), `\uFEFFDATABASE_URL=postgresql://portal@127.0.0.1:${port}/lang\n`);

    const { code, stdout, stderr } = await runScript('main.js', [], {}, {}, folder);

    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(
      new RegExp(`^Lang Portal could not start: PostgreSQL at postgresql://127.0.0.1:${port}/lang cannot be reached`),
    );
  });

  it.each([
    ['db-migrate.js', [], 'Migration failed: PostgreSQL at postgresql://127.0.0.1:PORT/lang cannot be reached'],
    ['srs-cli.js', ['rebuild'], 'srs rebuild failed: PostgreSQL at postgresql://127.0.0.1:PORT/lang cannot be reached'],
    ['db-backup.js', [], 'Backup failed: DATABASE_URL names PostgreSQL'],
  ] as const)(
    '%s reads .env as npm start does, a byte order mark and all: its first line counts',
    async (name, args, message) => {
      const [folder, port] = [tempFolder(), await freePort()];
      writeFileSync(join(folder, '.env'), `\uFEFFDATABASE_URL=postgresql://portal@127.0.0.1:${port}/lang\n`);

      const { code, stdout, stderr } = await runScript(name, [...args], {}, {}, folder);

      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr.startsWith(message.replace('PORT', String(port)))).toBe(true);
    },
  );

  it('takes a setting given both in the environment and in .env from the environment, as ConfigModule does', async () => {
    const folder = tempFolder();
    const databasePath = join(folder, 'portal.sqlite');
    writeFileSync(join(folder, '.env'), 'PORT=abc\n');

    const { code, stdout, stderr } = await runScript(
      'db-migrate.js',
      [],
      { DATABASE_PATH: databasePath, PORT: '3999' },
      {},
      folder,
    );

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`^Database ${databasePath}: applied Migration\\d+_initial`));
  });

  it('has no npm script read .env by another parser than npm start does (node --env-file keeps a byte order mark)', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(Object.entries(scripts).filter(([, command]) => command.includes('--env-file'))).toEqual([]);
  });

  it('stops at a .env it may not read (kept private by another user) with one message naming the file, no stack trace', async () => {
    const folder = tempFolder();
    const file = join(folder, '.env');
    writeFileSync(file, 'ADMIN_TOKEN=0123456789abcdef0123\n');
    chmodSync(file, 0o600);
    const user = deniedAccessTo(file, folder, 0o000);

    const { code, stdout, stderr } = await runScript('main.js', [], {}, user, folder);

    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^Lang Portal could not start: ${file} cannot be read \\(EACCES`));
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('stops at a backup schedule the cron package refuses before it writes the database, naming BACKUP_CRON', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    const { code, stdout, stderr } = await runScript('main.js', [], {
      DATABASE_PATH: databasePath,
      BACKUP_CRON: '99 99 * * *',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^Lang Portal could not start: Invalid configuration:\n- BACKUP_CRON="99 99 \* \* \*": .*out of range/,
    );
    expect(existsSync(databasePath)).toBe(false);
  });

  it('stops at a database file it may not write with a message naming the file and the fix', async () => {
    const folder = tempFolder();
    const databasePath = join(folder, 'portal.sqlite');
    const database = new Database(databasePath);
    database.exec('create table kept (id integer primary key)');
    database.close();
    const user = deniedAccessTo(databasePath, folder, 0o444);
    const { code, stdout, stderr } = await runScript('main.js', [], { DATABASE_PATH: databasePath }, user);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `Lang Portal could not start: the database ${databasePath} cannot be written (attempt to write a readonly database): ` +
        'let the user running the server write the file and its folder (chown or chmod), or set DATABASE_PATH to a file it may write\n',
    );
  });

  it.each([
    ['postgresql://[bad', /is not a URL/],
    ['postgresql://portal:S3cretPw@db.school.example:99999/lang', /has the port 99999/],
  ])('stops at DATABASE_URL=%s with one message that names it, never its password', async (url, problem) => {
    const { code, stdout, stderr } = await runScript('main.js', [], { DATABASE_URL: url });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^Lang Portal could not start: Invalid configuration:\n- DATABASE_URL="[^"]*": DATABASE_URL /,
    );
    expect(stderr).toMatch(problem);
    expect(stderr).not.toMatch(/S3cretPw|\n\s+at /);
  });
});

describe('build', () => {
  it("writes the OpenAPI document whatever the portal's settings: a bad one is for the server to name, not the build", async () => {
    const { code, stderr } = await runScript('openapi.js', [], { PORT: 'abc', DATABASE_URL: 'postgresql://[bad' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(join(INSTALL, 'dist', 'openapi.json'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'openapi.json'), 'utf8'),
    );
  });
});

describe('db:migrate', () => {
  it('applies the migrations, then finds the database up to date, one line each', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    const first = await runScript('db-migrate.js', [], { DATABASE_PATH: databasePath });
    expect(first).toEqual({
      code: 0,
      stdout: expect.stringMatching(
        new RegExp(`^Database ${databasePath}: applied Migration\\d+_initial, [^\\n]+\\n$`),
      ),
      stderr: '',
    });
    const second = await runScript('db-migrate.js', [], { DATABASE_PATH: databasePath });
    expect(second).toEqual({ code: 0, stdout: `Database ${databasePath}: up to date\n`, stderr: '' });
  });

  it.each([
    [{ PORT: 'abc' }, /^Migration failed: Invalid configuration:\n- PORT="abc": PORT must be [^\n]+\n$/],
    [
      { DATABASE_URL: 'postgresql://portal:S3cretPw@db.school.example:99999/lang' },
      /^Migration failed: Invalid configuration:\n- DATABASE_URL="postgresql:\/\/portal:\*\*\*@db.school.example:99999\/lang": DATABASE_URL has the port 99999[^\n]+\n$/,
    ],
  ])(
    'stops at a bad setting (%j) with exit code 1 and the message npm start gives, no usage text, stack or password',
    async (settings, message) => {
      const { code, stdout, stderr } = await runScript('db-migrate.js', [], settings);
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toMatch(message);
    },
  );

  it('names the PostgreSQL server it cannot reach, without the password', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await runScript('db-migrate.js', [], {
      DATABASE_URL: `postgresql://portal:S3cretPw@127.0.0.1:${port}/lang`,
    });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(
      new RegExp(
        `^Migration failed: PostgreSQL at postgresql://127.0.0.1:${port}/lang cannot be reached \\(.*ECONNREFUSED.*\\): check DATABASE_URL[^\\n]+\\n$`,
      ),
    );
    expect(stderr).not.toContain('S3cretPw');
  });
});

describe('a database a newer portal migrated', () => {
  it('is refused by start-up, db:migrate and srs:rebuild, as db:restore refuses its backup, with exit code 1, and left as it is', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    expect((await runScript('db-migrate.js', [], { DATABASE_PATH: databasePath })).code).toBe(0);
    const database = new Database(databasePath);
    database
      .prepare('insert into mikro_orm_migrations (name, executed_at) values (?, current_timestamp)')
      .run('Migration20991231000000_future');
    database.close();
    const refusal =
      `the database ${databasePath} cannot be used: it was written by a newer version of the portal ` +
      '(migrations Migration20991231000000_future): update the portal first\n';

    expect(await runScript('main.js', [], { DATABASE_PATH: databasePath })).toEqual({
      code: 1,
      stdout: '',
      stderr: `Lang Portal could not start: ${refusal}`,
    });
    expect(await runScript('db-migrate.js', [], { DATABASE_PATH: databasePath })).toEqual({
      code: 1,
      stdout: '',
      stderr: `Migration failed: ${refusal}`,
    });
    expect(await runScript('srs-cli.js', ['rebuild'], { DATABASE_PATH: databasePath })).toEqual({
      code: 1,
      stdout: '',
      stderr: `srs rebuild failed: ${refusal}`,
    });
    // Not seeded: nothing was written.
    expect(readDatabase(databasePath, (db) => db.prepare('select count(*) from words').pluck().get())).toBe(0);
  });
});

describe('request log', () => {
  it('logs every request once, with its id and status: routed or not, inside /api/v1 and outside it, and those answered before the router', async () => {
    const server = await startServer({
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    const json = { 'Content-Type': 'application/json' };
    const requests: [string, string, { body?: string; headers?: Record<string, string> }?][] = [
      ['GET', '/api/v1/words?per_page=1'],
      ['GET', '/api/v1/words/999999'],
      ['POST', '/api/v1/words', { body: JSON.stringify({ thai: '' }), headers: json }],
      ['POST', '/api/v1/words', { body: '{"thai": ', headers: json }],
      [
        'OPTIONS',
        '/api/v1/words',
        { headers: { Origin: 'http://app.example', 'Access-Control-Request-Method': 'GET' } },
      ],
      ['GET', '/api/v1/nowhere'],
      ['GET', '/api/docs'],
      ['GET', '/apps/flashcards/index.html'],
      ['GET', '/nowhere'],
      ['GET', '/metrics'],
      ['GET', '/xapi/about'],
    ];
    const statuses = new Map<string, number>();
    for (const [index, [method, path, { body, headers } = {}]] of requests.entries()) {
      const id = `logged-${index}`;
      const reply = await requestLocal(server.port, method, path, {
        body,
        headers: { ...headers, 'X-Request-Id': id },
        timeoutMs: 15_000,
      });
      statuses.set(id, reply.status);
    }
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });

    const lines = jsonLines(server);
    for (const [id, status] of statuses) {
      expect({ id, logged: lines.filter((line) => line.req?.id === id).map((line) => line.res?.statusCode) }).toEqual({
        id,
        logged: [status],
      });
    }
  }, 30_000);

  it("logs a fault's stack with the id of the request it failed, in the API and in the xAPI resources; the client gets neither, and nothing is written", async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    const [key, secret] = ['portal-app', '0123456789abcdef0123'];
    const server = await startServer({ DATABASE_PATH: databasePath, XAPI_KEY: key, XAPI_SECRET: secret });
    const xapi = {
      Authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`,
      'X-Experience-API-Version': '1.0.3',
    };
    const statement = {
      actor: { mbox: 'mailto:learner@school.example' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
      object: { id: 'http://school.example/words/1' },
    };
    expect((await send(server.port, 'POST', '/xapi/statements', statement, xapi)).status).toBe(200);
    const [word] = (await send(server.port, 'GET', '/api/v1/words?per_page=1')).body.items as { id: number }[];
    // Rows written by hand, outside the portal, that it cannot read.
    const database = new Database(databasePath);
    database.prepare("update xapi_statements set statement = '{not json'").run();
    database
      .prepare(
        'insert into srs_parameters (parameters, reviews, default_log_loss, default_rmse, fitted_log_loss, ' +
          "fitted_rmse, created_at) values ('{not json', 1, 0, 0, 0, 0, ?)",
      )
      .run(Date.now());
    database.close();

    const failed = [
      await send(
        server.port,
        'POST',
        '/api/v1/reviews',
        { word_id: word.id, correct: true },
        { 'X-Request-Id': 'broken-answer' },
      ),
      await send(server.port, 'GET', '/xapi/statements', undefined, { ...xapi, 'X-Request-Id': 'broken-statement' }),
    ];
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });

    expect(
      readDatabase(databasePath, (database) =>
        database.prepare('select count(*) from words_review_items').pluck().get(),
      ),
    ).toBe(0);
    for (const reply of failed) {
      expect({ status: reply.status, body: reply.body }).toEqual({
        status: 500,
        body: {
          type: 'about:blank',
          title: 'Internal Server Error',
          status: 500,
          detail: 'An unexpected error occurred',
        },
      });
    }
    const faults = jsonLines(server).filter((line) => line.level === 50);
    expect(faults.map((line) => [line.req?.id, /^SyntaxError: .*JSON[^]*\n\s+at /.test(String(line.msg))])).toEqual([
      ['broken-answer', true],
      ['broken-statement', true],
    ]);
  }, 30_000);
});

describe('slow and idle connections', () => {
  /**
   * Sends `text` on a new connection; resolves with the response's status line and Keep-Alive header, and how long
   * after the text was sent, and after the response, the server closed the connection.
   */
  const closing = (port: number, text: string) =>
    new Promise<{ status?: string; keepAlive?: string; afterSentMs: number; afterAnsweredMs: number }>(
      (resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let response = '';
        let sentAt = Date.now();
        let answeredAt = Date.now();
        socket.setEncoding('utf8');
        socket.on('error', reject);
        socket.on('data', (chunk: string) => {
          response += chunk;
          answeredAt = Date.now();
        });
        socket.on('close', () =>
          resolve({
            status: /^HTTP\/1\.1 (.*)\r$/m.exec(response)?.[1],
            keepAlive: /^keep-alive: (.*)\r$/im.exec(response)?.[1],
            afterSentMs: Date.now() - sentAt,
            afterAnsweredMs: Date.now() - answeredAt,
          }),
        );
        socket.write(text, () => (sentAt = Date.now()));
      },
    );

  it('a client that stops in the middle of its headers gets 408 and is dropped 10 s after it began, not later', async () => {
    const server = await startServer({ DATABASE_PATH: join(tempFolder(), 'portal.sqlite'), HOST: '127.0.0.1' });
    const stalled = await closing(server.port, 'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(stalled.status).toBe('408 Request Timeout');
    // The server's timeouts are checked every second (Node's default, every 30 s, let it stay 10-40 s).
    expect(stalled.afterSentMs).toBeGreaterThanOrEqual(9_900);
    expect(stalled.afterSentMs).toBeLessThan(12_500);
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS (and the second Node adds), which the response announces', async () => {
    const server = await startServer({
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: '127.0.0.1',
      KEEP_ALIVE_TIMEOUT_MS: '2000',
    });
    const idle = await closing(
      server.port,
      'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n',
    );
    expect(idle.status).toBe('200 OK');
    expect(idle.keepAlive).toBe('timeout=2');
    // Node waits a second longer than it announces (server.keepAliveTimeoutBuffer), for clients that heed it.
    expect(idle.afterAnsweredMs).toBeGreaterThanOrEqual(1_900);
    expect(idle.afterAnsweredMs).toBeLessThan(4_500);
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });
  }, 30_000);
});

describe('graceful shutdown', () => {
  it('a request in flight at SIGTERM completes (201), new connections are refused, the process exits 0 within the grace period, and the data is in the file', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    // LOG_LEVEL=log (the default), so that each request is logged.
    const server = await startServer({
      DATABASE_PATH: databasePath,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    const quick = await send(server.port, 'GET', '/api/v1/words?per_page=1');
    expect(quick.status).toBe(200);

    // A POST whose body arrives slowly: half now, the rest after SIGTERM.
    const slow = slowPost(
      server.port,
      { thai: 'ส่งช้า', english: 'sent slowly at shutdown', parts: { note: 'sent slowly' } },
      (body) => Math.floor(body.length / 2),
      { 'X-Request-Id': 'slow-post-1' },
    );
    await sleep(300);

    const terminated = Date.now();
    server.process.kill('SIGTERM');
    // The listener closes at once; the request in flight is still waiting for the rest of its body.
    let refused = false;
    while (!refused && Date.now() - terminated < 2_000) {
      await sleep(100);
      refused = await connectionRefused(server.port);
    }
    expect(refused).toBe(true);
    await sleep(Math.max(0, 700 - (Date.now() - terminated)));
    slow.finish();

    const reply = await slow.responded;
    expect({ status: reply.status, body: reply.body }).toMatchObject({
      status: 201,
      body: { thai: 'ส่งช้า', english: 'sent slowly at shutdown' },
    });
    const exit = await server.exit;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - terminated).toBeLessThan(GRACE_MS);

    const stored = readDatabase(databasePath, (database) =>
      database.prepare("select thai, english, parts from words where thai = 'ส่งช้า'").all(),
    );
    expect(stored).toEqual([{ thai: 'ส่งช้า', english: 'sent slowly at shutdown', parts: '{"note":"sent slowly"}' }]);

    // Every stdout line is a JSON log line; each request has exactly one, with its id.
    const lines = jsonLines(server);
    const requestLines = (id: string) => lines.filter((line) => line.req?.id === id);
    expect(requestLines('slow-post-1')).toHaveLength(1);
    expect(requestLines('slow-post-1')[0]).toMatchObject({
      req: { method: 'POST', url: '/api/v1/words' },
      res: { statusCode: 201 },
    });
    expect(requestLines(String(quick.headers['x-request-id']))).toHaveLength(1);
    // No request body is logged.
    expect(linesOf(server).join('\n')).not.toContain('sent slowly');
  }, 30_000);

  it('a request still unfinished when the grace period ends is cut off, nothing of it stored, and the process exits 0 saying so', async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    const server = await startServer({ DATABASE_PATH: databasePath, HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '1000' });
    // Its body never completes.
    const stuck = slowPost(server.port, { thai: 'ค้าง', english: 'never finished' }, () => 10);
    const outcome = stuck.responded.then(
      (reply) => reply.status,
      (error: NodeJS.ErrnoException) => error.code,
    );
    await sleep(300);

    const terminated = Date.now();
    server.process.kill('SIGTERM');

    expect(await server.exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - terminated).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - terminated).toBeLessThan(GRACE_MS);
    expect(await outcome).toBe('ECONNRESET');
    expect(messagesOf(server)).toContain('Grace period over: closing the connections still open');
    expect(
      readDatabase(databasePath, (database) =>
        database.prepare("select count(*) from words where thai = 'ค้าง'").pluck().get(),
      ),
    ).toBe(0);
  }, 30_000);

  it('a second signal while stopping (SIGINT after SIGTERM, as Ctrl-C reaches the whole group) neither stops it twice nor cuts the request in flight', async () => {
    const server = await startServer({
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: '127.0.0.1',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    const slow = slowPost(server.port, { thai: 'สองครั้ง', english: 'signalled twice' }, () => 10);
    await sleep(300);

    server.process.kill('SIGTERM');
    await sleep(200);
    server.process.kill('SIGINT');
    await sleep(300);
    slow.finish();

    expect((await slow.responded).status).toBe(201);
    expect(await server.exit).toEqual({ code: 0, signal: null });
    expect(messagesOf(server).filter((message) => message.includes(': stopping;'))).toEqual([
      `SIGTERM: stopping; requests in flight have ${GRACE_MS} ms to finish`,
    ]);
  }, 30_000);

  it.each(['server', 'cluster'])(
    'stops on SIGTERM when nothing reads its log any more (the pipe to a log collector that died): the %s',
    async (kind) => {
      const settings = {
        DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'log',
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
      };
      const { server, workers } =
        kind === 'server' ? { server: await startServer(settings), workers: [] } : await startCluster(settings);
      server.process.stdout!.destroy();
      await sleep(200);

      // The lines it logs on the way out were retried at exit for as long as writing them failed (EPIPE): it never
      // exited, though it no longer listened.
      const exit = await server.stop(GRACE_MS);
      // Workers a killed primary left behind would keep this file's run from ending.
      const running = workers.filter(isRunning);
      running.forEach((pid) => process.kill(pid, 'SIGKILL'));
      expect({ exit, running }).toEqual({ exit: { code: 0, signal: null }, running: [] });
    },
    30_000,
  );

  it('a response sent after SIGTERM closes its kept-alive connection (Connection: close), so the process exits as soon as it is sent', async () => {
    const server = await startServer({
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: '127.0.0.1',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(server.port, 'GET', '/api/v1/words?per_page=1', undefined, {}, agent);
      expect(first.headers.connection).toBe('keep-alive');
      // On the same connection, a POST whose body is still arriving at SIGTERM.
      const body = JSON.stringify({ thai: 'ปิด', english: 'closed after shutdown' });
      const post = http.request({
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: '/api/v1/words',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
      });
      const responded = new Promise<Reply>((resolve, reject) => {
        post.on('response', (response) => collect(response).then(resolve, reject));
        post.on('error', reject);
      });
      post.write(body.slice(0, 10));
      await sleep(300);
      server.process.kill('SIGTERM');
      await sleep(500);
      post.end(body.slice(10));

      const reply = await responded;
      const answered = Date.now();
      expect({ status: reply.status, connection: reply.headers.connection }).toEqual({
        status: 201,
        connection: 'close',
      });
      expect(await server.exit).toEqual({ code: 0, signal: null });
      // Not the keep-alive timeout (5 s) later.
      expect(Date.now() - answered).toBeLessThan(2_000);
    } finally {
      agent.destroy();
    }
  }, 30_000);

  it("under start:cluster, SIGTERM to every process of the service (systemd's KillMode=control-group) still lets requests in flight complete, and the cluster exits 0", async () => {
    const databasePath = join(tempFolder(), 'portal.sqlite');
    const { server, workers } = await startCluster({
      DATABASE_PATH: databasePath,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });

    // Slow POSTs on new connections, which the primary hands to the workers in turn: each worker has one in flight.
    const posts = ['ช้าหนึ่ง', 'ช้าสอง'].map((thai) =>
      slowPost(server.port, { thai, english: `${thai} sent slowly at shutdown` }, () => 10),
    );
    await sleep(300);

    // systemd signals every process of the unit; the primary then forwards SIGTERM to its workers once more.
    for (const pid of workers) {
      process.kill(pid, 'SIGTERM');
    }
    await sleep(200);
    server.process.kill('SIGTERM');
    await sleep(500);
    for (const post of posts) {
      post.finish();
    }

    const replies = await Promise.all(posts.map(({ responded }) => responded.catch((error: Error) => error.message)));
    expect(replies.map((reply) => (typeof reply === 'string' ? reply : reply.status))).toEqual([201, 201]);
    expect(await server.exit).toEqual({ code: 0, signal: null });
    expect(messagesOf(server)).not.toContain('Stopped (a worker did not stop cleanly)');
    const stored = readDatabase(databasePath, (database) =>
      database.prepare("select thai from words where english like '% sent slowly at shutdown' order by thai").all(),
    );
    expect(stored).toEqual([{ thai: 'ช้าสอง' }, { thai: 'ช้าหนึ่ง' }]);
  }, 60_000);
});

describe('start:cluster', () => {
  it('SIGTERM while the first worker is still starting stops the cluster quietly, with exit code 0', async () => {
    const port = await freePort();
    const primary = spawn(process.execPath, [script('cluster.js')], {
      cwd: INSTALL,
      env: environment(
        only({
          DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
          HOST: '127.0.0.1',
          PORT: String(port),
          WORKERS: '2',
        }),
      ),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(primary);
    let output = '';
    primary.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    primary.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise((resolve) => primary.once('exit', (code, signal) => resolve({ code, signal })));
    // The primary forks the first worker once its own SIGTERM handler is set; the worker, just forked, is still
    // loading the server, long before it sets its own.
    const childrenOf = `/proc/${primary.pid}/task/${primary.pid}/children`;
    while (existsSync(childrenOf) && readFileSync(childrenOf, 'utf8').trim() === '') {
      await sleep(5);
    }
    primary.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(output).not.toContain('could not start');
    expect(output).not.toContain('did not stop cleanly');
  }, 60_000);

  it('refuses DATABASE_PATH=:memory: with two workers, which would each have a database of their own: exit code 1, one message', async () => {
    const { code, stdout, stderr } = await runScript('cluster.js', [], { DATABASE_PATH: ':memory:', WORKERS: '2' });
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Lang Portal could not start: DATABASE_PATH=:memory: gives every worker a database of its own: use a file, ' +
        'or WORKERS=1\n',
    });
  });

  it('kills a worker that does not stop within its grace period once stopped, and exits 1 saying so', async () => {
    const { server, workers } = await startCluster({
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      SHUTDOWN_GRACE_MS: '500',
    });
    // A worker that takes no signal but SIGKILL, as one stuck in a synchronous loop would.
    process.kill(workers[1], 'SIGSTOP');
    try {
      expect(await stopServer(server)).toEqual({ code: 1, signal: null });
      expect(messagesOf(server)).toEqual(
        expect.arrayContaining([
          `Worker pid ${workers[1]} did not stop in time: killing it`,
          'Stopped (a worker did not stop cleanly)',
        ]),
      );
    } finally {
      // Were the cluster not to kill it, the stopped worker would outlive the test (and keep Jest from exiting).
      if (existsSync(`/proc/${workers[1]}`)) {
        process.kill(workers[1], 'SIGKILL');
      }
    }
  }, 60_000);

  it('GET /metrics answers scrapes sent at once with every worker’s series, and is a 503 naming a worker that does not answer within 5 s', async () => {
    const { server, workers } = await startCluster({
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
    });
    const scrape = () => send(server.port, 'GET', '/metrics');
    const words = (await send(server.port, 'GET', '/api/v1/words?per_page=1')).body.pagination.total_items as number;
    expect(words).toBeGreaterThan(0);
    // Several at once on each worker, each waiting for the primary's collection.
    for (const response of await Promise.all(Array.from({ length: 4 }, () => scrape()))) {
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      // Every worker counts the one database's words: the figure is theirs, not their sum.
      expect(response.text).toMatch(new RegExp(`^lang_portal_words ${words}$`, 'm'));
      expect(response.text).toMatch(/^process_cpu_seconds_total\{worker="1"\} /m);
      expect(response.text).toMatch(/^process_cpu_seconds_total\{worker="2"\} /m);
    }

    // The second worker stopped, as one stuck in a synchronous loop would be: a scrape the first worker takes waits 5 s
    // for it, then fails; one handed to the stopped worker is answered once it goes on.
    process.kill(workers[1], 'SIGSTOP');
    let scrapes: Promise<Reply>[];
    try {
      scrapes = [scrape(), scrape()];
      await sleep(6_000);
    } finally {
      process.kill(workers[1], 'SIGCONT');
    }
    const responses = await Promise.all(scrapes);
    const failed = responses.filter((response) => response.status !== 200);
    expect(failed.length).toBeGreaterThan(0);
    for (const response of failed) {
      expect(response.status).toBe(503);
      expect(response.body.detail).toBe(
        `The metrics of every cluster worker could not be collected: worker pid ${workers[1]} did not answer within 5 s`,
      );
    }
    expect((await scrape()).status).toBe(200);
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('RATE_LIMIT_PER_MINUTE counts a client over every worker: of 8 requests sent at once, 5 are answered and 3 are 429, whichever worker takes each', async () => {
    const { server, workers } = await startCluster({
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      RATE_LIMIT_PER_MINUTE: '5',
    });
    // The health probe that saw the cluster start is not limited; these are, each on a new connection. At once, a
    // worker has several counts to ask the primary for before it hears back about any.
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        send(server.port, 'GET', '/api/v1/words?per_page=1', undefined, { 'X-Request-Id': `limited-${i + 1}` }),
      ),
    );
    const exit = await stopServer(server);
    expect(responses.map((response) => response.status).sort((a, b) => a - b)).toEqual([
      200, 200, 200, 200, 200, 429, 429, 429,
    ]);
    // The primary handed the connections to both workers.
    const pids = new Set(
      jsonLines(server)
        .filter((line) => String(line.req?.id).startsWith('limited-'))
        .map((line) => line.pid as number),
    );
    expect([...pids].sort()).toEqual([...workers].sort());
    expect(exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('replaces a worker that dies while serving, and stops with exit code 1 when one dies within 10 s of its start', async () => {
    const { server, workers } = await startCluster({
      DATABASE_PATH: join(tempFolder(), 'portal.sqlite'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      BACKUP_CRON: '0 3 * * *',
    });
    const listed = async () => {
      for (let i = 0; i < 4; i++) {
        expect((await send(server.port, 'GET', '/api/v1/words?per_page=1')).status).toBe(200);
      }
    };
    // The cluster's count of those requests, by worker slot (the label `worker`).
    const scrape = async () => {
      const response = await send(server.port, 'GET', '/metrics');
      expect(response.status).toBe(200);
      return response.text;
    };
    const listings = async () => {
      const series =
        /^http_requests_total\{method="GET",route="\/api\/v1\/words",status="200"(?:,worker="(\d+)")?\} (\d+)$/gm;
      return new Map([...(await scrape()).matchAll(series)].map(([, worker, count]) => [worker, Number(count)]));
    };
    await listed();
    const before = await listings();
    // Past the 10 s within which a worker's death means a crash loop (src/cluster.ts).
    await sleep(10_500);
    process.kill(workers[0], 'SIGKILL');
    for (let waited = 0; !messagesOf(server).some((message) => message.endsWith('starting a new one')); waited += 20) {
      expect(waited).toBeLessThan(START_TIMEOUT_MS);
      await sleep(20);
    }
    // While the replacement starts, a scrape answers with the survivor's metrics alone: the worker that has served
    // nothing yet is not asked (asked, it answered once its start had got that far, or never).
    const during = await scrape();
    expect(servingPids(server).filter((pid) => !workers.includes(pid))).toEqual([]);
    expect(during.match(/worker="1"/g)).toBeNull();
    expect(during).toMatch(/^process_cpu_seconds_total\{worker="2"\} /m);
    let replacement: number | undefined;
    for (let waited = 0; replacement === undefined && waited < START_TIMEOUT_MS; waited += 100) {
      await sleep(100);
      replacement = servingPids(server).find((pid) => !workers.includes(pid));
    }
    expect(replacement).toBeDefined();
    await listed();

    // The survivor's count goes on; the replacement's, in the dead worker's slot, starts from zero. Summed over the
    // workers, the count dropped by the dead worker's share, which Prometheus takes for a reset of the whole sum.
    const after = await listings();
    expect([...before.keys()].sort()).toEqual(['1', '2']);
    expect([...after.keys()].sort()).toEqual(['1', '2']);
    expect(after.get('2')! + after.get('1')!).toBe(before.get('2')! + 4);

    process.kill(replacement!, 'SIGKILL');
    expect(await server.exit).toEqual({ code: 1, signal: null });
    expect(messagesOf(server)).toContainEqual(
      expect.stringMatching(new RegExp(`^Worker 1 \\(pid ${replacement}\\) died after \\d+ ms .*: stopping$`)),
    );
    // The database was prepared once, by the first worker: neither the second nor the replacement did it again.
    expect(messagesOf(server).filter((message) => message.startsWith('Database '))).toHaveLength(1);
    // Backups are scheduled in the first worker's slot only: by it, then by its replacement.
    const scheduling = jsonLines(server).filter((line) => String(line.msg).startsWith('Backups scheduled'));
    expect(scheduling.map((line) => line.pid as number)).toEqual([workers[0], replacement]);
    // The survivor, stopped by the cluster, was not taken for a worker that died (and replaced).
    expect(messagesOf(server).filter((message) => message.startsWith('Worker 2 '))).toEqual([]);
  }, 60_000);
});

describe('backup and restore', () => {
  it('a backup taken under write load restores to a consistent database, and the restore refuses while a server answers', async () => {
    const folder = tempFolder();
    const databasePath = join(folder, 'portal.sqlite');
    const settings = {
      DATABASE_PATH: databasePath,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    };
    const server = await startServer(settings);
    // A word with audio, as an Anki import stores it: the file in the media folder beside the database.
    const sound = `${createHash('sha256').update('the sound of siang').digest('hex')}.mp3`;
    mkdirSync(join(folder, 'media'));
    writeFileSync(join(folder, 'media', sound), 'the sound of siang');
    const word = { thai: 'เสียง', english: 'sound', parts: { audio: `/media/${sound}` } };
    expect((await send(server.port, 'POST', '/api/v1/words', word)).status).toBe(201);
    const session = await send(server.port, 'POST', '/api/v1/study_sessions', { group_id: 1 });
    expect(session.status).toBe(201);
    const raw = await send(server.port, 'GET', '/api/v1/groups/1/words/raw');
    const wordIds = (raw.body.words as { id: number }[]).map((word) => word.id);
    expect(wordIds.length).toBeGreaterThan(0);

    // Answers, 32 at a time, until at least 200 are recorded and the backup (taken once they are under
    // way) has finished.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const statuses: number[] = [];
    let backupDone = false;
    const load = Array.from({ length: 32 }, async (_, worker) => {
      for (let i = worker; !backupDone || statuses.length < 200; i += 32) {
        const reply = await send(
          server.port,
          'POST',
          `/api/v1/study_sessions/${session.body.id}/words/${wordIds[i % wordIds.length]}/review`,
          { correct: i % 3 !== 0 },
          {},
          agent,
        ).catch(() => ({ status: 0 }));
        statuses.push(reply.status);
      }
    });
    while (statuses.length < 20 && server.process.exitCode === null) {
      await sleep(5);
    }
    const answeredAtBackupStart = statuses.length;
    const backup = await runScript('db-backup.js', [], settings);
    const answeredAtBackupEnd = statuses.length;
    backupDone = true;
    await Promise.all(load);
    agent.destroy();
    const answered = statuses.length;
    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: '' });
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    expect(answered).toBeGreaterThanOrEqual(200);
    // Answers were recorded while the backup ran.
    expect(answeredAtBackupEnd).toBeGreaterThan(answeredAtBackupStart);
    const backups = readdirSync(join(folder, 'backups')).filter((file) => /^portal-.*\.sqlite$/.test(file));
    expect(backups).toHaveLength(1);
    const backupFile = join(folder, 'backups', backups[0]);
    expect(backup.stdout).toContain(`${backupFile} (1 media file copied)`);

    const wordsOf = (reply: Reply) =>
      (reply.body.items as Record<string, unknown>[]).map(({ id, thai, english, parts, created_at }) => ({
        id,
        thai,
        english,
        parts,
        created_at,
      }));
    const before = await send(server.port, 'GET', '/api/v1/words?per_page=5');
    expect(before.status).toBe(200);

    // The restore refuses while a portal has the database open (whatever port the shell names), and leaves it alone.
    const refused = await runScript('db-restore.js', [backupFile], { ...settings, PORT: String(server.port + 1) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is open in a running portal: stop it first/);
    expect((await send(server.port, 'GET', '/api/v1/reviews?per_page=1')).body.pagination.total_items).toBe(answered);

    expect(await stopServer(server)).toEqual({ code: 0, signal: null });

    const restored = await runScript('db-restore.js', [backupFile], { ...settings, PORT: String(server.port) });
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' });
    expect(restored.stdout).toMatch(/Restored/);
    // On a new machine, into a folder that does not exist yet.
    const elsewhere = join(tempFolder(), 'new', 'portal.sqlite');
    const fresh = await runScript('db-restore.js', [backupFile], { ...settings, DATABASE_PATH: elsewhere });
    expect({ code: fresh.code, stderr: fresh.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(elsewhere).equals(readFileSync(databasePath))).toBe(true);
    // With the audio, from the backups' media folder, into the media folder beside it.
    expect(fresh.stdout).toContain('(1 media file put back)');
    expect(readFileSync(join(elsewhere, '..', 'media', sound), 'utf8')).toBe('the sound of siang');
    // The backup is one file, out of WAL mode (bytes 18 and 19 of its header: 1), and reading it left nothing beside it
    // but the backups' media folder.
    expect([...readFileSync(backupFile).subarray(18, 20)]).toEqual([1, 1]);
    expect(readdirSync(join(folder, 'backups')).sort()).toEqual(['media', backups[0]]);

    // The restored database: consistent counters, every answer whole.
    const check = readDatabase(databasePath, (database) => ({
      integrity: database.pragma('integrity_check', { simple: true }),
      reviews: (database.prepare('select count(*) as n from words_review_items').get() as { n: number }).n,
      activities: (database.prepare('select count(*) as n from study_activities').get() as { n: number }).n,
      mismatched: database
        .prepare(
          `select w.id, w.correct_count, w.wrong_count,
                  (select count(*) from words_review_items r where r.word_id = w.id and r.correct = 1) as logged_correct,
                  (select count(*) from words_review_items r where r.word_id = w.id and r.correct = 0) as logged_wrong
           from words w
           where w.correct_count != (select count(*) from words_review_items r where r.word_id = w.id and r.correct = 1)
              or w.wrong_count != (select count(*) from words_review_items r where r.word_id = w.id and r.correct = 0)`,
        )
        .all(),
    }));
    expect(check.integrity).toBe('ok');
    expect(check.mismatched).toEqual([]);
    expect(check.activities).toBe(check.reviews);
    // The backup holds the answers recorded before it, and none recorded after it.
    expect(check.reviews).toBeGreaterThanOrEqual(answeredAtBackupStart);
    expect(check.reviews).toBeLessThanOrEqual(answeredAtBackupEnd);

    const again = await startServer(settings);
    const after = await send(again.port, 'GET', '/api/v1/words?per_page=5');
    expect(after.status).toBe(200);
    expect(wordsOf(after)).toEqual(wordsOf(before));
    const reviews = await send(again.port, 'GET', '/api/v1/reviews?per_page=1');
    expect(reviews.body.pagination.total_items).toBe(check.reviews);
    expect(await stopServer(again)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("takes BACKUP_CRON's backups with the audio in MEDIA_PATH that the words name, and warns of the audio it could not find", async () => {
    const folder = tempFolder();
    const media = join(folder, 'audio');
    const settings = { DATABASE_PATH: join(folder, 'portal.sqlite'), MEDIA_PATH: media, LOG_LEVEL: 'log' };
    const sound = `${createHash('sha256').update('the sound of nam').digest('hex')}.mp3`;
    mkdirSync(media);
    writeFileSync(join(media, sound), 'the sound of nam');
    // A backup every second.
    const server = await startServer({ ...settings, BACKUP_CRON: '* * * * * *' });
    const word = { thai: 'เสียงน้ำ', english: 'the sound of water', parts: { audio: `/media/${sound}` } };
    expect((await send(server.port, 'POST', '/api/v1/words', word)).status).toBe(201);
    // And one whose audio was deleted from the media folder by hand.
    const lost = `${createHash('sha256').update('the sound of wind').digest('hex')}.mp3`;
    const windy = { thai: 'เสียงลม', english: 'the sound of wind', parts: { audio: `/media/${lost}` } };
    expect((await send(server.port, 'POST', '/api/v1/words', windy)).status).toBe(201);
    const backedUp = join(folder, 'backups', 'media', sound);
    // A backup taken once both words were stored: the first may have come between them.
    const warned = () =>
      jsonLines(server).some((line) => line.level === 40 && String(line.msg).startsWith('Backup written: '));
    for (let waited = 0; !warned() && waited < 10_000; waited += 50) {
      await sleep(50);
    }
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });

    expect(readFileSync(backedUp, 'utf8')).toBe('the sound of nam');
    // A warning: the lost audio is named, for the administrator to look for.
    expect(jsonLines(server)).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringMatching(
          new RegExp(
            `^Backup written: .*[/]backups[/]portal-\\d{8}T\\d{9}Z\\.sqlite \\(1 media file copied; 1 media file its ` +
              `words name could not be found, their audio is lost: ${lost}\\)$`,
          ),
        ),
      }),
    );
  }, 30_000);

  it('logs a scheduled backup that fails as an error, and goes on serving', async () => {
    const folder = tempFolder();
    // A file where the backups' folder goes: no backup can be written there.
    writeFileSync(join(folder, 'backups'), 'not a folder');
    const server = await startServer({
      DATABASE_PATH: join(folder, 'portal.sqlite'),
      LOG_LEVEL: 'log',
      BACKUP_CRON: '* * * * * *',
    });
    const failure = () => jsonLines(server).find((line) => String(line.msg).startsWith('Backup failed: '));
    for (let waited = 0; !failure() && waited < 10_000; waited += 50) {
      await sleep(50);
    }
    expect((await send(server.port, 'GET', '/api/v1/words?per_page=1')).status).toBe(200);
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });
    expect(failure()).toMatchObject({ level: 50 });
  }, 30_000);

  it('restores a backup in WAL mode (as taken before backups were one file) from a folder it may not write, leaving it as it was', async () => {
    const folder = tempFolder();
    const databasePath = join(folder, 'portal.sqlite');
    expect((await runScript('db-migrate.js', [], { DATABASE_PATH: databasePath })).code).toBe(0);
    expect((await runScript('db-backup.js', [], { DATABASE_PATH: databasePath })).code).toBe(0);
    const [name] = readdirSync(join(folder, 'backups'));
    const bytes = readFileSync(join(folder, 'backups', name));
    // WAL mode: the header's read and write versions, bytes 18 and 19, are 2.
    bytes[18] = 2;
    bytes[19] = 2;
    const oldBackups = tempFolder();
    const oldBackup = join(oldBackups, name);
    writeFileSync(oldBackup, bytes);
    const restoredFolder = tempFolder();
    // Root writes any folder: the restore then runs as nobody; anyone else restores from a folder made read-only.
    const root = process.getuid?.() === 0;
    chmodSync(INSTALL, 0o755);
    chmodSync(oldBackups, 0o555);
    chmodSync(restoredFolder, 0o777);

    const restored = await runScript(
      'db-restore.js',
      [oldBackup],
      { DATABASE_PATH: join(restoredFolder, 'portal.sqlite') },
      root ? { uid: 65534, gid: 65534 } : {},
    );

    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(oldBackups)).toEqual([name]);
    chmodSync(oldBackups, 0o755);
  });

  it('restores a backup over a database file damaged beyond opening, the very case a restore is for', async () => {
    const folder = tempFolder();
    const databasePath = join(folder, 'portal.sqlite');
    expect((await runScript('db-migrate.js', [], { DATABASE_PATH: databasePath })).code).toBe(0);
    expect((await runScript('db-backup.js', [], { DATABASE_PATH: databasePath })).code).toBe(0);
    const [name] = readdirSync(join(folder, 'backups'));
    writeFileSync(databasePath, randomBytes(64 * 1024));

    const restored = await runScript('db-restore.js', [join(folder, 'backups', name)], {
      DATABASE_PATH: databasePath,
    });

    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readDatabase(databasePath, (database) => database.pragma('integrity_check', { simple: true }))).toBe('ok');
  });

  it('the restore refuses a file that is not a portal database, no file, and PostgreSQL (as the backup does), with exit code 1 and a message, and changes nothing', async () => {
    const folder = tempFolder();
    const databasePath = join(folder, 'portal.sqlite');
    const settings = { DATABASE_PATH: databasePath, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    const port = String(await freePort());
    writeFileSync(databasePath, 'not touched');
    const digest = () => createHash('sha256').update(readFileSync(databasePath)).digest('hex');
    const original = digest();

    const corrupt = join(folder, 'corrupt.sqlite');
    writeFileSync(corrupt, randomBytes(64 * 1024));
    const empty = join(folder, 'empty.sqlite');
    writeFileSync(empty, '');

    for (const file of [corrupt, empty]) {
      const result = await runScript('db-restore.js', [file], { ...settings, PORT: port });
      expect({ file, code: result.code }).toEqual({ file, code: 1 });
      expect(result.stderr).toMatch(/^Restore failed: .*cannot be restored/);
      expect(digest()).toBe(original);
    }
    const nowhere = join(folder, 'nowhere', 'portal.sqlite');
    const backup = await runScript('db-backup.js', [], { ...settings, DATABASE_PATH: nowhere });
    expect({ code: backup.code, stderr: backup.stderr }).toEqual({
      code: 1,
      stderr: `Backup failed: there is no database at ${nowhere} to back up: check DATABASE_PATH, or start the portal once\n`,
    });
    expect(existsSync(join(folder, 'nowhere'))).toBe(false);
    const postgresqlBackup = await runScript('db-backup.js', [], {
      ...settings,
      DATABASE_URL: 'postgresql://portal@127.0.0.1:1/lang',
    });
    expect({ code: postgresqlBackup.code, stderr: postgresqlBackup.stderr }).toEqual({
      code: 1,
      stderr:
        'Backup failed: DATABASE_URL names PostgreSQL: back it up with pg_dump (see README, "Moving to PostgreSQL")\n',
    });
    const missing = join(folder, 'typo.sqlite');
    const result = await runScript('db-restore.js', [missing], { ...settings, PORT: port });
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: `Restore failed: ${missing} cannot be restored: there is no such file\n`,
    });
    const unnamed = await runScript('db-restore.js', [], { ...settings, PORT: port });
    expect({ code: unnamed.code, stderr: unnamed.stderr }).toEqual({
      code: 1,
      stderr:
        'Restore failed: name the backup to restore: npm run db:restore -- database/backups/lang-portal-….sqlite\n',
    });
    const postgresql = await runScript('db-restore.js', [corrupt], {
      ...settings,
      DATABASE_URL: 'postgresql://portal@127.0.0.1:1/lang',
    });
    expect({ code: postgresql.code, stderr: postgresql.stderr }).toEqual({
      code: 1,
      stderr:
        'Restore failed: DATABASE_URL names PostgreSQL: restore a pg_dump with pg_restore (see README, "Moving to ' +
        'PostgreSQL")\n',
    });
    expect(digest()).toBe(original);
  }, 30_000);
});

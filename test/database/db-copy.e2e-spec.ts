import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { postgresqlMigrations } from '../../database/migrations/postgresql/index.js';
import { WORD_SORTS } from '../../src/words/dto/list-words.query.js';
import { emptyDatabase } from '../postgres.js';
import { type BuiltServer, collect, ensureBuilt, environment, ROOT, startBuiltServer } from '../server.js';

/**
 * `npm run db:copy`: a portal with history, built by the built server (dist/) on a SQLite file, copied into a new
 * PostgreSQL database by the built CLI, then served from PostgreSQL: every list and statistics endpoint answers
 * the same JSON. The PostgreSQL run of the suite only (TEST_DATABASE_URL): the copy needs a server to copy to.
 */

const ON_POSTGRES = Boolean(process.env.TEST_DATABASE_URL);
const KEY = 'lrs-client';
const SECRET = 'xapi-test-secret-0123456789';
const PUBLIC_URL = 'http://portal.test';
const XAPI = {
  Authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`,
  'X-Experience-API-Version': '1.0.3',
};
const DAY = 24 * 60 * 60 * 1000;
/** A password the copy must never print (the test server trusts loopback connections, so it is never checked). */
const PASSWORD = 'not-to-be-printed-4711';

/** A copy of dist/ (see test/operations/built-server.e2e-spec.ts): another build cannot empty it under this file. */
let install: string;
let folder: string;
let portal: string;
/** Every GET path read on SQLite, and what it answered. */
let answers: Record<string, { status: number; body: unknown }>;
const children = new Set<ChildProcess>();
/** An answer recorded under an Idempotency-Key on SQLite, and its response. */
let keyed: { body: object; reply: unknown };
/** A word deleted with its history on SQLite. */
let deleted: number;

interface Reply {
  status: number;
  body: any;
}

function send(server: BuiltServer, method: string, path: string, body?: unknown, headers = {}): Promise<Reply> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        agent: false,
        headers: { ...(text !== undefined && { 'Content-Type': 'application/json' }), ...headers },
      },
      (response) => collect(response).then(resolve, reject),
    );
    request.on('error', reject);
    request.end(text);
  });
}

async function ok(server: BuiltServer, method: string, path: string, body?: unknown, headers = {}): Promise<any> {
  const reply = await send(server, method, path, body, headers);
  if (reply.status >= 300) {
    throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply.body;
}

/** The built server on `database` (a SQLite file, or a postgresql:// URL). */
async function serve(database: string): Promise<BuiltServer> {
  const server = await startBuiltServer({
    install,
    cwd: folder,
    timeoutMs: 60_000,
    env: {
      ...(database.startsWith('postgresql://')
        ? { DATABASE_URL: database, DATABASE_PATH: undefined }
        : { DATABASE_URL: undefined, DATABASE_PATH: database }),
      APP_TIMEZONE: 'UTC',
      LOG_LEVEL: 'warn',
      PUBLIC_URL,
      XAPI_KEY: KEY,
      XAPI_SECRET: SECRET,
      TEST_DATABASE_URL: undefined,
    },
  });
  children.add(server.process);
  return server;
}

/** `npm run db:copy -- --from … --to …` as the built CLI; its exit code and output. */
function dbCopy(from: string, to: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(install, 'dist/src/db-copy.js'), '--from', from, '--to', to], {
    cwd: folder,
    env: environment({ DATABASE_URL: undefined, TEST_DATABASE_URL: undefined }),
  });
  children.add(child);
  const [stdout, stderr]: string[][] = [[], []];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code, stdout: stdout.join(''), stderr: stderr.join('') })),
  );
}

/** The same URL with a password (which the test server does not ask for). */
const withPassword = (url: string, password = PASSWORD) =>
  url.replace('postgresql://postgres@', `postgresql://postgres:${password}@`);

/** Records answers, sessions, an xAPI statement and document, a launch and an idempotent answer on the portal. */
async function recordHistory(server: BuiltServer): Promise<{ paths: string[] }> {
  const groups = (await ok(server, 'GET', '/api/v1/groups?per_page=100')).items as { id: number }[];
  const [first, second] = groups;
  const wordsOf = async (group: number) =>
    ((await ok(server, 'GET', `/api/v1/groups/${group}/words/raw`)).words as { id: number }[]).map((w) => w.id);
  const [firstWords, secondWords] = [await wordsOf(first.id), await wordsOf(second.id)];

  // Answers over the last 40 days outside any session: cards in learning and in review, a forecast, a retention.
  const now = Date.now();
  const past = firstWords.slice(0, 12).flatMap((word, index) =>
    [40, 30, 12, 3].map((daysAgo, repeat) => ({
      word_id: word,
      correct: (index + repeat) % 3 !== 0,
      reviewed_at: new Date(now - daysAgo * DAY - index * 60_000).toISOString(),
    })),
  );
  // One dated before 1970, whose quarter hour both databases round down.
  const early = { word_id: firstWords[12], correct: true, reviewed_at: '1969-12-31T23:50:00.000Z' };
  await ok(server, 'POST', '/api/v1/reviews/batch', { answers: [...past, early] });
  // Two study sessions, one of them launched from the learning app; an answer kept under an Idempotency-Key.
  const app = (await ok(server, 'GET', '/api/v1/learning_apps')).items[0] as { id: number };
  const session = await ok(server, 'POST', '/api/v1/study_sessions', { group_id: first.id });
  await ok(server, 'POST', `/api/v1/study_sessions/${session.id}/answers`, {
    answers: firstWords.slice(5, 15).map((word, index) => ({ word_id: word, correct: index % 4 !== 1 })),
  });
  const launched = await ok(server, 'POST', `/api/v1/learning_apps/${app.id}/launch`, { group_id: second.id });
  const launchedSession = launched.study_session.id as number;
  for (const [index, word] of secondWords.slice(0, 6).entries()) {
    await ok(server, 'POST', `/api/v1/study_sessions/${launchedSession}/words/${word}/review`, {
      correct: index !== 2,
    });
  }
  const answer = { word_id: secondWords[0], correct: true };
  keyed = { body: answer, reply: await ok(server, 'POST', '/api/v1/reviews', answer, { 'Idempotency-Key': 'k-1' }) };
  // A new group and word, and a word deleted with its history (the counters and summaries follow).
  const group = await ok(server, 'POST', '/api/v1/groups', { name: 'Copied along' });
  const word = await ok(server, 'POST', '/api/v1/words', {
    thai: 'ย้าย',
    english: 'to move',
    parts: { romanization: 'yaai' },
    group_ids: [group.id, first.id],
  });
  await ok(server, 'POST', '/api/v1/reviews', { word_id: word.id, correct: false });
  deleted = firstWords[11];
  await ok(server, 'DELETE', `/api/v1/words/${deleted}?force=true`);
  // xAPI: a statement answering about a word (it records an answer too), and a state document (a blob).
  await ok(
    server,
    'POST',
    '/xapi/statements',
    {
      id: randomUUID(),
      actor: { objectType: 'Agent', mbox: 'mailto:learner@school.example' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered' } },
      object: { id: `${PUBLIC_URL}/api/v1/words/${firstWords[0]}`, definition: { name: { 'en-US': 'a word' } } },
      result: { success: true },
      timestamp: new Date(now - 60_000).toISOString(),
    },
    XAPI,
  );
  const state = `/xapi/activities/state?activityId=${encodeURIComponent(`${PUBLIC_URL}/apps/flashcards`)}&agent=${encodeURIComponent(
    JSON.stringify({ mbox: 'mailto:learner@school.example' }),
  )}&stateId=progress`;
  await ok(server, 'PUT', state, { position: 7, seen: [1, 2, 3] }, XAPI);

  const sessions = [session.id as number, launchedSession];
  const words = [...firstWords.slice(0, 15), ...secondWords.slice(0, 6), word.id as number].filter(
    (id) => id !== deleted,
  );
  const listed = ['groups', 'study_sessions', 'reviews'];
  return {
    paths: [
      ...WORD_SORTS.flatMap((sort) =>
        ['asc', 'desc'].map((order) => `/api/v1/words?sort_by=${sort}&order=${order}&per_page=100`),
      ),
      '/api/v1/words?page=3',
      ...listed.map((list) => `/api/v1/${list}?per_page=100`),
      '/api/v1/groups?sort_by=words_count&order=desc',
      '/api/v1/study_sessions?sort_by=correct_count',
      '/api/v1/reviews?correct=false',
      `/api/v1/reviews?word_id=${firstWords[0]}`,
      '/api/v1/reviews/queue',
      ...[first.id, second.id, group.id as number].flatMap((id) => [
        `/api/v1/groups/${id}`,
        `/api/v1/groups/${id}/words?per_page=100`,
        `/api/v1/groups/${id}/words/raw`,
        `/api/v1/groups/${id}/study_sessions`,
      ]),
      ...sessions.flatMap((id) => [
        `/api/v1/study_sessions/${id}`,
        `/api/v1/study_sessions/${id}/words`,
        `/api/v1/study_sessions/${id}/words?sort_by=session_wrong_count&order=desc`,
      ]),
      ...words.flatMap((id) => [`/api/v1/words/${id}`, `/api/v1/words/${id}/schedule`]),
      `/api/v1/words/${deleted}`,
      '/api/v1/learning_apps',
      `/api/v1/learning_apps/${app.id}`,
      `/api/v1/learning_apps/${app.id}/study_sessions`,
      ...['last_study_session', 'study_progress', 'quick_stats', 'forecast', 'forecast?days=60', 'retention'].map(
        (name) => `/api/v1/dashboard/${name}`,
      ),
      '/api/v1/srs/parameters',
      '/xapi/statements',
      state,
    ],
  };
}

/**
 * What two reads of the same data may answer differently, as any two reads would: a word's preview of its next
 * due dates is computed at the moment of the request, and so is the due date of a card never answered.
 */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(comparable);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([key]) => key !== 'next_due')
    .filter(([key]) => !(key === 'due' && (value as { reps?: number }).reps === 0))
    .map(([key, field]) => [key, comparable(field)]);
  return Object.fromEntries(entries);
}

async function readAll(server: BuiltServer, paths: string[]): Promise<Record<string, Reply>> {
  const replies: Record<string, Reply> = {};
  for (const path of paths) {
    const { status, body } = await send(server, 'GET', path, undefined, path.startsWith('/xapi') ? XAPI : {});
    replies[path] = { status, body: comparable(body) };
  }
  return replies;
}

/** Rows per table of a PostgreSQL database. */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by 1",
    );
    const counts: Record<string, number> = {};
    for (const { table_name } of rows) {
      counts[table_name] = Number((await client.query(`select count(*) from "${table_name}"`)).rows[0].count);
    }
    return counts;
  } finally {
    await client.end();
  }
}

(ON_POSTGRES ? describe : describe.skip)(
  `npm run db:copy${ON_POSTGRES ? '' : ' (skipped: TEST_DATABASE_URL is not set; it runs in the PostgreSQL run, npm run test:postgres)'}`,
  () => {
    beforeAll(async () => {
      await ensureBuilt();
      folder = mkdtempSync(join(tmpdir(), 'lang-portal-copy-'));
      install = join(folder, 'install');
      cpSync(join(ROOT, 'dist'), join(install, 'dist'), { recursive: true });
      copyFileSync(join(ROOT, 'package.json'), join(install, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(install, 'node_modules'), 'dir');

      // A seeded portal on SQLite (the server seeds a new database), with history; what it answers.
      portal = join(folder, 'portal.sqlite');
      const server = await serve(portal);
      try {
        const { paths } = await recordHistory(server);
        answers = await readAll(server, paths);
      } finally {
        await server.stop();
      }
    }, 180_000);

    afterAll(() => {
      for (const child of children) {
        child.kill('SIGKILL');
      }
      rmSync(folder, { recursive: true, force: true });
    });

    it('moves the portal: every list and statistics endpoint answers the same JSON on PostgreSQL', async () => {
      const target = await emptyDatabase();
      const started = Date.now();
      const copied = await dbCopy(portal, withPassword(target));
      process.stdout.write(`db:copy of the test portal: ${copied.stdout.trim()} (${Date.now() - started} ms)\n`);
      expect(copied).toMatchObject({ code: 0, stderr: '' });
      expect(copied.stdout).toMatch(
        /^Copied \d+ words, \d+ groups, \d+ answers, .+ from .+portal\.sqlite to postgresql:\/\/127\.0\.0\.1:\d+\/lang_portal_test_\w+: counts and counters verified/,
      );
      expect(copied.stdout).not.toContain(PASSWORD);
      // Past the first three, the report names only the tables that had rows (the portal has no xAPI attachment).
      expect(copied.stdout).not.toContain(', 0 ');

      const server = await serve(target);
      try {
        const failed = Object.entries(answers).filter(([, reply]) => reply.status !== 200);
        expect(failed.map(([path]) => path)).toEqual([`/api/v1/words/${deleted}`]);
        const read = await readAll(server, Object.keys(answers));
        const differing = Object.keys(answers).filter((path) => !isDeepStrictEqual(read[path], answers[path]));
        if (differing.some((path) => read[path].status === 500)) {
          process.stderr.write(`Errors of the server on PostgreSQL:\n${server.stderr.join('')}\n`);
        }
        expect(differing).toEqual([]);

        // The ids go on from the largest copied; the triggers count new answers once, and replays stay replays.
        const words = answers['/api/v1/words?sort_by=id&order=desc&per_page=100'].body as { items: { id: number }[] };
        const word = await ok(server, 'POST', '/api/v1/words', { thai: 'สำเนา', english: 'a copy' });
        expect(word.id).toBe(words.items[0].id + 1);
        await ok(server, 'POST', '/api/v1/reviews', { word_id: word.id, correct: true });
        await ok(server, 'POST', '/api/v1/reviews', { word_id: word.id, correct: false });
        expect(await ok(server, 'GET', `/api/v1/words/${word.id}`)).toMatchObject({ correct_count: 1, wrong_count: 1 });
        const totalOf = (page: unknown) => (page as { pagination: { total_items: number } }).pagination.total_items;
        const replay = await send(server, 'POST', '/api/v1/reviews', keyed.body, { 'Idempotency-Key': 'k-1' });
        expect(replay).toMatchObject({ status: 201, body: keyed.reply });
        expect(totalOf(await ok(server, 'GET', '/api/v1/reviews'))).toBe(
          totalOf(answers['/api/v1/reviews?per_page=100'].body) + 2,
        );
      } finally {
        await server.stop();
      }
    }, 180_000);

    it('refuses a target that is not empty, and changes nothing in it', async () => {
      const target = await emptyDatabase();
      expect((await dbCopy(portal, target)).code).toBe(0);
      const before = await rowCounts(target);

      const again = await dbCopy(portal, withPassword(target));
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(
        /^Copy failed: postgresql:\/\/127\.0\.0\.1:\d+\/lang_portal_test_\w+ is not empty \(/,
      );
      expect(again.stderr).not.toContain(PASSWORD);
      // A password that is a letter of the message leaves the message whole.
      const short = await dbCopy(portal, withPassword(target, 'e'));
      expect(short.stderr).toBe(again.stderr);
      expect(await rowCounts(target)).toEqual(before);
    }, 120_000);

    it('gives up within seconds on a target that never answers (a host cut off by the network)', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        const started = Date.now();
        const copy = await dbCopy(portal, `postgresql://postgres@127.0.0.1:${port}/lang`);
        expect(copy.code).toBe(1);
        expect(copy.stderr).toMatch(/^Copy failed: .*timeout/i);
        expect(Date.now() - started).toBeLessThan(20_000);
      } finally {
        silent.close();
      }
    }, 60_000);

    it('refuses a portal on an older schema before migrating it, so its own version still runs it', async () => {
      const target = await emptyDatabase();
      expect((await dbCopy(portal, target)).code).toBe(0);
      // The portal as an older version left it: its last migration not yet applied.
      const client = new pg.Client({ connectionString: target });
      await client.connect();
      await client.query('delete from mikro_orm_migrations where id = (select max(id) from mikro_orm_migrations)');
      await client.end();
      const before = await rowCounts(target);

      const again = await dbCopy(portal, target);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/ is not empty \(/);
      expect(await rowCounts(target)).toEqual(before);
    }, 120_000);

    it('commits nothing when a counter does not equal what it counts', async () => {
      const tampered = join(folder, 'tampered.sqlite');
      const original = new Database(portal, { readonly: true });
      original.exec(`vacuum into '${tampered}'`);
      original.close();
      const database = new Database(tampered);
      database.exec('update answer_totals set answers = answers + 1');
      database.close();
      const target = await emptyDatabase();

      const copied = await dbCopy(tampered, target);
      expect(copied.code).toBe(1);
      expect(copied.stderr).toMatch(/nothing was committed: answer_totals differ from the answers/);
      // The target stays migrated and empty.
      const { mikro_orm_migrations: migrationsRun, ...tables } = await rowCounts(target);
      expect(migrationsRun).toBe(postgresqlMigrations.length);
      expect(Object.values(tables).filter((rows) => rows > 0)).toEqual([]);
    }, 60_000);

    it('refuses a SQLite file a newer portal migrated, before it touches the target', async () => {
      const newer = join(folder, 'newer.sqlite');
      const original = new Database(portal, { readonly: true });
      original.exec(`vacuum into '${newer}'`);
      original.close();
      const database = new Database(newer);
      // What a newer portal adds, a table and a column, the entities of this one do not know and would leave out.
      database.exec(`insert into mikro_orm_migrations (name, executed_at) values ('Migration20991231000000_future', 0);
        create table future_notes (id integer primary key, note text);
        insert into future_notes (note) values ('a newer portal keeps this')`);
      database.close();
      const target = await emptyDatabase();

      const copied = await dbCopy(newer, target);
      expect({ code: copied.code, stderr: copied.stderr }).toEqual({
        code: 1,
        stderr: `Copy failed: ${newer} cannot be copied: it was written by a newer version of the portal (migrations Migration20991231000000_future): update the portal first\n`,
      });
      expect(await rowCounts(target)).toEqual({});
    });

    it('refuses a SQLite file whose migrations are behind', async () => {
      const stale = join(folder, 'stale.sqlite');
      const database = new Database(stale);
      database.exec('create table mikro_orm_migrations (id integer primary key, name text, executed_at integer)');
      database.prepare('insert into mikro_orm_migrations (name) values (?)').run('Migration20261125122914_initial');
      database.close();

      const copied = await dbCopy(stale, await emptyDatabase());
      expect(copied.code).toBe(1);
      expect(copied.stderr).toMatch(
        /is not migrated to the current schema.*run npm start or npm run db:migrate on it first/,
      );
    });

    it('refuses arguments it cannot use (its usage, exit 2), a file that does not exist, and one a portal has open', async () => {
      const nowhere = 'postgresql://postgres@127.0.0.1:1/nowhere';
      const usage = 'Usage: npm run db:copy -- --from FILE.sqlite --to postgresql://user:password@host:port/database\n';
      expect(await dbCopy(portal, 'mysql://root@127.0.0.1/lang')).toEqual({ code: 2, stdout: '', stderr: usage });
      expect(await dbCopy('', nowhere)).toEqual({ code: 2, stdout: '', stderr: usage });

      const missing = join(folder, 'typo.sqlite');
      expect(await dbCopy(missing, nowhere)).toEqual({
        code: 1,
        stdout: '',
        stderr:
          `Copy failed: ${missing} does not exist: name the portal's SQLite file (DATABASE_PATH, ` +
          'database/lang-portal.sqlite by default)\n',
      });
      const notes = join(folder, 'notes.sqlite');
      writeFileSync(notes, 'x'.repeat(4096));
      expect(await dbCopy(notes, nowhere)).toEqual({
        code: 1,
        stdout: '',
        stderr: `Copy failed: ${notes} is not an SQLite database: name the portal's SQLite file (DATABASE_PATH)\n`,
      });
      const unreached = await dbCopy(portal, nowhere);
      expect({ code: unreached.code, stdout: unreached.stdout }).toEqual({ code: 1, stdout: '' });
      expect(unreached.stderr).toMatch(
        /^Copy failed: PostgreSQL at postgresql:\/\/127\.0\.0\.1:1\/nowhere cannot be reached \(.*ECONNREFUSED.*\): check --to/,
      );

      // A write under way, as a running portal's would be.
      const open = new Database(portal);
      try {
        open.exec('begin immediate');
        expect(await dbCopy(portal, nowhere)).toEqual({
          code: 1,
          stdout: '',
          stderr: `Copy failed: ${portal} is open in a running portal: stop it first, then copy\n`,
        });
      } finally {
        open.exec('rollback');
        open.close();
      }
    });
  },
);

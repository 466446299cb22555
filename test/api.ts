import { STATUS_CODES } from 'node:http';
import { jest } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/sql';
import { DefaultQueryExecutor } from 'kysely';
import request, { type Response } from 'supertest';
import { dialect } from '../src/database/dialect.js';
import { ReviewItem } from '../src/reviews/review-item.entity.js';
import { StudyActivity } from '../src/reviews/study-activity.entity.js';
import { StudySession } from '../src/study-sessions/study-session.entity.js';
import { Word } from '../src/words/word.entity.js';
import type { TestApp } from './app.js';

/** Helpers shared by the e2e suites: HTTP calls under /api/v1, problem checks and direct database access. */

export const API = '/api/v1';

/** ISO 8601 in UTC with milliseconds and `Z`, the only timestamp form the API answers with. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A list without items: page 1 of none, at the default page size. */
export const EMPTY_PAGE = {
  items: [],
  pagination: { current_page: 1, total_pages: 0, total_items: 0, items_per_page: 100 },
};

export type Method = 'get' | 'post' | 'patch' | 'delete';

export interface WordBody {
  id: number;
  thai: string;
  english: string;
  parts: Record<string, unknown>;
  correct_count: number;
  wrong_count: number;
  created_at: string;
  updated_at: string;
}

export interface WordDetailBody extends WordBody {
  groups: { id: number; name: string; words_count: number }[];
  last_reviewed_at: string | null;
}

export interface GroupBody {
  id: number;
  name: string;
  words_count: number;
  created_at: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

export type WordInput = { thai: string; english: string; parts?: Record<string, unknown>; group_ids?: number[] };

/** Requests against the app, with paths relative to `/api/v1`. */
export function api(t: TestApp) {
  const call = (method: Method, path: string, body?: string | object) => {
    const test = request(t.http)[method](API + path);
    return body === undefined ? test : test.send(body);
  };
  return {
    call,
    get: (path: string) => call('get', path),
    post: (path: string, body?: string | object) => call('post', path, body),
    patch: (path: string, body?: string | object) => call('patch', path, body),
    delete: (path: string) => call('delete', path),

    async createWord(input: WordInput): Promise<WordDetailBody> {
      return (await call('post', '/words', input).expect(201)).body;
    },

    /** Creates words `thai`/`english` pairs in order, so their ids ascend in the order given. */
    async createWords(...pairs: [thai: string, english: string][]): Promise<WordDetailBody[]> {
      const words: WordDetailBody[] = [];
      for (const [thai, english] of pairs) {
        words.push(await this.createWord({ thai, english }));
      }
      return words;
    },

    /** Posts a word's answers to `POST /reviews` one after another, in the order given. */
    async answerAll(wordId: number, answers: { correct: boolean; at: Date }[]): Promise<void> {
      for (const { correct, at } of answers) {
        await call('post', '/reviews', { word_id: wordId, correct, reviewed_at: at.toISOString() }).expect(201);
      }
    },

    async createGroup(name: string, wordIds?: number[]): Promise<GroupBody> {
      return (await call('post', '/groups', { name, ...(wordIds && { word_ids: wordIds }) }).expect(201)).body;
    },

    /** Asserts that a 201's Location is the new resource's address in `collection`, and reads it from there. */
    async followLocation(created: Response, collection: string) {
      expect(created.headers.location).toBe(`${API}${collection}/${created.body.id}`);
      return (await request(t.http).get(created.headers.location).expect(200)).body;
    },

    async getWord(id: number): Promise<WordDetailBody> {
      return (await call('get', `/words/${id}`).expect(200)).body;
    },

    async getGroup(id: number): Promise<GroupBody & { stats: Record<string, unknown> }> {
      return (await call('get', `/groups/${id}`).expect(200)).body;
    },

    /** The ids of a list response's items, in order. */
    async ids(path: string): Promise<number[]> {
      const response = await call('get', path).expect(200);
      return response.body.items.map((item: { id: number }) => item.id);
    },
  };
}

/** Text that must never reach a client: stack frames, file paths, SQL. */
const LEAKS =
  /\n\s+at |\bat \S+ \(|node_modules|\/work\/|\/src\/|\.ts:\d|\bselect\b.*\bfrom\b|\binsert into\b|SQLITE_/i;

/** Asserts an RFC 9457 problem document with this status, and returns its body for further checks. */
export function expectProblem(response: Response, status: number): ProblemBody {
  expect({ status: response.status, body: response.body }).toMatchObject({ status, body: { status } });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json\b/);
  const body = response.body as ProblemBody;
  expect(body).toEqual({
    type: 'about:blank',
    title: STATUS_CODES[status],
    status,
    detail: expect.any(String),
    ...(body.errors !== undefined && { errors: expect.any(Array) }),
  });
  expect(body.detail.length).toBeGreaterThan(0);
  expect(response.text).not.toMatch(LEAKS);
  return body;
}

/** Asserts a 400 validation problem whose `errors[]` names `field`. */
export function expectInvalid(response: Response, field: string): ProblemBody {
  const body = expectProblem(response, 400);
  expect(body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
  return body;
}

/**
 * One test for each invalid value of a query parameter of `GET path`: a 400 whose `errors[]` names the
 * parameter. `invalid` maps each parameter to the values it must refuse.
 */
export function itRejectsQuery(t: TestApp, path: string, invalid: Record<string, string[]>): void {
  const cases = Object.entries(invalid).flatMap(([name, values]) => values.map((value) => [`${name}=${value}`, name]));
  it.each(cases)(`GET ${path}?%s is a 400 naming %s`, async (query, field) => {
    expectInvalid(await api(t).get(`${path}?${query}`), field);
  });
}

/** Runs raw SQL on the test database, bypassing the application. */
export function sql<T extends object = Record<string, unknown>>(
  t: TestApp,
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  return t.orm.em.fork().execute<T[]>(query, params);
}

export async function countRows(t: TestApp, table: string, where = '1 = 1', params: unknown[] = []): Promise<number> {
  const [{ n }] = await sql<{ n: number }>(t, `select count(*) as n from ${table} where ${where}`, params);
  return n;
}

const TABLES = [
  'srs_parameters',
  'cards',
  'idempotency_keys',
  'words_review_items',
  'study_activities',
  'study_sessions',
  'words_groups',
  'learning_apps',
  'groups',
  'words',
];

/** Every row of every table, to check that a refused request changed nothing. */
export async function allRows(t: TestApp): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    rows[table] = await sql(t, `select * from ${table} order by 1`);
  }
  return rows;
}

/** Empties every table, so that a test starts from an empty database. */
export async function clearDatabase(t: TestApp): Promise<void> {
  for (const table of TABLES) {
    await sql(t, `delete from ${table}`);
  }
}

/** Inserts a study session of a group directly in the database, as `POST /study_sessions` would. */
export async function insertSession(t: TestApp, groupId: number): Promise<number> {
  const em = t.orm.em.fork();
  const session = em.create(StudySession, { group: groupId });
  await em.flush();
  return session.id;
}

export interface Answer {
  wordId: number;
  correct: boolean;
  sessionId?: number;
  reviewedAt?: Date;
}

/**
 * Records answers directly in the database the way the review endpoints do: a review row (naming its session's
 * group) and a study activity when inside a session (the database moves the word's counters with the review log).
 */
export async function insertAnswers(t: TestApp, ...answers: Answer[]): Promise<void> {
  const em = t.orm.em.fork();
  for (const { wordId, correct, sessionId, reviewedAt = new Date() } of answers) {
    const session = sessionId === undefined ? null : await em.findOneOrFail(StudySession, sessionId);
    em.create(ReviewItem, { word: wordId, studySession: session, group: session?.group ?? null, correct, reviewedAt });
    if (sessionId !== undefined) {
      em.create(StudyActivity, { session: sessionId, word: wordId, correct, createdAt: reviewedAt });
    }
  }
  await em.flush();
}

/**
 * Sets columns of a word directly in the database (e.g. counters), bypassing the application. A timestamp
 * column may be given in epoch milliseconds: it is sent as an instant, which each database stores its own way.
 */
export async function updateWordRow(t: TestApp, id: number, columns: Record<string, unknown>): Promise<void> {
  const timestamps = new Set(
    t.orm
      .getMetadata(Word)
      .props.filter((prop) => prop.runtimeType === 'Date')
      .flatMap((prop) => prop.fieldNames),
  );
  const values = Object.entries(columns).map(([column, value]) =>
    timestamps.has(column) && typeof value === 'number' ? new Date(value) : value,
  );
  const assignments = Object.keys(columns).map((column) => `${column} = ?`);
  await sql(t, `update words set ${assignments.join(', ')} where id = ?`, [...values, id]);
}

/**
 * The SQL statements sent to the database while `run` executes, with their parameters: MikroORM's and those the
 * services build with Kysely (`em.getKysely()`), which Kysely's query executor runs alike.
 */
export async function queriesDuring(
  run: () => PromiseLike<unknown>,
): Promise<{ sql: string; params: readonly unknown[] }[]> {
  const queries: { sql: string; params: readonly unknown[] }[] = [];
  const executeQuery = DefaultQueryExecutor.prototype.executeQuery;
  const spy = jest.spyOn(DefaultQueryExecutor.prototype, 'executeQuery').mockImplementation(function (
    this: DefaultQueryExecutor,
    query,
    options,
  ) {
    queries.push({ sql: query.sql, params: query.parameters });
    return executeQuery.call(this, query, options);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return queries;
}

/**
 * The steps of a statement's plan (a statement as `queriesDuring` gives it, with its parameters bound). SQLite:
 * `explain query plan` (`avoid` has no meaning there). PostgreSQL: `explain`, with the planner told to avoid what
 * `avoid` names (`seqscan`, `sort`), which it then still plans only where nothing else can answer (on tables this
 * small it would otherwise choose them anyway): a plan without them says that an index can answer, not that the
 * planner would choose it on a large table.
 */
export async function planOf(
  t: TestApp,
  statement: { sql: string; params: readonly unknown[] },
  avoid: ('seqscan' | 'sort')[] = [],
): Promise<string[]> {
  if (dialect.name === 'sqlite') {
    const plan = await sql<{ detail: string }>(t, `explain query plan ${statement.sql}`, [...statement.params]);
    return plan.map((step) => step.detail);
  }
  const plan = await t.orm.em.fork().transactional(async (em) => {
    for (const step of avoid.flatMap((name) => (name === 'sort' ? ['sort', 'incremental_sort'] : [name]))) {
      await em.execute(`set local enable_${step} = off`);
    }
    // Kysely numbers its parameters ($1, $2, … in order); MikroORM's `execute` takes them as `?`.
    const text = statement.sql.replace(/\$\d+/g, '?');
    return em.execute<{ 'QUERY PLAN': string }[]>(`explain ${text}`, [...statement.params]);
  });
  return plan.map((step) => step['QUERY PLAN'].trim());
}

/** The indexes the entities declare as statements (`expression`), with their names. */
export function expressionIndexes(orm: MikroORM): { name: string; expression: string }[] {
  return [...orm.getMetadata().getAll().values()].flatMap((meta) =>
    meta.indexes.flatMap(({ name, expression }) =>
      typeof expression === 'string' && name !== undefined ? [{ name, expression }] : [],
    ),
  );
}

/** The SQL statements sent to the database while `run` executes (see `queriesDuring`). */
export async function statementsDuring(run: () => PromiseLike<unknown>): Promise<string[]> {
  return (await queriesDuring(run)).map((query) => query.sql);
}

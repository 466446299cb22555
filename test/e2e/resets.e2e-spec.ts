import { jest } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/core';
import { Logger } from '@nestjs/common';
import { DatabaseSeeder, seed } from '../../database/seeders/DatabaseSeeder.js';
import { dialect, folded } from '../../src/database/dialect.js';
import request, { type Response } from 'supertest';
import { GroupsService } from '../../src/groups/groups.service.js';
import { FULL_RESET_BUSY } from '../../src/settings/settings.service.js';
import { StudySessionsService } from '../../src/study-sessions/study-sessions.service.js';
import { WordsService } from '../../src/words/words.service.js';
import { clearDatabase, countRows, expectProblem, sql } from '../api.js';
import { closeTestApp, createTestApp, type TestApp, useTestApp } from '../app.js';
import { expectCountersMatchLog, portal } from '../fixtures.js';

const t = useTestApp();
const client = portal(t);
beforeEach(() => clearDatabase(t));

const HISTORY_TABLES = ['study_sessions', 'study_activities', 'words_review_items'];

/** Some user data with learning history: two groups, an app, sessions, answers in and outside them. */
async function studied() {
  const animals = await client.groupWithWords('My animals', 3);
  const colours = await client.groupWithWords('My colours', 2);
  const app = await client.createApp({ name: 'My app' });
  const session = await client.createSession(animals.group.id, app.id);
  await client.answer(session.id, animals.words[0].id, true, { key: 'k1' }).expect(201);
  await client.answer(session.id, animals.words[1].id, false).expect(201);
  await client.review(colours.words[0].id, true).expect(201);
  return { animals, colours, app, session };
}

/** The rows of every table that are not learning history, without the timestamps that bookkeeping moves. */
async function inventory(app: TestApp = t) {
  return {
    words: await sql(app, 'select id, thai, english, parts from words order by id'),
    groups: await sql(app, 'select id, name, words_count from groups order by id'),
    members: await sql(app, 'select id, word_id, group_id from words_groups order by id'),
    apps: await sql(app, 'select id, name, description, launch_url, thumbnail_url from learning_apps order by id'),
  };
}

/** Everything, history included, for checking that a failed request changed nothing. */
async function everything() {
  return {
    ...(await inventory()),
    words: await sql(t, 'select * from words order by id'),
    history: await Promise.all(
      [...HISTORY_TABLES, 'idempotency_keys'].map((table) => sql(t, `select * from ${table} order by id`)),
    ),
  };
}

describe('POST /reset_history', () => {
  it('takes its confirmation trimmed, as every string field, and refuses another word changing nothing', async () => {
    await studied();
    const before = await everything();
    expectProblem(await client.post('/reset_history', { confirm: 'reset history' }), 400);
    // Left out, it is asked for by what it must say, not as a field like any other.
    for (const [path, word] of [
      ['/reset_history', 'reset_history'],
      ['/full_reset', 'full_reset'],
    ]) {
      expect(expectProblem(await client.post(path, {}), 400).errors).toEqual([
        { field: 'confirm', message: `must be "${word}" to confirm this reset` },
      ]);
    }
    expect(await everything()).toEqual(before);
    await client.post('/reset_history', { confirm: ' reset_history\n' }).expect(200);
    expect((await client.reviews()).total).toBe(0);
  });

  it('deletes every session, activity and review and zeroes the counters; words, groups and apps stay', async () => {
    const { animals, colours, app, session: studiedSession } = await studied();
    const before = await inventory();

    const response = await client.post('/reset_history', { confirm: 'reset_history' }).expect(200);
    expect(response.body).toEqual({ success: true, message: expect.any(String) });

    for (const table of HISTORY_TABLES) {
      expect({ table, rows: await countRows(t, table) }).toEqual({ table, rows: 0 });
    }
    expect(await inventory()).toEqual(before);
    // The log's triggers and indexes, set aside while it was emptied, are all back as the entities declare them.
    expect(await t.orm.schema.getUpdateSchemaSQL()).toBe('');
    for (const word of await client.allWords()) {
      expect(await client.getWord(word.id)).toMatchObject({ correct_count: 0, wrong_count: 0, last_reviewed_at: null });
    }
    expect((await client.get('/study_sessions').expect(200)).body.pagination.total_items).toBe(0);
    expect((await client.get(`/learning_apps/${app.id}/study_sessions`).expect(200)).body.items).toEqual([]);
    expect((await client.reviews()).total).toBe(0);
    expect((await client.getGroup(animals.group.id)).stats).toEqual({
      total_word_count: 3,
      studied_word_count: 0,
      correct_count: 0,
      wrong_count: 0,
      success_rate: 0,
      last_studied_at: null,
    });
    expectProblem(await client.get('/dashboard/last_study_session'), 404);
    expect((await client.get('/dashboard/quick_stats').expect(200)).body).toEqual({
      success_rate: 0,
      total_study_sessions: 0,
      total_active_groups: 0,
      study_streak_days: 0,
      mastered_words: 0,
      due_today: 0,
    });
    expect((await client.get('/dashboard/study_progress').expect(200)).body).toEqual({
      total_words_studied: 0,
      total_available_words: 5,
    });

    // Idempotency keys outlive the reset: a late retry gets its first response again, not a second answer.
    const retry = await client.answer(studiedSession.id, animals.words[0].id, true, { key: 'k1' }).expect(201);
    expect(retry.body).toMatchObject({ word_id: animals.words[0].id, study_session_id: studiedSession.id });
    expect((await client.reviews()).total).toBe(0);

    // Studying goes on as before.
    const session = await client.createSession(colours.group.id, app.id);
    await client.answer(session.id, colours.words[1].id, true).expect(201);
    await expectCountersMatchLog(client);
  });

  it('leaves the history and its counting intact when it fails midway', async () => {
    const { animals, session } = await studied();
    const before = await everything();
    // The answers are forgotten (their triggers dropped and created again on SQLite), then the reset fails.
    const failing = jest
      .spyOn(StudySessionsService.prototype, 'clear')
      .mockRejectedValueOnce(new Error('simulated failure while deleting sessions'));
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const problem = expectProblem(await client.post('/reset_history', { confirm: 'reset_history' }), 500);
      expect(problem.detail).not.toMatch(/simulated/i);
      expect(failing).toHaveBeenCalledTimes(1);
      expect(logged).toHaveBeenCalled();
    } finally {
      jest.restoreAllMocks();
    }

    expect(await everything()).toEqual(before);
    expect(await t.orm.schema.getUpdateSchemaSQL()).toBe('');
    // The log's triggers are there: the next answer is counted everywhere.
    await client.answer(session.id, animals.words[2].id, true).expect(201);
    await expectCountersMatchLog(client);
    expect(await client.getSession(session.id)).toMatchObject({ review_items_count: 3, correct_count: 2 });
    expect((await client.getGroup(animals.group.id)).stats).toMatchObject({ studied_word_count: 3, correct_count: 2 });
  });
});

describe('POST /full_reset', () => {
  let fresh: TestApp;

  beforeAll(async () => {
    fresh = await createTestApp();
    await fresh.orm.em.fork().transactional((em: EntityManager) => new DatabaseSeeder().run(em));
  });
  afterAll(() => closeTestApp(fresh));

  it('leaves the portal as after a fresh install: the seed data, ids from 1, no history, no user data', async () => {
    await studied();
    const response = await client.post('/full_reset', { confirm: 'full_reset' }).expect(200);
    expect(response.body).toEqual({ success: true, message: expect.any(String) });

    const reset = await inventory();
    expect(reset).toEqual(await inventory(fresh));
    expect(reset.words.length).toBeGreaterThanOrEqual(300);
    expect(reset.groups.length).toBeGreaterThanOrEqual(12);
    expect(reset.apps).toEqual([expect.objectContaining({ id: 1, name: 'Example Flashcards' })]);
    for (const rows of [reset.words, reset.groups, reset.members]) {
      expect(rows.map((row) => row.id)).toEqual(rows.map((_, i) => i + 1));
    }
    for (const table of HISTORY_TABLES) {
      expect({ table, rows: await countRows(t, table) }).toEqual({ table, rows: 0 });
    }
    expect(await countRows(t, 'words', 'correct_count > 0 or wrong_count > 0')).toBe(0);
    // Folded: PostgreSQL 15 refuses LIKE on the case-insensitive (nondeterministic) collation of these names.
    expect(await countRows(t, 'words', `${folded('english')} like 'my %'`)).toBe(0);
    expect(await countRows(t, 'groups', `${folded('name')} like 'my %'`)).toBe(0);
    expect(await countRows(t, 'learning_apps', `${folded('name')} like 'my %'`)).toBe(0);
    // The seeded words_count counters are right.
    expect(
      await countRows(t, 'groups g', 'words_count != (select count(*) from words_groups m where m.group_id = g.id)'),
    ).toBe(0);

    // New data continues the ids as on a fresh install.
    const word = { thai: 'คำทดสอบ', english: 'test word' };
    const created = await client.createWord(word);
    expect(created.id).toBe(reset.words.length + 1);
    expect((await portal(fresh).createWord(word)).id).toBe(reset.words.length + 1);
    // And answers are counted again (the log was emptied without its triggers).
    await client.review(created.id, false).expect(201);
    expect(await client.getWord(created.id)).toMatchObject({ correct_count: 0, wrong_count: 1 });
    expect((await client.reviews()).total).toBe(1);
  });

  it('gives the same result when run twice', async () => {
    await client.post('/full_reset', { confirm: 'full_reset' }).expect(200);
    const once = await inventory();
    await client.post('/full_reset', { confirm: 'full_reset' }).expect(200);
    expect(await inventory()).toEqual(once);
  });

  it('leaves the migrations’ log going on: the next migration applied after it is recorded', async () => {
    await client.post('/full_reset', { confirm: 'full_reset' }).expect(200);
    const applied = await t.orm.migrator.getExecuted();
    // The last migration applied again, as a later release's would be at the next start: its row takes the log's
    // next id (on PostgreSQL the reset had restarted the log's sequence too, and id 1 was a duplicate key).
    await t.orm.migrator.down();
    await t.orm.migrator.up();
    expect((await t.orm.migrator.getExecuted()).map((migration) => migration.name)).toEqual(
      applied.map((migration) => migration.name),
    );
  });

  it('leaves the old data intact when it fails midway', async () => {
    await studied();
    const before = await everything();
    const seed = DatabaseSeeder.prototype.run;
    // The seed data is written, then the reset fails.
    const failing = jest.spyOn(DatabaseSeeder.prototype, 'run').mockImplementationOnce(async function (
      this: DatabaseSeeder,
      em: EntityManager,
    ) {
      await seed.call(this, em);
      throw new Error('simulated failure while seeding');
    });
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const problem = expectProblem(await client.post('/full_reset', { confirm: 'full_reset' }), 500);
      expect(problem.detail).not.toMatch(/simulated|seed/i);
      expect(failing).toHaveBeenCalledTimes(1);
      expect(logged).toHaveBeenCalled();
    } finally {
      jest.restoreAllMocks();
    }

    expect(await everything()).toEqual(before);
    // The id sequences were rolled back too.
    const next = before.words.length > 0 ? Math.max(...before.words.map((w) => w.id as number)) + 1 : 1;
    expect((await client.createWord({ thai: 'คำทดสอบ', english: 'test word' })).id).toBe(next);
  });

  /**
   * Sends a full reset once `method` of `prototype` has read what its request writes next, in that request's
   * transaction, and lets the request go on when the reset is answered or has waited half a second (for it).
   */
  function resetAfter<T extends object>(prototype: T, method: string) {
    const methods = prototype as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = methods[method];
    let reset: Promise<Response> | undefined;
    jest.spyOn(methods, method).mockImplementation(async function (this: T, ...args) {
      const result = await original.apply(this, args);
      if (!reset) {
        reset = Promise.resolve(client.post('/full_reset', { confirm: 'full_reset' }));
        await Promise.race([reset, new Promise((resolve) => setTimeout(resolve, 500))]);
      }
      return result;
    });
    return () => reset!;
  }

  /** Asserts that the portal is as a full reset leaves it, by comparing it with what another one leaves. */
  async function expectResetLast() {
    const now = await inventory();
    await client.post('/full_reset', { confirm: 'full_reset' }).expect(200);
    expect(now).toEqual(await inventory());
  }

  it('waits for a membership being added, whose group was read before the reset came', async () => {
    const { group, words } = await client.groupWithWords('My animals', 2);
    const other = await client.createWord({ thai: 'คำอื่น', english: 'another word' });
    const reset = resetAfter(GroupsService.prototype, 'findGroup');
    let added: Response;
    try {
      added = await client.post(`/groups/${group.id}/words`, { word_ids: [other.id, words[0].id] });
    } finally {
      jest.restoreAllMocks();
    }
    // Written before the reset, and answered as written.
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ id: group.id, words_count: 3 });
    expect((await reset()).status).toBe(200);
    // The reset came last: nothing of the request is left, as another reset finds.
    await expectResetLast();
  });

  // SQLite's `begin immediate` queues the reset behind the request instead.
  (dialect.name === 'postgresql' ? it : it.skip)(
    '503, nothing changed, when a request keeps a table it empties in use through every try',
    async () => {
      const { group } = await client.groupWithWords('My animals', 2);
      const findGroup = GroupsService.prototype.findGroup;
      let reset: Promise<Response> | undefined;
      jest.spyOn(GroupsService.prototype, 'findGroup').mockImplementation(async function (this: GroupsService, id) {
        const found = await findGroup.call(this, id);
        // The rename's transaction has read the groups' table, and keeps it until the reset has given up.
        reset ??= Promise.resolve(client.post('/full_reset', { confirm: 'full_reset' }));
        await Promise.race([reset, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
        return found;
      });
      try {
        await client.patch(`/groups/${group.id}`, { name: 'Pets' }).expect(200);
      } finally {
        jest.restoreAllMocks();
      }
      expect(expectProblem(await reset!, 503).detail).toBe(FULL_RESET_BUSY);
      expect(await sql(t, 'select name, words_count from groups')).toEqual([{ name: 'Pets', words_count: 2 }]);
      expect(await countRows(t, 'words')).toBe(2);
    },
  );

  it('waits for a word being created, whose uniqueness was checked before the reset came', async () => {
    const reset = resetAfter(WordsService.prototype, 'assertUnique');
    let created: Response;
    try {
      created = await client.post('/words', { thai: 'คำใหม่', english: 'a new word' });
    } finally {
      jest.restoreAllMocks();
    }
    // Written before the reset, and answered as written.
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ thai: 'คำใหม่', english: 'a new word', groups: [] });
    expect((await reset()).status).toBe(200);
    // The reset came last: nothing of the request is left, as another reset finds.
    await expectResetLast();
  });
});

describe('the counters and the review log', () => {
  it('agree after answers, a forced word delete, a forced group delete and a history reset', async () => {
    const animals = await client.groupWithWords('Animals', 3);
    const colours = await client.groupWithWords('Colours', 2);
    const [cat, dog, bird] = animals.words;
    const [red, blue] = colours.words;
    await client.post(`/groups/${colours.group.id}/words`, { word_ids: [cat.id] }).expect(200);
    const inAnimals = await client.createSession(animals.group.id);
    const inColours = await client.createSession(colours.group.id);

    const answers = [
      [inAnimals.id, cat, true],
      [inAnimals.id, cat, false],
      [inAnimals.id, dog, true],
      [inAnimals.id, bird, false],
      [inColours.id, cat, true],
      [inColours.id, cat, true],
      [inColours.id, red, false],
      [inColours.id, blue, true],
      [null, cat, false],
      [null, blue, false],
      [null, dog, true],
    ] as const;
    for (const [sessionId, word, correct] of answers) {
      await (sessionId === null ? client.review(word.id, correct) : client.answer(sessionId, word.id, correct)).expect(
        201,
      );
    }
    await expectCountersMatchLog(client);
    expect(await client.getWord(cat.id)).toMatchObject({ correct_count: 3, wrong_count: 2 });

    // A word with history is only deleted on force, and takes its history with it.
    expectProblem(await client.delete(`/words/${dog.id}`), 409);
    await client.delete(`/words/${dog.id}?force=true`).expect(204);
    expect((await client.reviews(`word_id=${dog.id}`)).total).toBe(0);
    expect(await client.getSession(inAnimals.id)).toMatchObject({ review_items_count: 3, correct_count: 1 });
    expect((await client.getGroup(animals.group.id)).words_count).toBe(2);
    await expectCountersMatchLog(client);

    // A group with sessions is only deleted on force, and takes its sessions' answers with it.
    expectProblem(await client.delete(`/groups/${colours.group.id}`), 409);
    await client.delete(`/groups/${colours.group.id}?force=true`).expect(204);
    expectProblem(await client.get(`/study_sessions/${inColours.id}`), 404);
    expect(await countRows(t, 'study_activities', 'session_id = ?', [inColours.id])).toBe(0);
    expect(await client.getWord(cat.id)).toMatchObject({ correct_count: 1, wrong_count: 2 });
    expect(await client.getWord(red.id)).toMatchObject({ correct_count: 0, wrong_count: 0, last_reviewed_at: null });
    expect(await client.getWord(blue.id)).toMatchObject({ correct_count: 0, wrong_count: 1 });
    await expectCountersMatchLog(client);
    expect((await client.get('/dashboard/quick_stats').expect(200)).body).toMatchObject({
      success_rate: 20,
      total_study_sessions: 1,
      total_active_groups: 1,
    });

    await client.post('/reset_history', { confirm: 'reset_history' }).expect(200);
    await expectCountersMatchLog(client);
    expect((await client.reviews()).total).toBe(0);
  });
});

describe('seeding at start-up', () => {
  it('loads the seed data into an empty database', async () => {
    await clearDatabase(t);
    await seed(t.orm);
    expect(await countRows(t, 'words')).toBeGreaterThanOrEqual(300);
    expect(await countRows(t, 'groups')).toBeGreaterThanOrEqual(12);
    expect(await countRows(t, 'learning_apps')).toBeGreaterThanOrEqual(1);
  });

  it('keeps the example app as a path on the portal, opened at the address each request reaches the portal at', async () => {
    await clearDatabase(t);
    await seed(t.orm);
    // Not the address of the start that seeded it: 127.0.0.1 for HOST=0.0.0.0, or a PUBLIC_URL set since then.
    expect(await sql(t, 'select launch_url from learning_apps')).toEqual([{ launch_url: '/apps/flashcards/' }]);
    const [group] = (await client.get('/groups').expect(200)).body.items;
    const [{ id }] = (await client.get('/learning_apps').expect(200)).body.items;
    for (const host of ['192.168.1.20:3000', 'localhost:3000', '[::1]:3413']) {
      const [app] = (await client.get('/learning_apps').set('Host', host).expect(200)).body.items;
      expect(app).toMatchObject({ id, launch_url: `http://${host}/apps/flashcards/` });
      const launched = await client.post(`/learning_apps/${id}/launch`, { group_id: group.id }).set('Host', host);
      expect(launched.status).toBe(201);
      const launchUrl = new URL(launched.body.launch_url);
      expect(`${launchUrl.origin}${launchUrl.pathname}`).toBe(`http://${host}/apps/flashcards/`);
      expect(launchUrl.searchParams.get('api_base')).toBe(`http://${host}/api/v1`);
    }
    // Its ETag is of the app as that address shows it, which is what a conditional write compares.
    const shown = await client.get(`/learning_apps/${id}`).set('Host', 'localhost:3000').expect(200);
    const changed = { description: 'Cards to flip.' };
    const elsewhere = client.patch(`/learning_apps/${id}`, changed).set('Host', '192.168.1.20:3000');
    expectProblem(await elsewhere.set('If-Match', shown.headers.etag), 412);
    const here = client.patch(`/learning_apps/${id}`, changed).set('Host', 'localhost:3000');
    expect((await here.set('If-Match', shown.headers.etag).expect(200)).body).toMatchObject({
      ...changed,
      launch_url: 'http://localhost:3000/apps/flashcards/',
    });
  });

  it('opens the example app under PUBLIC_URL, with its path, whatever Host a request names', async () => {
    const proxied = await createTestApp({ PUBLIC_URL: 'https://portal.school.example/lang/' });
    try {
      await seed(proxied.orm);
      const [app] = (await request(proxied.http).get('/api/v1/learning_apps').set('Host', 'evil.example').expect(200))
        .body.items;
      expect(app.launch_url).toBe('https://portal.school.example/lang/apps/flashcards/');
    } finally {
      await closeTestApp(proxied);
    }
  });

  it('leaves a portal in use alone, even one whose every word was deleted', async () => {
    await clearDatabase(t);
    await client.createGroup('My group');
    await seed(t.orm);
    expect(await countRows(t, 'words')).toBe(0);
    expect(await countRows(t, 'groups')).toBe(1);
    expect(await countRows(t, 'learning_apps')).toBe(0);
  });
});

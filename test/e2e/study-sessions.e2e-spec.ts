import { jest } from '@jest/globals';
import { GroupsService } from '../../src/groups/groups.service.js';
import { REFERENCE_DELETED } from '../../src/http/problem-document.js';
import { StudySession } from '../../src/study-sessions/study-session.entity.js';
import { countRows, EMPTY_PAGE, expectInvalid, expectProblem, type GroupBody, itRejectsQuery } from '../api.js';
import { stopClockAt, useEmptyTestApp } from '../app.js';
import { type LearningAppBody, portal, type SessionBody, startedSession } from '../fixtures.js';

const t = useEmptyTestApp();
const client = portal(t);

let group: GroupBody;
let app: LearningAppBody;

beforeEach(async () => {
  group = await client.createGroup('Greetings');
  app = await client.createApp({ name: 'Flashcards' });
});

/** Sets the start times of sessions directly (the API only ever starts a session now). */
async function startedAt(times: Record<number, string>): Promise<void> {
  const em = t.orm.em.fork();
  for (const [id, time] of Object.entries(times)) {
    await em.nativeUpdate(StudySession, Number(id), { createdAt: new Date(time) });
  }
}

describe('POST /study_sessions', () => {
  it('answers 201 with a new session of the group and app, and a Location header', async () => {
    const before = new Date().toISOString();
    const response = await client.post('/study_sessions', { group_id: group.id, learning_app_id: app.id }).expect(201);
    expect(response.body).toEqual(
      startedSession({
        group_id: group.id,
        group_name: 'Greetings',
        learning_app_id: app.id,
        learning_app_name: 'Flashcards',
      }),
    );
    expect(response.body.start_time >= before && response.body.start_time <= new Date().toISOString()).toBe(true);
    expect(await client.followLocation(response, '/study_sessions')).toEqual(response.body);
  });

  it.each([
    ['absent', {}],
    ['null', { learning_app_id: null }],
  ])('starts a session without an app when learning_app_id is %s', async (_, extra) => {
    const response = await client.post('/study_sessions', { group_id: group.id, ...extra }).expect(201);
    expect(response.body).toMatchObject({ group_id: group.id, learning_app_id: null, learning_app_name: null });
  });

  it.each([
    ['group_id', () => ({ group_id: 999_999, learning_app_id: app.id })],
    ['learning_app_id', () => ({ group_id: group.id, learning_app_id: 999_999 })],
  ])('answers 422 for an unknown %s, and starts no session', async (field, body) => {
    const problem = expectProblem(await client.post('/study_sessions', body()), 422);
    expect(problem.detail).toContain(field);
    expect(await countRows(t, 'study_sessions')).toBe(0);
  });

  it('answers 409 when the group is gone by the time the session is written: the foreign key says so, not a 500', async () => {
    // A group is locked and looked up before the write; this one passes the look-up and does not exist.
    jest.spyOn(GroupsService.prototype, 'exists').mockResolvedValue(true);
    const response = await client.post('/study_sessions', { group_id: 999_999 });
    jest.restoreAllMocks();
    expect(expectProblem(response, 409).detail).toBe(REFERENCE_DELETED);
    expect(await countRows(t, 'study_sessions')).toBe(0);
  });

  it.each([
    [{}, 'group_id'],
    [{ group_id: '1' }, 'group_id'],
    [{ group_id: 0 }, 'group_id'],
    [{ group_id: 1.5 }, 'group_id'],
    [{ group_id: Number.MAX_SAFE_INTEGER + 1 }, 'group_id'],
    [{ group_id: 1e300 }, 'group_id'],
    [{ group_id: null }, 'group_id'],
    [{ group_id: 1, learning_app_id: '1' }, 'learning_app_id'],
    [{ group_id: 1, learning_app_id: 0 }, 'learning_app_id'],
    [{ group_id: 1, name: 'x' }, 'name'],
  ])('answers 400 for %j', async (body, field) => {
    expectInvalid(await client.post('/study_sessions', body), field);
    expect(await countRows(t, 'study_sessions')).toBe(0);
  });
});

describe('GET /study_sessions/:id', () => {
  it('answers 404 for a session that does not exist and 400 for an id that is not a positive integer', async () => {
    expectProblem(await client.get('/study_sessions/999999'), 404);
    for (const id of ['0', '-1', 'abc', '1.5', '01', '1.0', '1e0', '0x1', '%201']) {
      expectInvalid(await client.get(`/study_sessions/${id}`), 'id');
    }
  });

  it('counts the session’s answers, and ends at the newest reviewed_at, not the last one recorded', async () => {
    const { group: animals, words } = await client.groupWithWords('Animals', 2);
    const session = await client.createSession(animals.id);
    await startedAt({ [session.id]: '2026-11-01T00:00:00.000Z' });
    await client.answer(session.id, words[0].id, true, { reviewedAt: '2026-11-01T10:00:00.000Z' }).expect(201);
    await client.answer(session.id, words[1].id, false, { reviewedAt: '2026-11-01T09:00:00.000Z' }).expect(201);
    await client.answer(session.id, words[1].id, true, { reviewedAt: '2026-11-01T08:00:00.000Z' }).expect(201);
    // Answers outside the session do not count for it.
    await client.review(words[0].id, false).expect(201);

    expect(await client.getSession(session.id)).toMatchObject({
      start_time: '2026-11-01T00:00:00.000Z',
      end_time: '2026-11-01T10:00:00.000Z',
      review_items_count: 3,
      correct_count: 2,
      wrong_count: 1,
    });
  });

  it('counts a batch of answers, and no longer counts the answers of a deleted word', async () => {
    const { group: animals, words } = await client.groupWithWords('Animals', 2);
    const session = await client.createSession(animals.id);
    await startedAt({ [session.id]: '2026-11-01T00:00:00.000Z' });
    await client
      .post(`/study_sessions/${session.id}/answers`, {
        answers: [
          { word_id: words[0].id, correct: true, reviewed_at: '2026-11-01T08:00:00.000Z' },
          { word_id: words[1].id, correct: false, reviewed_at: '2026-11-01T10:00:00.000Z' },
          { word_id: words[0].id, correct: true, reviewed_at: '2026-11-01T09:00:00.000Z' },
        ],
      })
      .expect(201);
    expect(await client.getSession(session.id)).toMatchObject({
      end_time: '2026-11-01T10:00:00.000Z',
      review_items_count: 3,
      correct_count: 2,
      wrong_count: 1,
    });

    // The session's newest answer goes with its word: the session ends at the newest one left.
    await client.delete(`/words/${words[1].id}?force=true`).expect(204);
    expect(await client.getSession(session.id)).toMatchObject({
      end_time: '2026-11-01T09:00:00.000Z',
      review_items_count: 2,
      correct_count: 2,
      wrong_count: 0,
    });
    await client.delete(`/words/${words[0].id}?force=true`).expect(204);
    expect(await client.getSession(session.id)).toMatchObject({
      end_time: null,
      review_items_count: 0,
      correct_count: 0,
      wrong_count: 0,
    });
  });
});

describe('GET /study_sessions', () => {
  let sessions: SessionBody[];

  beforeEach(async () => {
    const other = await client.createGroup('Animals');
    const otherApp = await client.createApp({ name: 'Quiz' });
    sessions = [
      await client.createSession(group.id, app.id),
      await client.createSession(group.id, null),
      await client.createSession(other.id, app.id),
      await client.createSession(other.id, otherApp.id),
      await client.createSession(group.id, otherApp.id),
    ];
    // Started: [0] 10:00, [1] and [2] at the same instant 11:00, [3] 09:00, [4] 12:00.
    await startedAt({
      [sessions[0].id]: '2026-11-20T10:00:00.000Z',
      [sessions[1].id]: '2026-11-20T11:00:00.000Z',
      [sessions[2].id]: '2026-11-20T11:00:00.000Z',
      [sessions[3].id]: '2026-11-20T09:00:00.000Z',
      [sessions[4].id]: '2026-11-20T12:00:00.000Z',
    });
  });

  const idsOf = (...indexes: number[]) => indexes.map((i) => sessions[i].id);

  it('lists every session newest first, ties by id descending', async () => {
    const response = await client.get('/study_sessions').expect(200);
    expect(response.body.items.map((s: SessionBody) => s.id)).toEqual(idsOf(4, 2, 1, 0, 3));
    expect(response.body.pagination).toEqual({ current_page: 1, total_pages: 1, total_items: 5, items_per_page: 100 });
    expect(response.body.items[0]).toEqual({ ...sessions[4], start_time: '2026-11-20T12:00:00.000Z' });
  });

  it('pages in the same order', async () => {
    expect(await client.ids('/study_sessions?per_page=2')).toEqual(idsOf(4, 2));
    expect(await client.ids('/study_sessions?per_page=2&page=2')).toEqual(idsOf(1, 0));
    const last = await client.get('/study_sessions?per_page=2&page=3').expect(200);
    expect(last.body.items.map((s: SessionBody) => s.id)).toEqual(idsOf(3));
    expect(last.body.pagination).toEqual({ current_page: 3, total_pages: 3, total_items: 5, items_per_page: 2 });
    expect((await client.get('/study_sessions?per_page=2&page=4').expect(200)).body.items).toEqual([]);
  });

  it('filters by group_id, learning_app_id or both', async () => {
    expect(await client.ids(`/study_sessions?group_id=${group.id}`)).toEqual(idsOf(4, 1, 0));
    expect(await client.ids(`/study_sessions?learning_app_id=${app.id}`)).toEqual(idsOf(2, 0));
    expect(await client.ids(`/study_sessions?group_id=${group.id}&learning_app_id=${app.id}`)).toEqual(idsOf(0));
    const filtered = await client.get(`/study_sessions?group_id=${group.id}&per_page=2`).expect(200);
    expect(filtered.body.pagination).toEqual({ current_page: 1, total_pages: 2, total_items: 3, items_per_page: 2 });
  });

  it('answers 404 for a filter naming a group or app that does not exist', async () => {
    expect(expectProblem(await client.get('/study_sessions?group_id=999999'), 404).detail).toMatch(/group/i);
    expect(expectProblem(await client.get('/study_sessions?learning_app_id=999999'), 404).detail).toMatch(/app/i);
  });

  itRejectsQuery(t, '/study_sessions', {
    group_id: ['abc', '0', '0x1', '01', '007'],
    learning_app_id: ['-1', '1.0'],
    page: ['0'],
    per_page: ['501'],
  });

  it('lists a group’s sessions under GET /groups/:id/study_sessions, newest first', async () => {
    expect(await client.ids(`/groups/${group.id}/study_sessions`)).toEqual(idsOf(4, 1, 0));
    expect(await client.ids(`/groups/${group.id}/study_sessions?per_page=1&page=2`)).toEqual(idsOf(1));
    const empty = await client.createGroup('Empty');
    expect((await client.get(`/groups/${empty.id}/study_sessions`).expect(200)).body).toEqual(EMPTY_PAGE);
    expectProblem(await client.get('/groups/999999/study_sessions'), 404);
    expectInvalid(await client.get('/groups/abc/study_sessions'), 'id');
    expectInvalid(await client.get(`/groups/${group.id}/study_sessions?per_page=0`), 'per_page');
  });

  it('lists an app’s sessions under GET /learning_apps/:id/study_sessions, newest first', async () => {
    expect(await client.ids(`/learning_apps/${app.id}/study_sessions`)).toEqual(idsOf(2, 0));
    const unused = await client.createApp({ name: 'Unused' });
    expect((await client.get(`/learning_apps/${unused.id}/study_sessions`).expect(200)).body).toEqual(EMPTY_PAGE);
    expectProblem(await client.get('/learning_apps/999999/study_sessions'), 404);
    expectInvalid(await client.get('/learning_apps/0/study_sessions'), 'id');
  });
});

describe('GET /study_sessions/:id/words', () => {
  it('lists the words answered in the session, in first-answer order, with their session counts', async () => {
    const { group: animals, words } = await client.groupWithWords('Animals', 4);
    const session = await client.createSession(animals.id);
    const other = await client.createSession(animals.id);
    for (const [word, correct] of [
      [words[2], true],
      [words[0], false],
      [words[2], false],
      [words[2], true],
    ] as const) {
      await client.answer(session.id, word.id, correct).expect(201);
    }
    await client.answer(other.id, words[0].id, true).expect(201);
    await client.review(words[0].id, true).expect(201);

    const response = await client.get(`/study_sessions/${session.id}/words`).expect(200);
    expect(response.body.pagination).toEqual({ current_page: 1, total_pages: 1, total_items: 2, items_per_page: 100 });
    const word2 = await client.getWord(words[2].id);
    const word0 = await client.getWord(words[0].id);
    const asWord = ({ groups: _groups, last_reviewed_at: _last, ...word }: typeof word0) => word;
    expect(response.body.items).toEqual([
      { ...asWord(word2), session_correct_count: 2, session_wrong_count: 1 },
      { ...asWord(word0), session_correct_count: 0, session_wrong_count: 1 },
    ]);
    // The word's own counters cover every session and the answers outside them.
    expect(word0).toMatchObject({ correct_count: 2, wrong_count: 1 });

    const second = await client.get(`/study_sessions/${session.id}/words?per_page=1&page=2`).expect(200);
    expect(second.body.items.map((w: { id: number }) => w.id)).toEqual([words[0].id]);
    expect(second.body.pagination).toEqual({ current_page: 2, total_pages: 2, total_items: 2, items_per_page: 1 });
  });

  it('orders the words by when they were first answered, as reviewed_at says, not as the answers arrived', async () => {
    const { group: animals, words } = await client.groupWithWords('Animals', 3);
    const session = await client.createSession(animals.id);
    const at = (ms: number) => new Date(Date.parse(session.start_time) + ms).toISOString();
    // A second after the start, so that none of the times is in the future (a 400) on a fast machine.
    stopClockAt(Date.parse(session.start_time) + 1000);
    try {
      // An app back online sends its latest answer at once, then the two it held while offline.
      await client.answer(session.id, words[2].id, true, { reviewedAt: at(3) }).expect(201);
      await client.answer(session.id, words[0].id, true, { reviewedAt: at(1) }).expect(201);
      await client.answer(session.id, words[1].id, false, { reviewedAt: at(2) }).expect(201);
      await client.answer(session.id, words[0].id, false, { reviewedAt: at(4) }).expect(201);
    } finally {
      jest.useRealTimers();
    }
    expect(await client.ids(`/study_sessions/${session.id}/words`)).toEqual([words[0].id, words[1].id, words[2].id]);
    expect(await client.ids(`/study_sessions/${session.id}/words?order=desc`)).toEqual([
      words[2].id,
      words[1].id,
      words[0].id,
    ]);
  });

  it('is an empty page before the first answer, 404 for an unknown session and 400 for a bad id', async () => {
    const session = await client.createSession(group.id);
    expect((await client.get(`/study_sessions/${session.id}/words`).expect(200)).body).toEqual(EMPTY_PAGE);
    expectProblem(await client.get('/study_sessions/999999/words'), 404);
    expectInvalid(await client.get('/study_sessions/x/words'), 'id');
    expectInvalid(await client.get(`/study_sessions/${session.id}/words?page=abc`), 'page');
  });
});

import request from 'supertest';
import { useTestApp } from '../app.js';
import type { AnswerRecordedBody, SessionBody } from '../fixtures.js';
import { answerRecorded, expectCountersMatchLog, newest, portal, startedSession } from '../fixtures.js';

const t = useTestApp();
const client = portal(t);

/**
 * The launchpad end to end: a learning app is launched on a group, fetches the group's words from the
 * api_base it was given, records 23 answers for 20 words, and every read model agrees on them.
 */
it('launches an app on a group, records its answers and reports them the same way everywhere', async () => {
  const { group, words } = await client.groupWithWords('Animals', 22);
  const outsider = await client.createWord({ thai: 'รถ', english: 'car' });
  const app = await client.createApp({ name: 'Flashcards', launch_url: 'https://apps.example/fc?lang=th' });

  // Launch.
  const launched = await client.post(`/learning_apps/${app.id}/launch`, { group_id: group.id }).expect(201);
  const session: SessionBody = launched.body.study_session;
  expect(launched.body).toEqual({ study_session: expect.any(Object), launch_url: expect.any(String) });
  expect(session).toEqual(
    startedSession({
      group_id: group.id,
      group_name: 'Animals',
      learning_app_id: app.id,
      learning_app_name: 'Flashcards',
    }),
  );

  // The launch URL keeps the app's own address and query and adds the session, the group and the API.
  const url = new URL(launched.body.launch_url);
  expect(`${url.origin}${url.pathname}`).toBe('https://apps.example/fc');
  expect([...url.searchParams.keys()].sort()).toEqual(['api_base', 'group_id', 'lang', 'session_id']);
  expect(url.searchParams.get('lang')).toBe('th');
  expect(url.searchParams.get('session_id')).toBe(String(session.id));
  expect(url.searchParams.get('group_id')).toBe(String(group.id));
  const apiBase = new URL(url.searchParams.get('api_base')!);
  expect(apiBase.protocol).toMatch(/^https?:$/);
  expect(apiBase.host).not.toBe('');
  expect(apiBase.pathname).toBe('/api/v1');
  expect(apiBase.search + apiBase.hash).toBe('');

  // The app loads its words through api_base.
  const raw = await request(t.http).get(`${apiBase.pathname}/groups/${url.searchParams.get('group_id')}/words/raw`);
  expect(raw.status).toBe(200);
  expect(raw.body).toEqual({
    group_id: group.id,
    group_name: 'Animals',
    words: words.map(({ id, thai, english, parts }) => ({ id, thai, english, parts })),
  });

  // 20 distinct words answered (every third one wrong), three of them twice: 23 answers, 14 correct.
  const answers = [
    ...raw.body.words.slice(0, 20).map((word: { id: number }, i: number) => [word.id, i % 3 !== 0] as const),
    [words[0].id, true] as const,
    [words[1].id, false] as const,
    [words[2].id, false] as const,
  ];
  const recorded: AnswerRecordedBody[] = [];
  for (const [wordId, correct] of answers) {
    const response = await client.answer(session.id, wordId, correct).expect(201);
    expect(response.body).toEqual(answerRecorded({ word_id: wordId, study_session_id: session.id, correct }));
    expect(response.body.created_at >= session.start_time).toBe(true);
    recorded.push(response.body);
  }
  // And one answer outside the session, for a word of the group.
  const outside: AnswerRecordedBody = (await client.review(words[21].id, true).expect(201)).body;
  expect(outside.study_session_id).toBeNull();

  expect(recorded.filter((answer) => answer.correct)).toHaveLength(14);
  const endTime = newest(recorded.map((answer) => answer.created_at));

  // The session.
  const sessionAfter = { ...session, end_time: endTime, review_items_count: 23, correct_count: 14, wrong_count: 9 };
  expect(await client.getSession(session.id)).toEqual(sessionAfter);
  expect((await client.get('/study_sessions').expect(200)).body.items).toEqual([sessionAfter]);
  expect((await client.get(`/groups/${group.id}/study_sessions`).expect(200)).body.items).toEqual([sessionAfter]);
  expect((await client.get(`/learning_apps/${app.id}/study_sessions`).expect(200)).body.items).toEqual([sessionAfter]);

  // The words of the session, in the order they were first answered, with their session counts.
  const sessionWords = (await client.get(`/study_sessions/${session.id}/words`).expect(200)).body;
  expect(sessionWords.pagination.total_items).toBe(20);
  const sessionCounts = (wordId: number) => ({
    session_correct_count: recorded.filter((a) => a.word_id === wordId && a.correct).length,
    session_wrong_count: recorded.filter((a) => a.word_id === wordId && !a.correct).length,
  });
  expect(sessionWords.items.map((word: { id: number }) => word.id)).toEqual(words.slice(0, 20).map((w) => w.id));
  for (const item of sessionWords.items) {
    expect(item).toMatchObject(sessionCounts(item.id));
  }
  const firstFour = sessionWords.items
    .slice(0, 4)
    .map((item: Record<string, number>) => [item.session_correct_count, item.session_wrong_count]);
  expect(firstFour).toEqual([
    [1, 1],
    [1, 1],
    [1, 1],
    [0, 1],
  ]);

  // Every word's counters and last review.
  const all = [...recorded, outside];
  for (const word of [...words, outsider]) {
    const own = all.filter((answer) => answer.word_id === word.id);
    expect(await client.getWord(word.id)).toMatchObject({
      correct_count: own.filter((answer) => answer.correct).length,
      wrong_count: own.filter((answer) => !answer.correct).length,
      last_reviewed_at: own.length > 0 ? newest(own.map((answer) => answer.created_at)) : null,
    });
  }
  await expectCountersMatchLog(client);

  // The group's statistics cover its sessions' answers only (not the answer outside a session).
  expect((await client.getGroup(group.id)).stats).toEqual({
    total_word_count: 22,
    studied_word_count: 20,
    correct_count: 14,
    wrong_count: 9,
    success_rate: 60.9,
    last_studied_at: endTime,
  });

  // The dashboard covers every answer.
  expect((await client.get('/dashboard/last_study_session').expect(200)).body).toEqual(sessionAfter);
  expect((await client.get('/dashboard/study_progress').expect(200)).body).toEqual({
    total_words_studied: 21,
    total_available_words: 23,
  });
  const stats = (await client.get('/dashboard/quick_stats').expect(200)).body;
  expect(stats).toEqual({
    success_rate: 62.5,
    total_study_sessions: 1,
    total_active_groups: 1,
    study_streak_days: 1,
    // Every studied word was answered minutes ago: none is mastered, and whether a card falls due before
    // midnight depends on the hour the test runs.
    mastered_words: 0,
    due_today: expect.any(Number),
  });
  expect(stats.due_today).toBeLessThanOrEqual(21);

  // The review log, newest first.
  const log = await client.reviews();
  expect(log.total).toBe(24);
  const byNewest = [...log.items].sort((a, b) => b.reviewed_at.localeCompare(a.reviewed_at) || b.id - a.id);
  expect(log.items).toEqual(byNewest);
  const wordsById = new Map([...words, outsider].map((word) => [word.id, word]));
  expect(
    [...log.items]
      .sort((a, b) => a.id - b.id)
      .map(({ word_id, thai, english, correct, reviewed_at, study_session_id }) => ({
        word_id,
        thai,
        english,
        correct,
        reviewed_at,
        study_session_id,
      })),
  ).toEqual(
    all.map((answer) => ({
      word_id: answer.word_id,
      thai: wordsById.get(answer.word_id)!.thai,
      english: wordsById.get(answer.word_id)!.english,
      correct: answer.correct,
      reviewed_at: answer.created_at,
      study_session_id: answer.study_session_id,
    })),
  );
  expect((await client.reviews('correct=false')).total).toBe(9);
  expect((await client.reviews(`word_id=${words[0].id}`)).total).toBe(2);
});

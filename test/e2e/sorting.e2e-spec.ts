import { sql } from '../api.js';
import { useEmptyTestApp } from '../app.js';
import { WORD_SORTS } from '../../src/words/dto/list-words.query.js';
import { portal } from '../fixtures.js';

/**
 * Ties arranged so that the order SQLite reads rows in (an index, or the rows of one group or word)
 * differs from the promised one: a list that forgot its id tie-breaker fails here.
 */
const t = useEmptyTestApp();
const client = portal(t);

const ids = async (path: string) =>
  (await client.get(path).expect(200)).body.items.map((item: { id: number }) => item.id);

describe('ties are broken by id', () => {
  it('words with the same thai are in id order, not in the order of the (thai, english) index', async () => {
    const words = await client.createWords(['แมว', 'zebra cat'], ['แมว', 'alley cat'], ['แมว', 'Maine cat']);
    const byId = words.map((word) => word.id);
    expect(await ids('/words?sort_by=thai')).toEqual(byId);
    expect(await ids('/words?sort_by=thai&order=desc')).toEqual(byId);
    // Found by a search, ranked alike: the same.
    expect(await ids(`/words?q=${encodeURIComponent('แมว')}&order=desc`)).toEqual(byId);
  });

  it('sessions started at the same instant are newest id first, in every list of them', async () => {
    const [word] = await client.createWords(['แมว', 'cat']);
    const group = await client.createGroup('Pets', [word.id]);
    const app = await client.createApp();
    const sessions = [];
    for (let i = 0; i < 3; i += 1) {
      sessions.push((await client.post(`/learning_apps/${app.id}/launch`, { group_id: group.id }).expect(201)).body);
    }
    await sql(t, 'update study_sessions set created_at = ?', [new Date('2026-11-24T10:00:00Z')]);
    const newestFirst = sessions.map((launched) => launched.study_session.id).reverse();

    expect(await ids('/study_sessions')).toEqual(newestFirst);
    expect(await ids(`/study_sessions?group_id=${group.id}`)).toEqual(newestFirst);
    expect(await ids(`/groups/${group.id}/study_sessions`)).toEqual(newestFirst);
    expect(await ids(`/learning_apps/${app.id}/study_sessions`)).toEqual(newestFirst);
    expect((await client.get('/dashboard/last_study_session').expect(200)).body.id).toBe(newestFirst[0]);
    // The last session is the one started last, not the newest id.
    await sql(t, 'update study_sessions set created_at = ? where id = ?', [
      new Date('2026-11-24T09:00:00Z'),
      newestFirst[0],
    ]);
    expect((await client.get('/dashboard/last_study_session').expect(200)).body.id).toBe(newestFirst[1]);
  });

  it('answers given at the same instant are newest id first, in the whole log, in one word’s and in the right ones, page by page', async () => {
    const [word] = await client.createWords(['แมว', 'cat']);
    const at = '2026-11-24T10:00:00.000Z';
    const recorded = [];
    for (const correct of [true, false, true]) {
      await client.review(word.id, correct, { reviewedAt: at }).expect(201);
      recorded.push((await sql<{ id: number }>(t, 'select max(id) as id from words_review_items'))[0].id);
    }
    expect(await ids('/reviews')).toEqual([...recorded].reverse());
    expect(await ids(`/reviews?word_id=${word.id}`)).toEqual([...recorded].reverse());
    expect(await ids('/reviews?correct=true')).toEqual([recorded[2], recorded[0]]);
    for (const [index, id] of [...recorded].reverse().entries()) {
      expect(await ids(`/reviews?per_page=1&page=${index + 1}`)).toEqual([id]);
    }
    expect(await ids(`/reviews?correct=true&since=${at}&per_page=1&page=2`)).toEqual([recorded[0]]);
  });
});

describe('active groups', () => {
  it('counts a group with two study sessions once', async () => {
    const [word] = await client.createWords(['แมว', 'cat']);
    const pets = await client.createGroup('Pets', [word.id]);
    const animals = await client.createGroup('Animals', [word.id]);
    await client.createSession(pets.id);
    await client.createSession(pets.id);
    await client.createSession(animals.id);

    expect((await client.get('/dashboard/quick_stats').expect(200)).body).toMatchObject({
      total_study_sessions: 3,
      total_active_groups: 2,
    });
  });
});

describe('the sorts a frontend asks for', () => {
  it('sorts study sessions by their answers, start and end, both ways, ties by id the same way', async () => {
    const { group, words } = await client.groupWithWords('Pets', 2);
    const sessions = [];
    for (let i = 0; i < 3; i += 1) {
      sessions.push(await client.createSession(group.id));
    }
    const [a, b, c] = sessions.map((session) => session.id);
    // c is answered before b: their ends run the other way from their starts.
    for (const [session, correct] of [
      [c, false],
      [c, true],
      [c, false],
      [b, true],
      [b, true],
    ] as const) {
      await client.answer(session, words[0].id, correct).expect(201);
    }
    expect(await ids(`/groups/${group.id}/study_sessions?sort_by=review_items_count&order=asc`)).toEqual([a, b, c]);
    // Session lists run newest (or most) first unless asked otherwise.
    expect(await ids(`/groups/${group.id}/study_sessions?sort_by=review_items_count`)).toEqual([c, b, a]);
    expect(await ids('/study_sessions?sort_by=correct_count&order=desc')).toEqual([b, c, a]);
    expect(await ids('/study_sessions?sort_by=correct_count&order=asc')).toEqual([a, c, b]);
    expect(await ids('/study_sessions?sort_by=id&order=asc')).toEqual([a, b, c]);
    expect(await ids('/study_sessions')).toEqual([c, b, a]);
    // A session without answers has no end: it sorts as the earliest, first ascending and last descending, on both
    // databases.
    expect(await ids('/study_sessions?sort_by=end_time&order=desc')).toEqual([b, c, a]);
    expect(await ids('/study_sessions?sort_by=end_time&order=asc')).toEqual([a, c, b]);
    expect(await ids('/study_sessions?sort_by=start_time&order=asc')).toEqual([a, b, c]);
    const app = await client.createApp();
    expect(await ids(`/learning_apps/${app.id}/study_sessions?sort_by=start_time&order=asc`)).toEqual([]);
    for (const bad of ['sort_by=name', 'order=up']) {
      expect((await client.get(`/study_sessions?${bad}`)).status).toBe(400);
    }
  });

  it('sorts the words of a session by their counts there, or as word lists sort', async () => {
    const { group, words } = await client.groupWithWords('Pets', 3);
    const session = await client.createSession(group.id);
    await client.answerInOrder(session.id, [
      [words[2], true],
      [words[0], false],
      [words[0], false],
      [words[1], true],
      [words[1], true],
    ]);
    const path = `/study_sessions/${session.id}/words`;
    expect(await ids(path)).toEqual([words[2].id, words[0].id, words[1].id]);
    expect(await ids(`${path}?sort_by=session_correct_count&order=desc`)).toEqual([
      words[1].id,
      words[2].id,
      words[0].id,
    ]);
    expect(await ids(`${path}?sort_by=session_wrong_count&order=desc`)).toEqual([
      words[0].id,
      words[1].id,
      words[2].id,
    ]);
    expect(await ids(`${path}?sort_by=id&order=desc`)).toEqual([words[2].id, words[1].id, words[0].id]);
    expect((await client.get(`${path}?sort_by=romanization`)).status).toBe(200);
    expect((await client.get(`${path}?sort_by=group`)).status).toBe(400);
    expect((await client.get(`${path}?order=up`)).status).toBe(400);
  });

  it('sorts the words of a session as their group’s word list sorts them, by each of its sorts, both ways', async () => {
    const made = [
      // English in mixed case: a sort that compared case would put Delta first.
      await client.createWord({ thai: 'ง', english: 'Delta', parts: { romanization: 'ngo' } }),
      await client.createWord({ thai: 'ข', english: 'alpha' }),
      await client.createWord({ thai: 'ค', english: 'charlie', parts: { romanization: 'kho' } }),
      await client.createWord({ thai: 'ก', english: 'bravo', parts: { romanization: 'ko' } }),
    ];
    const group = await client.createGroup(
      'Sorted',
      made.map((word) => word.id),
    );
    // Counters that differ from word to word, and from the session's own counts (an answer outside it).
    const session = await client.createSession(group.id);
    await client.answerInOrder(session.id, [
      [made[1], true],
      [made[1], true],
      [made[2], false],
      [made[0], true],
      [made[3], false],
      [made[3], false],
      [made[3], true],
    ]);
    await client.review(made[0].id, false).expect(201);
    for (const sortBy of WORD_SORTS) {
      for (const order of ['asc', 'desc']) {
        const query = `sort_by=${sortBy}&order=${order}`;
        expect({ query, ids: await ids(`/study_sessions/${session.id}/words?${query}`) }).toEqual({
          query,
          ids: await ids(`/groups/${group.id}/words?${query}`),
        });
      }
    }
    expect(await ids(`/study_sessions/${session.id}/words?sort_by=english`)).toEqual(
      [made[1], made[3], made[2], made[0]].map((word) => word.id),
    );
  });

  it('sorts words by romanization, words without one last in either order', async () => {
    const [none, b, a] = [
      await client.createWord({ thai: 'ก', english: 'no romanization' }),
      await client.createWord({ thai: 'ข', english: 'b', parts: { romanization: 'khai' } }),
      await client.createWord({ thai: 'ค', english: 'a', parts: { romanization: 'aroi' } }),
    ];
    expect(await ids('/words?sort_by=romanization')).toEqual([a.id, b.id, none.id]);
    expect(await ids('/words?sort_by=romanization&order=desc')).toEqual([b.id, a.id, none.id]);
  });
});

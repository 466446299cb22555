import { jest } from '@jest/globals';
import request from 'supertest';
import { GroupsService } from '../../src/groups/groups.service.js';
import { dialect } from '../../src/database/dialect.js';
import {
  api,
  countRows,
  EMPTY_PAGE,
  expectInvalid,
  expectProblem,
  type GroupBody,
  insertAnswers,
  insertSession,
  ISO_MS,
  itRejectsQuery,
  sql,
  type WordBody,
} from '../api.js';
import { useEmptyTestApp } from '../app.js';
import { expectStoredFiguresMatchLog } from '../fixtures.js';

const t = useEmptyTestApp();
const client = api(t);

const groupShape = (group: Partial<GroupBody>) => ({
  id: expect.any(Number),
  words_count: 0,
  created_at: expect.stringMatching(ISO_MS),
  ...group,
});

const NO_STATS = {
  studied_word_count: 0,
  correct_count: 0,
  wrong_count: 0,
  success_rate: 0,
  last_studied_at: null,
};

const namesOf = (response: request.Response) => response.body.items.map((item: GroupBody) => item.name);

/** Every group's words_count, read through the API, after checking it against the real membership rows. */
async function wordsCounts(): Promise<Record<string, number>> {
  const rows = await sql<{ name: string; words_count: number; members: number }>(
    t,
    `select g.name, g.words_count, (select count(*) from words_groups m where m.group_id = g.id) as members
       from groups g`,
  );
  for (const row of rows) {
    expect({ group: row.name, words_count: row.words_count }).toEqual({ group: row.name, words_count: row.members });
  }
  const groups = (await client.get('/groups').expect(200)).body.items as GroupBody[];
  return Object.fromEntries(groups.map((group) => [group.name, group.words_count]));
}

describe('POST /groups', () => {
  it('answers 201 with the group, snake_case keys, an ISO timestamp and a Location header', async () => {
    const response = await client.post('/groups', { name: 'Greetings' }).expect(201);

    expect(response.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
    expect(response.body).toEqual(groupShape({ name: 'Greetings' }));
    expect(await client.followLocation(response, '/groups')).toEqual({
      ...response.body,
      stats: { total_word_count: 0, ...NO_STATS },
    });
  });

  it('starts with the words in word_ids (duplicates counted once)', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);

    const pets = await client.createGroup('Pets', [cat.id, dog.id, cat.id]);

    expect(pets).toEqual(groupShape({ name: 'Pets', words_count: 2 }));
    expect(await countRows(t, 'words_groups', 'group_id = ?', [pets.id])).toBe(2);
    expect((await client.getWord(cat.id)).groups).toEqual([{ id: pets.id, name: 'Pets', words_count: 2 }]);
  });

  it('round-trips a Thai name and trims it', async () => {
    const group = await client.createGroup('  คำทักทาย ครับ \n');
    expect(group.name).toBe('คำทักทาย ครับ');
    expect((await client.getGroup(group.id)).name).toBe('คำทักทาย ครับ');
  });

  it('409 for a name that exists, case-insensitively', async () => {
    await client.createGroup('Greetings');

    expectProblem(await client.post('/groups', { name: 'Greetings' }), 409);
    expectProblem(await client.post('/groups', { name: 'greetings' }), 409);
    expectProblem(await client.post('/groups', { name: '  GREETINGS ' }), 409);
    expect(await countRows(t, 'groups')).toBe(1);
  });

  it('409 for a name that differs only in the case of non-ASCII letters', async () => {
    await client.createGroup('Écrire');

    expectProblem(await client.post('/groups', { name: 'écrire' }), 409);
    expectProblem(await client.post('/groups', { name: 'ÉCRIRE' }), 409);
    expect(await countRows(t, 'groups')).toBe(1);
  });

  it('409 for a name that differs only in the case of a letter cased since Unicode 16, on every database', async () => {
    // Ɤ (U+A7CB) and ɤ: PostgreSQL's ICU may be older than Node's, which folds the names.
    const group = await client.createGroup('Ɤx');

    const problem = expectProblem(await client.post('/groups', { name: 'ɤx' }), 409);
    expect(problem.detail).toBe(`A group named "Ɤx" already exists (id ${group.id})`);
    expect(await countRows(t, 'groups')).toBe(1);
  });

  it('409 for a name with a final sigma for a sigma, or in another Unicode normal form', async () => {
    await client.createGroup('ΟΔΟΣ');
    await client.createGroup('école');

    expectProblem(await client.post('/groups', { name: 'οδοσ' }), 409);
    expectProblem(await client.post('/groups', { name: 'e\u0301cole' }), 409);
    expectProblem(await client.post('/groups', { name: 'E\u0301COLE' }), 409);
    expect(await countRows(t, 'groups')).toBe(2);
  });

  it('201 for a name that differs from another in more than case (full-width letters, a ligature, ß and ss)', async () => {
    await client.createGroup('Cat');
    await client.createGroup('file');
    await client.createGroup('Straße');

    await client.post('/groups', { name: 'ｃａｔ' }).expect(201);
    await client.post('/groups', { name: 'ﬁle' }).expect(201);
    await client.post('/groups', { name: 'STRASSE' }).expect(201);
    expect(await countRows(t, 'groups')).toBe(6);
  });

  it('documents the name as the string it takes: 1 to 100 characters', async () => {
    const { schemas } = (await request(t.http).get('/api/docs-json').expect(200)).body.components;
    for (const schema of ['CreateGroupDto', 'UpdateGroupDto']) {
      expect({ schema, ...schemas[schema].properties.name }).toMatchObject({
        schema,
        type: 'string',
        minLength: 1,
        maxLength: 100,
      });
    }
  });

  it('422 for unknown word_ids, and nothing is written', async () => {
    const cat = await client.createWord({ thai: 'แมว', english: 'cat' });

    expectProblem(await client.post('/groups', { name: 'Pets', word_ids: [cat.id, 999999] }), 422);

    expect(await countRows(t, 'groups')).toBe(0);
    expect(await countRows(t, 'words_groups')).toBe(0);
    expect((await client.getWord(cat.id)).groups).toEqual([]);
    await client.post('/groups', { name: 'Pets' }).expect(201);
  });

  it.each([
    ['name missing', {}, 'name'],
    ['name empty after trimming', { name: ' \t ' }, 'name'],
    ['name null', { name: null }, 'name'],
    ['name a number', { name: 5 }, 'name'],
    ['word_ids not an array', { name: 'G', word_ids: 1 }, 'word_ids'],
    ['word_ids with a string id', { name: 'G', word_ids: ['1'] }, 'word_ids'],
    ['word_ids with a boolean', { name: 'G', word_ids: [true] }, 'word_ids'],
    ['word_ids with 0', { name: 'G', word_ids: [0] }, 'word_ids'],
    ['an unknown field', { name: 'G', description: 'x' }, 'description'],
    ['a read-only field', { name: 'G', words_count: 3 }, 'words_count'],
  ])('400 with errors[] for %s, and writes nothing', async (_case, body, field) => {
    expectInvalid(await client.post('/groups', body), field);
    expect(await countRows(t, 'groups')).toBe(0);
  });
});

describe('GET /groups', () => {
  it('an empty list has no items, total_pages 0, page 1 and 100 per page', async () => {
    expect((await client.get('/groups').expect(200)).body).toEqual(EMPTY_PAGE);
  });

  it('lists groups in the Group shape', async () => {
    const cat = await client.createWord({ thai: 'แมว', english: 'cat' });
    const pets = await client.createGroup('Pets', [cat.id]);
    expect((await client.get('/groups').expect(200)).body.items).toEqual([pets]);
  });

  it('pages like every list', async () => {
    const names = ['a', 'b', 'c'];
    for (const name of names) {
      await client.createGroup(name);
    }
    expect((await client.get('/groups?per_page=2&page=2').expect(200)).body).toEqual({
      items: [expect.objectContaining({ name: 'c' })],
      pagination: { current_page: 2, total_pages: 2, total_items: 3, items_per_page: 2 },
    });
    expect((await client.get('/groups?per_page=2&page=3').expect(200)).body.items).toEqual([]);
    expectInvalid(await client.get('/groups?page=0'), 'page');
    expectInvalid(await client.get('/groups?per_page=501'), 'per_page');
    expectInvalid(await client.get('/groups?page=abc'), 'page');
  });

  describe('sorting', () => {
    beforeEach(async () => {
      // Creation (id) order: beta, Alpha, gamma; words: beta 2, Alpha 0, gamma 1.
      const [w1, w2] = await client.createWords(['ก', 'a'], ['ข', 'b']);
      const groups = [
        await client.createGroup('beta', [w1.id, w2.id]),
        await client.createGroup('Alpha'),
        await client.createGroup('gamma', [w1.id]),
      ];
      const created = ['2026-01-01T00:00:00.000Z', '2026-03-03T00:00:00.000Z', '2026-02-02T00:00:00.000Z'];
      for (const [i, group] of groups.entries()) {
        await sql(t, 'update groups set created_at = ? where id = ?', [new Date(created[i]), group.id]);
        expect((await client.getGroup(group.id)).created_at).toBe(created[i]);
      }
    });

    it.each([
      ['name', ['Alpha', 'beta', 'gamma']],
      ['words_count', ['Alpha', 'gamma', 'beta']],
      ['created_at', ['beta', 'gamma', 'Alpha']],
      ['id', ['beta', 'Alpha', 'gamma']],
    ])('sort_by=%s, ascending by default and descending with order=desc', async (sortBy, ascending) => {
      expect(namesOf(await client.get(`/groups?sort_by=${sortBy}`).expect(200))).toEqual(ascending);
      expect(namesOf(await client.get(`/groups?sort_by=${sortBy}&order=desc`).expect(200))).toEqual(
        [...ascending].reverse(),
      );
    });

    it('sorts by name ascending by default', async () => {
      expect(namesOf(await client.get('/groups').expect(200))).toEqual(['Alpha', 'beta', 'gamma']);
      expect(namesOf(await client.get('/groups?order=desc').expect(200))).toEqual(['gamma', 'beta', 'Alpha']);
    });

    itRejectsQuery(t, '/groups', { sort_by: ['thai', 'NAME'], order: ['up'] });

    it('sorts names beyond A–Z as the OpenAPI document says each database does', async () => {
      await client.createGroup('Écrire');
      await client.createGroup('Zoo');

      expect(namesOf(await client.get('/groups').expect(200))).toEqual(
        dialect.name === 'sqlite'
          ? ['Alpha', 'beta', 'gamma', 'Zoo', 'Écrire']
          : ['Alpha', 'beta', 'Écrire', 'gamma', 'Zoo'],
      );
      const { parameters } = (await request(t.http).get('/api/docs-json').expect(200)).body.paths['/api/v1/groups'].get;
      const sortBy = parameters.find((parameter: { name: string }) => parameter.name === 'sort_by');
      expect(sortBy.description).toContain('on SQLite that of A–Z');
      expect(sortBy.description).toContain('on PostgreSQL in every script');
    });
  });

  it('breaks ties by id ascending, in both orders', async () => {
    const word = await client.createWord({ thai: 'ก', english: 'a' });
    const ids: number[] = [];
    for (const [name, words] of [
      ['e', [word.id]],
      ['d', []],
      ['c', [word.id]],
      ['b', []],
    ] as const) {
      ids.push((await client.createGroup(name, [...words])).id);
    }
    const [e, d, c, b] = ids;

    expect(await client.ids('/groups?sort_by=words_count')).toEqual([d, b, e, c]);
    expect(await client.ids('/groups?sort_by=words_count&order=desc')).toEqual([e, c, d, b]);
  });
});

describe('GET /groups/:id', () => {
  it('404 for a group that does not exist', async () => {
    expectProblem(await client.get('/groups/999999'), 404);
  });

  it('has zero stats before any session', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);

    expect(await client.getGroup(pets.id)).toEqual({ ...pets, stats: { total_word_count: 2, ...NO_STATS } });
  });

  it('computes the stats over the answers of its own study sessions only', async () => {
    const [w1, w2, w3] = await client.createWords(['หนึ่ง', 'one'], ['สอง', 'two'], ['สาม', 'three']);
    const numbers = await client.createGroup('Numbers', [w1.id, w2.id, w3.id]);
    const other = await client.createGroup('Other', [w3.id]);
    const [s1, s2, elsewhere] = [
      await insertSession(t, numbers.id),
      await insertSession(t, numbers.id),
      await insertSession(t, other.id),
    ];
    const newest = '2026-01-02T08:00:00.123Z';
    await insertAnswers(
      t,
      { wordId: w1.id, correct: true, sessionId: s1, reviewedAt: new Date('2026-01-01T10:00:00.000Z') },
      { wordId: w1.id, correct: false, sessionId: s1, reviewedAt: new Date('2026-01-01T10:05:00.000Z') },
      { wordId: w2.id, correct: true, sessionId: s2, reviewedAt: new Date(newest) },
      // Not in this group's sessions: another group's session, and an answer outside any session.
      { wordId: w3.id, correct: false, sessionId: elsewhere, reviewedAt: new Date('2026-02-01T00:00:00.000Z') },
      { wordId: w1.id, correct: false, reviewedAt: new Date('2026-03-01T00:00:00.000Z') },
    );

    expect((await client.getGroup(numbers.id)).stats).toEqual({
      total_word_count: 3,
      studied_word_count: 2,
      correct_count: 2,
      wrong_count: 1,
      success_rate: 66.7,
      last_studied_at: newest,
    });
  });

  it('keeps its stats as answers are recorded through the API and go with a deleted word', async () => {
    const words = await client.createWords(['แมว', 'cat'], ['หมา', 'dog'], ['ปลา', 'fish']);
    const animals = await client.createGroup(
      'Animals',
      words.map((word) => word.id),
    );
    const session = (await client.post('/study_sessions', { group_id: animals.id }).expect(201)).body;
    const batch = await client
      .post(`/study_sessions/${session.id}/answers`, {
        // The same word twice in one batch is one studied word.
        answers: [
          { word_id: words[0].id, correct: true },
          { word_id: words[0].id, correct: false },
          { word_id: words[1].id, correct: true },
        ],
      })
      .expect(201);
    const newest = await client
      .post(`/study_sessions/${session.id}/words/${words[2].id}/review`, { correct: false })
      .expect(201);
    expect((await client.getGroup(animals.id)).stats).toEqual({
      total_word_count: 3,
      studied_word_count: 3,
      correct_count: 2,
      wrong_count: 2,
      success_rate: 50,
      last_studied_at: newest.body.created_at,
    });

    // The group's newest answer goes with its word: the group was last studied at the newest one left.
    await client.delete(`/words/${words[2].id}?force=true`).expect(204);
    expect((await client.getGroup(animals.id)).stats).toEqual({
      total_word_count: 2,
      studied_word_count: 2,
      correct_count: 2,
      wrong_count: 1,
      success_rate: 66.7,
      last_studied_at: batch.body.answers[2].created_at,
    });
    await client.delete(`/words/${words[0].id}?force=true`).expect(204);
    expect((await client.getGroup(animals.id)).stats).toEqual({
      total_word_count: 1,
      studied_word_count: 1,
      correct_count: 1,
      wrong_count: 0,
      success_rate: 100,
      last_studied_at: batch.body.answers[2].created_at,
    });
  });
});

describe('GET /groups/:id/words', () => {
  it('pages the words of the group, with the sort_by, order and q of GET /words', async () => {
    const [cat, dog, fish] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog'], ['ปลา', 'fish']);
    const pets = await client.createGroup('Pets', [cat.id, fish.id]);
    await client.createGroup('Others', [dog.id]);

    const response = await client.get(`/groups/${pets.id}/words`).expect(200);
    expect(response.body.items.map((word: WordBody) => word.id)).toEqual([fish.id, cat.id]);
    // A Word, without the detail fields of GET /words/:id.
    expect(response.body.items[1]).toEqual({ ...cat, groups: undefined, last_reviewed_at: undefined });
    expect(response.body.items[1]).not.toHaveProperty('groups');
    expect(response.body.items[1]).not.toHaveProperty('last_reviewed_at');
    expect(response.body.pagination).toEqual({ current_page: 1, total_pages: 1, total_items: 2, items_per_page: 100 });

    expect(await client.ids(`/groups/${pets.id}/words?sort_by=english&order=desc`)).toEqual([fish.id, cat.id]);
    expect(await client.ids(`/groups/${pets.id}/words?sort_by=id`)).toEqual([cat.id, fish.id]);
    expect(await client.ids(`/groups/${pets.id}/words?q=CA`)).toEqual([cat.id]);
    expect(await client.ids(`/groups/${pets.id}/words?q=dog`)).toEqual([]);
    expect((await client.get(`/groups/${pets.id}/words?per_page=1&page=3`).expect(200)).body).toEqual({
      items: [],
      pagination: { current_page: 3, total_pages: 2, total_items: 2, items_per_page: 1 },
    });
  });

  it('400 for a bad query, 404 for a group that does not exist', async () => {
    const pets = await client.createGroup('Pets');
    expect((await client.get(`/groups/${pets.id}/words`).expect(200)).body.items).toEqual([]);
    expectInvalid(await client.get(`/groups/${pets.id}/words?sort_by=name`), 'sort_by');
    expectInvalid(await client.get(`/groups/${pets.id}/words?per_page=501`), 'per_page');
    expectProblem(await client.get('/groups/999999/words'), 404);
  });
});

describe('GET /groups/:id/words/raw', () => {
  it('answers every word of the group, unpaginated, with id, thai, english and parts only', async () => {
    const parts = { romanization: 'maeo' };
    const cat = await client.createWord({ thai: 'แมว', english: 'cat', parts });
    const others = [];
    for (let i = 0; i < 101; i++) {
      others.push(await client.createWord({ thai: `คำ${i}`, english: `word ${i}` }));
    }
    const big = await client.createGroup('Big', [cat.id, ...others.map((word) => word.id)]);

    const response = await client.get(`/groups/${big.id}/words/raw`).expect(200);

    expect(response.body).toEqual({ group_id: big.id, group_name: 'Big', words: expect.any(Array) });
    expect(response.body.words).toHaveLength(102);
    expect(response.body.words).toContainEqual({ id: cat.id, thai: 'แมว', english: 'cat', parts });
    for (const word of response.body.words) {
      expect(Object.keys(word).sort()).toEqual(['english', 'id', 'parts', 'thai']);
    }
  });

  it('answers the words in id order, whatever order they were written and joined the group in', async () => {
    const [first, second, third] = await client.createWords(['หนึ่ง', 'one'], ['สอง', 'two'], ['สาม', 'three']);
    // An update writes a row anew: on PostgreSQL a table read from start to end then finds it last.
    await client.patch(`/words/${first.id}`, { english: 'One' }).expect(200);
    const group = await client.createGroup('Numbers', [third.id, first.id]);
    await client.post(`/groups/${group.id}/words`, { word_ids: [second.id] }).expect(200);

    const { words } = (await client.get(`/groups/${group.id}/words/raw`).expect(200)).body;
    expect(words.map((word: { id: number }) => word.id)).toEqual([first.id, second.id, third.id]);
  });

  it('answers an empty group with no words, and 404 for a group that does not exist', async () => {
    const empty = await client.createGroup('ว่าง');
    expect((await client.get(`/groups/${empty.id}/words/raw`).expect(200)).body).toEqual({
      group_id: empty.id,
      group_name: 'ว่าง',
      words: [],
    });
    expectProblem(await client.get('/groups/999999/words/raw'), 404);
  });
});

describe('PATCH /groups/:id', () => {
  it('renames the group (trimmed) and answers with it', async () => {
    const cat = await client.createWord({ thai: 'แมว', english: 'cat' });
    const pets = await client.createGroup('Pets', [cat.id]);

    const renamed = await client.patch(`/groups/${pets.id}`, { name: '  สัตว์เลี้ยง ' }).expect(200);

    expect(renamed.body).toEqual({ ...pets, name: 'สัตว์เลี้ยง' });
    expect(await client.getGroup(pets.id)).toMatchObject({ name: 'สัตว์เลี้ยง', words_count: 1 });
  });

  it("409 for another group's name (case-insensitively); a group may change its own case", async () => {
    const [pets, animals] = [await client.createGroup('Pets'), await client.createGroup('Animals')];

    const problem = expectProblem(await client.patch(`/groups/${pets.id}`, { name: 'animals' }), 409);
    expect(problem.detail).toBe(`A group named "Animals" already exists (id ${animals.id})`);
    expect((await client.getGroup(pets.id)).name).toBe('Pets');
    expect((await client.patch(`/groups/${pets.id}`, { name: 'PETS' }).expect(200)).body.name).toBe('PETS');
  });

  it('frees the old name, in any case, and takes the new one in every case', async () => {
    const pets = await client.createGroup('Pets');

    await client.patch(`/groups/${pets.id}`, { name: 'Animals' }).expect(200);

    await client.post('/groups', { name: 'pets' }).expect(201);
    expectProblem(await client.post('/groups', { name: 'ANIMALS' }), 409);
  });

  it.each([
    ['name missing', {}, 'name'],
    ['name empty after trimming', { name: '   ' }, 'name'],
    ['name a number', { name: 1 }, 'name'],
    ['word_ids (membership has its own endpoints)', { name: 'X', word_ids: [1] }, 'word_ids'],
  ])('400 with errors[] for %s, and the group is unchanged', async (_case, body, field) => {
    const pets = await client.createGroup('Pets');
    expectInvalid(await client.patch(`/groups/${pets.id}`, body), field);
    expect((await client.getGroup(pets.id)).name).toBe('Pets');
  });

  it('404 for a group that does not exist', async () => {
    expectProblem(await client.patch('/groups/999999', { name: 'X' }), 404);
  });
});

describe('DELETE /groups/:id', () => {
  it('204 without a body; memberships go, words stay', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);
    const cats = await client.createGroup('Cats', [cat.id]);

    const response = await client.delete(`/groups/${pets.id}`).expect(204);

    expect(response.text).toBe('');
    expectProblem(await client.get(`/groups/${pets.id}`), 404);
    expectProblem(await client.delete(`/groups/${pets.id}`), 404);
    expect((await client.getWord(cat.id)).groups).toEqual([{ id: cats.id, name: 'Cats', words_count: 1 }]);
    expect((await client.getWord(dog.id)).groups).toEqual([]);
    expect(await countRows(t, 'words_groups', 'group_id = ?', [pets.id])).toBe(0);
    expect(await countRows(t, 'words')).toBe(2);
  });

  it('409 for a group with study sessions unless force=true, which deletes them with their answers', async () => {
    const [cat, dog, fish] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog'], ['ปลา', 'fish']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);
    const other = await client.createGroup('Other', [cat.id, fish.id]);
    const petsSession = await insertSession(t, pets.id);
    const otherSession = await insertSession(t, other.id);
    await insertAnswers(
      t,
      { wordId: cat.id, correct: true, sessionId: petsSession },
      { wordId: cat.id, correct: false, sessionId: petsSession },
      { wordId: dog.id, correct: true, sessionId: petsSession },
      { wordId: cat.id, correct: true, sessionId: otherSession },
      { wordId: fish.id, correct: false, sessionId: otherSession },
      { wordId: dog.id, correct: false },
    );
    const otherStats = (await client.getGroup(other.id)).stats;

    expectProblem(await client.delete(`/groups/${pets.id}`), 409);
    expectProblem(await client.delete(`/groups/${pets.id}?force=false`), 409);
    expect(await countRows(t, 'study_sessions')).toBe(2);
    expect(await countRows(t, 'words_review_items')).toBe(6);
    expect((await client.getGroup(pets.id)).stats).toMatchObject({ correct_count: 2, wrong_count: 1 });

    await client.delete(`/groups/${pets.id}?force=true`).expect(204);

    expectProblem(await client.get(`/groups/${pets.id}`), 404);
    expect(await sql(t, 'select id from study_sessions')).toEqual([{ id: otherSession }]);
    expect(await countRows(t, 'words_review_items', 'study_session_id = ?', [petsSession])).toBe(0);
    expect(await countRows(t, 'study_activities', 'session_id = ?', [petsSession])).toBe(0);
    expect(await countRows(t, 'words_review_items')).toBe(3);
    expect(await countRows(t, 'study_activities')).toBe(2);
    expect(await client.getWord(cat.id)).toMatchObject({ correct_count: 1, wrong_count: 0 });
    expect(await client.getWord(dog.id)).toMatchObject({ correct_count: 0, wrong_count: 1 });
    expect(await client.getWord(fish.id)).toMatchObject({ correct_count: 0, wrong_count: 1 });
    await expectStoredFiguresMatchLog(t);
    expect(await client.getGroup(other.id)).toMatchObject({ words_count: 2, stats: otherStats });
  });
});

describe('POST /groups/:id/words', () => {
  it('adds members (already-present and repeated ids are fine) and answers 200 with the group', async () => {
    const [cat, dog, fish] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog'], ['ปลา', 'fish']);
    const pets = await client.createGroup('Pets', [cat.id]);

    const response = await client.post(`/groups/${pets.id}/words`, { word_ids: [cat.id, dog.id, fish.id, dog.id] });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...pets, words_count: 3 });
    expect(await countRows(t, 'words_groups', 'group_id = ?', [pets.id])).toBe(3);
    expect((await client.getWord(fish.id)).groups).toEqual([{ id: pets.id, name: 'Pets', words_count: 3 }]);

    const again = await client.post(`/groups/${pets.id}/words`, { word_ids: [fish.id, cat.id] }).expect(200);
    expect(again.body.words_count).toBe(3);
    expect(await countRows(t, 'words_groups', 'group_id = ?', [pets.id])).toBe(3);
  });

  it('422 for unknown word ids, and none of the ids is added', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id]);

    const unknown = [Number.MAX_SAFE_INTEGER, 999999, 2 ** 31, 999998];
    const problem = expectProblem(
      await client.post(`/groups/${pets.id}/words`, { word_ids: [dog.id, ...unknown, 999999] }),
      422,
    );
    // Each named once, in order, whether the database could store it (PostgreSQL's ids end at 2^31 - 1) or not.
    expect(problem.detail).toBe(
      `word_ids refers to ids that do not exist: 999998, 999999, ${2 ** 31}, ${Number.MAX_SAFE_INTEGER}`,
    );

    expect((await client.getGroup(pets.id)).words_count).toBe(1);
    expect(await countRows(t, 'words_groups')).toBe(1);
    expect((await client.getWord(dog.id)).groups).toEqual([]);
  });

  it.each([
    ['word_ids missing', {}, 'word_ids'],
    ['word_ids not an array', { word_ids: 1 }, 'word_ids'],
    ['word_ids with a string id', { word_ids: ['1'] }, 'word_ids'],
    ['word_ids with -1', { word_ids: [-1] }, 'word_ids'],
    ['an unknown field', { word_ids: [], name: 'x' }, 'name'],
  ])('400 with errors[] for %s', async (_case, body, field) => {
    const pets = await client.createGroup('Pets');
    expectInvalid(await client.post(`/groups/${pets.id}/words`, body), field);
  });

  it('404 for a group that does not exist', async () => {
    const cat = await client.createWord({ thai: 'แมว', english: 'cat' });
    expectProblem(await client.post('/groups/999999/words', { word_ids: [cat.id] }), 404);
    expect(await countRows(t, 'words_groups')).toBe(0);
  });

  it('a group deleted after it was found: 409 (or 404), or the delete waits and the request answers as written', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id]);
    // The delete is sent once the request has found the group, and finishes (or waits for the request).
    const findGroup = GroupsService.prototype.findGroup;
    let deleted: Promise<request.Response> | undefined;
    jest.spyOn(GroupsService.prototype, 'findGroup').mockImplementation(async function (this: GroupsService, id) {
      const found = await findGroup.call(this, id);
      deleted ??= Promise.resolve(client.delete(`/groups/${pets.id}?force=true`));
      await Promise.race([deleted, new Promise((resolve) => setTimeout(resolve, 500))]);
      return found;
    });
    let added: request.Response;
    try {
      added = await client.post(`/groups/${pets.id}/words`, { word_ids: [dog.id] });
    } finally {
      jest.restoreAllMocks();
    }
    expect((await deleted!).status).toBe(204);
    if (added.status === 200) {
      // The delete waited for the request (SQLite's one writer): the members written, then deleted with the group.
      expect(added.body).toMatchObject({ id: pets.id, words_count: 2 });
    } else {
      expect([404, 409]).toContain(expectProblem(added, added.status).status);
    }
    expect(await countRows(t, 'words_groups')).toBe(0);
  });
});

describe('DELETE /groups/:id/words/:word_id', () => {
  it('204: the word leaves the group and stays a word', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);

    const response = await client.delete(`/groups/${pets.id}/words/${cat.id}`).expect(204);

    expect(response.text).toBe('');
    expect((await client.getGroup(pets.id)).words_count).toBe(1);
    expect(await client.ids(`/groups/${pets.id}/words`)).toEqual([dog.id]);
    expect((await client.getWord(cat.id)).groups).toEqual([]);
    expectProblem(await client.delete(`/groups/${pets.id}/words/${cat.id}`), 404);
  });

  it('404 for a word that is not a member, a word that does not exist, or a group that does not exist', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id]);
    await client.createGroup('Dogs', [dog.id]);

    expectProblem(await client.delete(`/groups/${pets.id}/words/${dog.id}`), 404);
    expectProblem(await client.delete(`/groups/${pets.id}/words/999999`), 404);
    expectProblem(await client.delete(`/groups/999999/words/${cat.id}`), 404);
    expect(await wordsCounts()).toEqual({ Pets: 1, Dogs: 1 });
  });

  it('waits for a delete of the group that has locked it, then answers 404', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);
    // The removal is sent once the delete holds the group, which then goes on (or waits for the removal).
    const findGroup = GroupsService.prototype.findGroup;
    let removed: Promise<request.Response> | undefined;
    jest.spyOn(GroupsService.prototype, 'findGroup').mockImplementation(async function (this: GroupsService, id) {
      if (!removed) {
        removed = Promise.resolve(client.delete(`/groups/${pets.id}/words/${cat.id}`));
        await Promise.race([removed, new Promise((resolve) => setTimeout(resolve, 500))]);
      }
      return findGroup.call(this, id);
    });
    let deleted: request.Response;
    try {
      deleted = await client.delete(`/groups/${pets.id}`);
    } finally {
      jest.restoreAllMocks();
    }
    expect(deleted.status).toBe(204);
    expectProblem(await removed!, 404);
    expect(await countRows(t, 'words_groups')).toBe(0);
    expect(await countRows(t, 'words')).toBe(2);
  });
});

it('keeps words_count equal to the membership through every change', async () => {
  const [a, b, c, d] = await client.createWords(['ก', 'a'], ['ข', 'b'], ['ค', 'c'], ['ง', 'd']);
  const g1 = await client.createGroup('G1', [a.id, b.id]);
  const g2 = await client.createGroup('G2');
  await client.createWord({ thai: 'จ', english: 'e', group_ids: [g1.id, g2.id] });
  expect(await wordsCounts()).toEqual({ G1: 3, G2: 1 });

  await client.post(`/groups/${g2.id}/words`, { word_ids: [a.id, a.id, c.id, d.id] }).expect(200);
  await client.post(`/groups/${g1.id}/words`, { word_ids: [a.id, b.id] }).expect(200);
  expect(await wordsCounts()).toEqual({ G1: 3, G2: 4 });

  await client.delete(`/groups/${g2.id}/words/${c.id}`).expect(204);
  expect(await wordsCounts()).toEqual({ G1: 3, G2: 3 });

  await client.delete(`/words/${a.id}`).expect(204);
  expect(await wordsCounts()).toEqual({ G1: 2, G2: 2 });

  await client.delete(`/groups/${g1.id}`).expect(204);
  expect(await wordsCounts()).toEqual({ G2: 2 });
  expect((await client.getWord(b.id)).groups).toEqual([]);
  expect((await client.getWord(d.id)).groups).toEqual([{ id: g2.id, name: 'G2', words_count: 2 }]);
});

it('keeps words_count exact under concurrent membership changes', async () => {
  const group = await client.createGroup('Busy');
  const words = [];
  for (let i = 0; i < 12; i++) {
    words.push(await client.createWord({ thai: `คำ${i}`, english: `word ${i}` }));
  }

  const added = await Promise.all(
    words.map((word) => client.post(`/groups/${group.id}/words`, { word_ids: [word.id] })),
  );
  const created = await Promise.all(
    words.map((_, i) => client.post('/words', { thai: `ใหม่${i}`, english: 'new', group_ids: [group.id] })),
  );
  expect([...added, ...created].map((response) => response.status)).toEqual([
    ...words.map(() => 200),
    ...words.map(() => 201),
  ]);
  expect(await wordsCounts()).toEqual({ Busy: 24 });

  const removed = await Promise.all(words.map((word) => client.delete(`/groups/${group.id}/words/${word.id}`)));
  expect(removed.map((response) => response.status)).toEqual(words.map(() => 204));
  expect(await wordsCounts()).toEqual({ Busy: 12 });
});

it('removes a word from a group and deletes another of its groups while the word is deleted, answers going on', async () => {
  for (let round = 0; round < 30; round++) {
    const [word, other] = await client.createWords([`คำ${round}`, `word ${round}`], [`อื่น${round}`, `other ${round}`]);
    const left = await client.createGroup(`Left ${round}`, [word.id]);
    const deleted = await client.createGroup(`Deleted ${round}`, [word.id]);
    const studied = await client.createGroup(`Studied ${round}`, [word.id, other.id]);
    const session = (await client.post('/study_sessions', { group_id: studied.id }).expect(201)).body.id;
    // Every other round the word has answers, which a forced delete takes with it.
    const force = round % 2 === 1;
    if (force) {
      await client.post(`/study_sessions/${session}/words/${word.id}/review`, { correct: true }).expect(201);
    }

    const responses = await Promise.all([
      client.delete(`/groups/${left.id}/words/${word.id}`),
      client.delete(`/groups/${deleted.id}`),
      client.delete(`/words/${word.id}${force ? '?force=true' : ''}`),
      client.post(`/study_sessions/${session}/words/${other.id}/review`, { correct: false }),
    ]);

    // The removal comes before the word's delete (204) or after it (404).
    expect(responses.map((response) => response.status)).toEqual([expect.any(Number), 204, 204, 201]);
    expect([204, 404]).toContain(responses[0].status);
  }
  const counts = Object.entries(await wordsCounts()).map(([name, count]) => `${name.split(' ')[0]}: ${count}`);
  expect(new Set(counts)).toEqual(new Set(['Left: 0', 'Studied: 1']));
  await expectStoredFiguresMatchLog(t);
});

it('answers 200 to concurrent requests that add the same word to a group, which joins it once', async () => {
  const group = await client.createGroup('Busy');
  for (let round = 0; round < 3; round++) {
    const word = await client.createWord({ thai: `คำ${round}`, english: `word ${round}` });

    const added = await Promise.all(
      Array.from({ length: 8 }, () => client.post(`/groups/${group.id}/words`, { word_ids: [word.id] })),
    );

    expect(added.map((response) => response.status)).toEqual(added.map(() => 200));
    expect(await countRows(t, 'words_groups', 'word_id = ?', [word.id])).toBe(1);
  }
  expect(await wordsCounts()).toEqual({ Busy: 3 });
});

describe('GET /groups/:id/study_sessions', () => {
  it('pages the sessions of the group, newest first (ties by id descending)', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);
    const other = await client.createGroup('Other', [cat.id]);
    const [oldest, tiedFirst, tiedSecond] = [
      await insertSession(t, pets.id),
      await insertSession(t, pets.id),
      await insertSession(t, pets.id),
    ];
    await insertSession(t, other.id);
    const start = (id: number, at: string) =>
      sql(t, 'update study_sessions set created_at = ? where id = ?', [new Date(at), id]);
    await start(oldest, '2026-01-01T00:00:00.000Z');
    await start(tiedFirst, '2026-02-01T00:00:00.000Z');
    await start(tiedSecond, '2026-02-01T00:00:00.000Z');
    const answeredAt = '2026-02-01T00:10:00.000Z';
    await insertAnswers(
      t,
      { wordId: cat.id, correct: true, sessionId: tiedFirst, reviewedAt: new Date('2026-02-01T00:05:00.000Z') },
      { wordId: dog.id, correct: false, sessionId: tiedFirst, reviewedAt: new Date(answeredAt) },
    );

    const response = await client.get(`/groups/${pets.id}/study_sessions`).expect(200);

    expect(response.body.items.map((session: { id: number }) => session.id)).toEqual([tiedSecond, tiedFirst, oldest]);
    expect(response.body.pagination).toEqual({ current_page: 1, total_pages: 1, total_items: 3, items_per_page: 100 });
    expect(response.body.items[1]).toEqual({
      id: tiedFirst,
      group_id: pets.id,
      group_name: 'Pets',
      learning_app_id: null,
      learning_app_name: null,
      start_time: '2026-02-01T00:00:00.000Z',
      end_time: answeredAt,
      review_items_count: 2,
      correct_count: 1,
      wrong_count: 1,
    });
    expect(response.body.items[0]).toMatchObject({ end_time: null, review_items_count: 0 });
    expect(await client.ids(`/groups/${pets.id}/study_sessions?per_page=2&page=2`)).toEqual([oldest]);
  });

  it('an empty page for a group without sessions, 404 for a group that does not exist', async () => {
    const empty = await client.createGroup('Empty');
    expect((await client.get(`/groups/${empty.id}/study_sessions`).expect(200)).body).toEqual(EMPTY_PAGE);
    expectInvalid(await client.get(`/groups/${empty.id}/study_sessions?page=0`), 'page');
    expectProblem(await client.get('/groups/999999/study_sessions'), 404);
  });
});

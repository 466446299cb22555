import request from 'supertest';
import { dialect } from '../../src/database/dialect.js';
import {
  api,
  countRows,
  EMPTY_PAGE,
  expectInvalid,
  expectProblem,
  insertAnswers,
  insertSession,
  ISO_MS,
  itRejectsQuery,
  planOf,
  queriesDuring,
  sql,
  statementsDuring,
  updateWordRow,
  type WordBody,
} from '../api.js';
import { useEmptyTestApp } from '../app.js';

const t = useEmptyTestApp();
const client = api(t);

const wordShape = (word: Partial<WordBody>) => ({
  id: expect.any(Number),
  parts: {},
  correct_count: 0,
  wrong_count: 0,
  created_at: expect.stringMatching(ISO_MS),
  updated_at: expect.stringMatching(ISO_MS),
  ...word,
});

const englishOf = (response: request.Response) => response.body.items.map((item: WordBody) => item.english);

describe('POST /words', () => {
  it('answers 201 with the word, snake_case keys, ISO timestamps and a Location header', async () => {
    const parts = { romanization: 'sawatdi', part_of_speech: 'interjection' };
    const before = Date.now();
    const response = await client.post('/words', { thai: 'สวัสดี', english: 'hello', parts }).expect(201);

    expect(response.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
    expect(response.body).toEqual({
      ...wordShape({ thai: 'สวัสดี', english: 'hello', parts }),
      groups: [],
      last_reviewed_at: null,
    });
    // A new word was last changed when it was created.
    for (const instant of [response.body.created_at, response.body.updated_at]) {
      expect(Date.parse(instant)).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(instant)).toBeLessThanOrEqual(Date.now());
    }
    expect(await client.followLocation(response, '/words')).toEqual(response.body);
  });

  it('defaults parts to {} and stores a nested parts object unchanged', async () => {
    expect((await client.createWord({ thai: 'แมว', english: 'cat' })).parts).toEqual({});

    const parts = {
      romanization: 'nam',
      part_of_speech: 'noun',
      syllables: 1,
      tones: ['high'],
      example: { thai: 'ดื่มน้ำ', english: 'drink water' },
      irregular: false,
      note: null,
    };
    const word = await client.createWord({ thai: 'น้ำ', english: 'water', parts });
    expect(word.parts).toEqual(parts);
    expect((await client.getWord(word.id)).parts).toEqual(parts);
  });

  it('keeps parts keys named like Object.prototype members', async () => {
    const body =
      '{"thai":"ไฟ","english":"fire","parts":{"constructor":"x","nested":{"toString":"y","__proto__":{"a":1}}}}';
    const created = await client.post('/words').set('Content-Type', 'application/json').send(body).expect(201);
    const expected = JSON.parse(body).parts;
    expect(created.body.parts).toEqual(expected);
    expect((await client.getWord(created.body.id)).parts).toEqual(expected);
  });

  it('trims the romanization, which is searched and sorted, and takes 200 characters of it, astral ones too', async () => {
    // Random letters: PostgreSQL's index would compress a repeated one into a few bytes.
    const random = Array.from({ length: 200 }, (_, i) => String.fromCodePoint(0x1f600 + ((i * 37) % 80))).join('');
    const word = await client.createWord({ thai: 'ไก่', english: 'chicken', parts: { romanization: ` ${random}\n` } });
    expect(word.parts).toEqual({ romanization: random });
    const patched = await client
      .patch(`/words/${word.id}`, { parts: { romanization: '  kai ', note: ' x ' } })
      .expect(200);
    expect(patched.body.parts).toEqual({ romanization: 'kai', note: ' x ' });
    expectInvalid(
      await client.patch(`/words/${word.id}`, { parts: { romanization: `${random}k` } }),
      'parts.romanization',
    );
    expect((await client.getWord(word.id)).parts).toEqual({ romanization: 'kai', note: ' x ' });
  });

  it('trims part_of_speech, as a CSV cell of it is, and takes it of any length', async () => {
    const long = `${'x'.repeat(300)} noun`;
    const word = await client.createWord({ thai: 'ไก่', english: 'chicken', parts: { part_of_speech: '  noun\t' } });
    expect(word.parts).toEqual({ part_of_speech: 'noun' });
    const patched = await client.patch(`/words/${word.id}`, { parts: { part_of_speech: ` ${long} ` } }).expect(200);
    expect(patched.body.parts).toEqual({ part_of_speech: long });
  });

  it('takes a null romanization as none, and the OpenAPI document allows it where a word is answered', async () => {
    const none = await client.createWord({ thai: 'ไก่', english: 'chicken', parts: { romanization: null } });
    const kai = await client.createWord({ thai: 'ไข่', english: 'egg', parts: { romanization: 'khai' } });
    expect((await client.getWord(none.id)).parts).toEqual({ romanization: null });
    expect(await client.ids('/words?sort_by=romanization&order=desc')).toEqual([kai.id, none.id]);

    const document = (await request(t.http).get('/api/docs-json').expect(200)).body;
    for (const schema of ['WordDto', 'WordDetailDto', 'CreateWordDto']) {
      expect({
        schema,
        romanization: document.components.schemas[schema].properties.parts.properties.romanization,
      }).toEqual({
        schema,
        romanization: expect.objectContaining({ type: 'string', nullable: true }),
      });
    }
  });

  it('stores a romanization empty once trimmed as none (null), which sorts last in either order', async () => {
    const blank = await client.createWord({ thai: 'ไก่', english: 'chicken', parts: { romanization: ' \t ' } });
    const empty = await client.createWord({ thai: 'ไข่', english: 'egg', parts: { romanization: 'khai' } });
    await client.patch(`/words/${empty.id}`, { parts: { romanization: '' } }).expect(200);
    const kai = await client.createWord({
      thai: 'ไก่ย่าง',
      english: 'grilled chicken',
      parts: { romanization: 'kai yang' },
    });

    expect((await client.getWord(blank.id)).parts).toEqual({ romanization: null });
    expect((await client.getWord(empty.id)).parts).toEqual({ romanization: null });
    for (const order of ['asc', 'desc']) {
      expect(await client.ids(`/words?sort_by=romanization&order=${order}`)).toEqual([kai.id, blank.id, empty.id]);
    }
  });

  it.each(['น้ำ', 'ครับ', 'ไม่เป็นไร', 'กิ๊ก', 'สวัสดี 🙏'])('round-trips Thai text %s unchanged', async (thai) => {
    const word = await client.createWord({ thai, english: 'text' });
    expect(word.thai).toBe(thai);
    expect((await client.getWord(word.id)).thai).toBe(thai);
    const [row] = await sql<{ thai: string }>(t, 'select thai from words where id = ?', [word.id]);
    expect([...row.thai].map((c) => c.codePointAt(0))).toEqual([...thai].map((c) => c.codePointAt(0)));
  });

  it('names a romanization that fails as parts.romanization, its message without the name', async () => {
    const response = await client.post('/words', { thai: 'ก', english: 'x', parts: { romanization: 7 } });
    expect(expectProblem(response, 400)).toMatchObject({
      detail: 'parts.romanization must be a string',
      errors: [{ field: 'parts.romanization', message: 'must be a string' }],
    });
  });

  it.each([
    ['phonetic', { phonetic: 7 }, 'must be a string'],
    ['part_of_speech', { part_of_speech: ['noun'] }, 'must be a string'],
    ['tones', { tones: 'rising' }, 'must be an array of mid, low, falling, high, rising'],
    ['tones', { tones: ['low', 'shouted'] }, 'must be an array of mid, low, falling, high, rising'],
  ])('refuses parts.%s of another type than documented (%j), creating or updating', async (key, parts, message) => {
    const error = { field: `parts.${key}`, message };
    expect(expectProblem(await client.post('/words', { thai: 'ก', english: 'x', parts }), 400).errors).toEqual([error]);
    const word = await client.createWord({ thai: 'ข', english: 'y', parts: { tones: ['rising'] } });
    expect(expectProblem(await client.patch(`/words/${word.id}`, { parts }), 400).errors).toEqual([error]);
    expect((await client.getWord(word.id)).parts).toEqual({ tones: ['rising'] });
  });

  it('documents thai and english as the strings it takes: 1 to 200 characters', async () => {
    const { schemas } = (await request(t.http).get('/api/docs-json').expect(200)).body.components;
    for (const schema of ['CreateWordDto', 'UpdateWordDto']) {
      for (const field of ['thai', 'english']) {
        expect({ schema, field, ...schemas[schema].properties[field] }).toMatchObject({
          schema,
          field,
          type: 'string',
          minLength: 1,
          maxLength: 200,
        });
      }
    }
  });

  it('trims leading and trailing whitespace and keeps inner whitespace', async () => {
    const word = await client.createWord({ thai: '  \tครับ \n', english: '  yes  (polite) ' });
    expect(word).toMatchObject({ thai: 'ครับ', english: 'yes  (polite)' });
    expectProblem(await client.post('/words', { thai: 'ครับ', english: ' yes  (polite)' }), 409);
  });

  it.each([
    ['thai empty after trimming', { thai: ' \t\n ', english: 'x' }, 'thai'],
    ['english empty', { thai: 'ก', english: '' }, 'english'],
    ['english empty after trimming', { thai: 'ก', english: '   ' }, 'english'],
    ['thai missing', { english: 'x' }, 'thai'],
    ['english missing', { thai: 'ก' }, 'english'],
    ['thai null', { thai: null, english: 'x' }, 'thai'],
    ['thai a number', { thai: 42, english: 'x' }, 'thai'],
    ['english a boolean', { thai: 'ก', english: true }, 'english'],
    ['parts an array', { thai: 'ก', english: 'x', parts: ['a'] }, 'parts'],
    ['parts a string', { thai: 'ก', english: 'x', parts: 'noun' }, 'parts'],
    ['parts null', { thai: 'ก', english: 'x', parts: null }, 'parts'],
    ['a romanization that is a number', { thai: 'ก', english: 'x', parts: { romanization: 7 } }, 'parts.romanization'],
    [
      'a romanization of 201 characters',
      { thai: 'ก', english: 'x', parts: { romanization: 'k'.repeat(201) } },
      'parts.romanization',
    ],
    // Counted as JSON Schema's maxLength counts them, in code points: a variation selector (U+FE0F) is one.
    ['thai of 201 code points', { thai: '❤\uFE0F'.repeat(100) + 'ก', english: 'x' }, 'thai'],
    [
      'english of 201 code points, the last of the BMP (U+FFFF)',
      { thai: 'ก', english: '\uFFFF'.repeat(201) },
      'english',
    ],
    [
      'a romanization of 201 code points',
      { thai: 'ก', english: 'x', parts: { romanization: '❤\uFE0F'.repeat(100) + 'k' } },
      'parts.romanization',
    ],
    ['group_ids not an array', { thai: 'ก', english: 'x', group_ids: 1 }, 'group_ids'],
    ['group_ids with a string id', { thai: 'ก', english: 'x', group_ids: ['1'] }, 'group_ids'],
    ['group_ids with a boolean', { thai: 'ก', english: 'x', group_ids: [true] }, 'group_ids'],
    ['group_ids with 0', { thai: 'ก', english: 'x', group_ids: [0] }, 'group_ids'],
    ['group_ids with 1.5', { thai: 'ก', english: 'x', group_ids: [1.5] }, 'group_ids'],
    [
      'group_ids of 1,001 ids',
      { thai: 'ก', english: 'x', group_ids: Array.from({ length: 1001 }, () => 1) },
      'group_ids',
    ],
    ['an unknown field', { thai: 'ก', english: 'x', romanization: 'ko' }, 'romanization'],
    ['a read-only field', { thai: 'ก', english: 'x', correct_count: 3 }, 'correct_count'],
  ])('400 with errors[] for %s, and writes nothing', async (_case, body, field) => {
    expectInvalid(await client.post('/words', body), field);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('409 for the same thai+english pair: thai compared exactly, english case-insensitively', async () => {
    const horse = await client.createWord({ thai: 'ม้า', english: 'horse' });

    expectProblem(await client.post('/words', { thai: 'ม้า', english: 'horse' }), 409);
    const problem = expectProblem(await client.post('/words', { thai: 'ม้า', english: 'HORSE' }), 409);
    expect(problem.detail).toBe(`A word "ม้า" / "HORSE" already exists (id ${horse.id})`);
    expectProblem(await client.post('/words', { thai: ' ม้า ', english: 'Horse ' }), 409);
    await client.post('/words', { thai: 'มา', english: 'horse' }).expect(201);
    await client.post('/words', { thai: 'ม้า', english: 'horses' }).expect(201);
    expect(await countRows(t, 'words')).toBe(3);
  });

  it('409 for an english that differs only in the case of non-ASCII letters', async () => {
    const coffee = await client.createWord({ thai: 'กาแฟ', english: 'Café' });

    const problem = expectProblem(await client.post('/words', { thai: 'กาแฟ', english: 'CAFÉ' }), 409);
    expect(problem.detail).toBe(`A word "กาแฟ" / "CAFÉ" already exists (id ${coffee.id})`);
    expect(await countRows(t, 'words')).toBe(1);
  });

  it('409 for an english that differs only in the case of a letter cased since Unicode 16, on every database', async () => {
    await client.createWord({ thai: 'ก', english: 'Ɤ' });

    expectProblem(await client.post('/words', { thai: 'ก', english: 'ɤ' }), 409);
    expect(await countRows(t, 'words')).toBe(1);
  });

  it('409 for an english with a final sigma for a sigma, or in another Unicode normal form', async () => {
    await client.createWord({ thai: 'ถนน', english: 'ΟΔΟΣ' });
    await client.createWord({ thai: 'โรงเรียน', english: 'école' });

    expectProblem(await client.post('/words', { thai: 'ถนน', english: 'οδοσ' }), 409);
    expectProblem(await client.post('/words', { thai: 'โรงเรียน', english: 'E\u0301COLE' }), 409);
    expect(await countRows(t, 'words')).toBe(2);
  });

  it('201 for an english that differs from another in more than case (full-width letters, a ligature)', async () => {
    await client.createWord({ thai: 'แมว', english: 'Cat' });
    await client.createWord({ thai: 'ไฟล์', english: 'file' });

    await client.post('/words', { thai: 'แมว', english: 'ｃａｔ' }).expect(201);
    await client.post('/words', { thai: 'ไฟล์', english: 'ﬁle' }).expect(201);
    expect(await countRows(t, 'words')).toBe(4);
  });

  it('joins the groups in group_ids (duplicates counted once) and shows them with their words_count', async () => {
    const animals = await client.createGroup('Animals');
    const basics = await client.createGroup('basics');

    const word = await client.createWord({
      thai: 'แมว',
      english: 'cat',
      // 1,000 ids, the most a request takes.
      group_ids: [animals.id, basics.id, ...Array.from({ length: 998 }, () => animals.id)],
    });

    expect(word.groups).toHaveLength(2);
    expect(word.groups).toEqual(
      expect.arrayContaining([
        { id: animals.id, name: 'Animals', words_count: 1 },
        { id: basics.id, name: 'basics', words_count: 1 },
      ]),
    );
    expect((await client.getGroup(animals.id)).words_count).toBe(1);
  });

  it('422 for unknown group_ids, and nothing is written', async () => {
    const animals = await client.createGroup('Animals');

    const response = await client.post('/words', {
      thai: 'แมว',
      english: 'cat',
      group_ids: [999999, animals.id, 999998, 999999],
    });

    expect(expectProblem(response, 422).detail).toBe('group_ids refers to ids that do not exist: 999999, 999998');
    expect(await countRows(t, 'words')).toBe(0);
    expect(await countRows(t, 'words_groups')).toBe(0);
    expect((await client.getGroup(animals.id)).words_count).toBe(0);
    expect((await client.get('/words').expect(200)).body.pagination.total_items).toBe(0);
    await client.post('/words', { thai: 'แมว', english: 'cat' }).expect(201);
  });
});

describe('GET /words/:id', () => {
  it('404 problem for a word that does not exist', async () => {
    expectProblem(await client.get('/words/999999'), 404);
  });

  it('names groups whose names sort alike in id order (PostgreSQL’s collation equates full-width letters and ASCII)', async () => {
    const [cat] = await client.createWords(['แมว', 'cat']);
    const ascii = await client.createGroup('cat', [cat.id]);
    const wide = await client.createGroup('ｃａｔ', [cat.id]);

    expect((await client.getWord(cat.id)).groups.map((group: { id: number }) => group.id)).toEqual([ascii.id, wide.id]);
  });

  it('shows the groups (by name, ignoring case) with their words_count and last_reviewed_at (null until reviewed)', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);
    const cute = await client.createGroup('cute', [cat.id]);

    const detail = await client.getWord(cat.id);
    expect(detail).toEqual({
      ...wordShape({ id: cat.id, thai: 'แมว', english: 'cat' }),
      groups: [
        { id: cute.id, name: 'cute', words_count: 1 },
        { id: pets.id, name: 'Pets', words_count: 2 },
      ],
      last_reviewed_at: null,
    });

    const newest = new Date('2026-01-02T03:04:05.678Z');
    await insertAnswers(
      t,
      { wordId: cat.id, correct: true, reviewedAt: new Date('2026-01-01T00:00:00.000Z') },
      { wordId: cat.id, correct: false, sessionId: await insertSession(t, cute.id), reviewedAt: newest },
      { wordId: dog.id, correct: true, reviewedAt: new Date('2026-02-01T00:00:00.000Z') },
    );
    expect(await client.getWord(cat.id)).toMatchObject({
      correct_count: 1,
      wrong_count: 1,
      last_reviewed_at: newest.toISOString(),
    });

    // The newest answer goes with its group's session: the word was last reviewed at the one left.
    await client.delete(`/groups/${cute.id}?force=true`).expect(204);
    expect(await client.getWord(cat.id)).toMatchObject({
      correct_count: 1,
      wrong_count: 0,
      last_reviewed_at: '2026-01-01T00:00:00.000Z',
    });
  });
});

describe('PATCH /words/:id', () => {
  it('updates only the fields given and answers with the word', async () => {
    const word = await client.createWord({ thai: 'แมว', english: 'cat', parts: { romanization: 'maeo' } });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const renamed = (await client.patch(`/words/${word.id}`, { english: ' kitty ' }).expect(200)).body;
    expect(renamed).toEqual({
      ...word,
      english: 'kitty',
      updated_at: expect.stringMatching(ISO_MS),
    });
    expect(Date.parse(renamed.updated_at)).toBeGreaterThan(Date.parse(word.updated_at));
    expect(await client.getWord(word.id)).toEqual(renamed);

    // parts is replaced as a whole: a key that is not sent again is gone.
    const parts = { tones: ['mid'] };
    const withParts = (await client.patch(`/words/${word.id}`, { parts }).expect(200)).body;
    expect(withParts).toMatchObject({ thai: 'แมว', english: 'kitty' });
    expect(withParts.parts).toEqual(parts);
    expect((await client.patch(`/words/${word.id}`, { thai: 'เหมียว' }).expect(200)).body).toMatchObject({
      thai: 'เหมียว',
      english: 'kitty',
      parts,
      created_at: word.created_at,
    });
    // An empty object is parts too.
    expect((await client.patch(`/words/${word.id}`, { parts: {} }).expect(200)).body.parts).toEqual({});
  });

  it('answers with the word’s last review, as a read of it does', async () => {
    const [word] = await client.createWords(['แมว', 'cat']);
    const reviewedAt = new Date('2026-11-20T09:15:00.000Z');
    await insertAnswers(t, { wordId: word.id, correct: true, reviewedAt });
    const { body } = await client.patch(`/words/${word.id}`, { english: 'kitty' }).expect(200);
    expect(body.last_reviewed_at).toBe(reviewedAt.toISOString());
    expect(body).toEqual(await client.getWord(word.id));
  });

  it('409 when the pair belongs to another word (english case-insensitively); a word may change its own case', async () => {
    const [horse, dog] = await client.createWords(['ม้า', 'horse'], ['หมา', 'dog']);

    const problem = expectProblem(await client.patch(`/words/${dog.id}`, { thai: 'ม้า', english: 'HORSE' }), 409);
    expect(problem.detail).toBe(`A word "ม้า" / "HORSE" already exists (id ${horse.id})`);
    await client.patch(`/words/${dog.id}`, { thai: 'ม้า' }).expect(200);
    expectProblem(await client.patch(`/words/${dog.id}`, { english: ' Horse ' }), 409);
    expect(await client.getWord(dog.id)).toMatchObject({ thai: 'ม้า', english: 'dog' });

    const recased = await client.patch(`/words/${horse.id}`, { english: 'HORSE' }).expect(200);
    expect(recased.body).toMatchObject({ thai: 'ม้า', english: 'HORSE' });
  });

  it('frees the old english, in any case, and takes the new one in every case', async () => {
    const [horse] = await client.createWords(['ม้า', 'horse']);

    await client.patch(`/words/${horse.id}`, { english: 'Pony' }).expect(200);

    await client.post('/words', { thai: 'ม้า', english: 'HORSE' }).expect(201);
    expectProblem(await client.post('/words', { thai: 'ม้า', english: 'pony' }), 409);
  });

  it.each([
    ['thai empty after trimming', { thai: '   ' }, 'thai'],
    ['english empty', { english: '' }, 'english'],
    ['thai a number', { thai: 1 }, 'thai'],
    ['parts an array', { parts: [] }, 'parts'],
    ['parts null', { parts: null }, 'parts'],
    ['group_ids (membership goes through the group endpoints)', { group_ids: [1] }, 'group_ids'],
    ['an unknown field', { correct_count: 9 }, 'correct_count'],
  ])('400 with errors[] for %s, and the word is unchanged', async (_case, body, field) => {
    const word = await client.createWord({ thai: 'แมว', english: 'cat' });
    expectInvalid(await client.patch(`/words/${word.id}`, body), field);
    expect(await client.getWord(word.id)).toEqual(word);
  });

  it('404 for a word that does not exist', async () => {
    expectProblem(await client.patch('/words/999999', { english: 'x' }), 404);
  });

  it('404 for a word deleted while it was being changed, or 200 with the word as it was before the delete', async () => {
    for (let round = 0; round < 20; round++) {
      const word = await client.createWord({ thai: `คำ${round}`, english: `word ${round}` });
      const group = await client.createGroup(`Group ${round}`, [word.id]);

      const [patched, deleted] = await Promise.all([
        client.patch(`/words/${word.id}`, { english: `changed ${round}` }),
        client.delete(`/words/${word.id}`),
      ]);

      expect(deleted.status).toBe(204);
      if (patched.status === 200) {
        expect(patched.body).toMatchObject({
          english: `changed ${round}`,
          groups: [{ id: group.id, name: group.name, words_count: 1 }],
        });
      } else {
        expectProblem(patched, 404);
      }
    }
  });
});

describe('DELETE /words/:id', () => {
  it('204 without a body; the word, its memberships and its place in the groups go', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);

    const response = await client.delete(`/words/${cat.id}`).expect(204);

    expect(response.text).toBe('');
    expectProblem(await client.get(`/words/${cat.id}`), 404);
    expectProblem(await client.delete(`/words/${cat.id}`), 404);
    expect(await countRows(t, 'words_groups', 'word_id = ?', [cat.id])).toBe(0);
    expect((await client.getGroup(pets.id)).words_count).toBe(1);
    expect(await client.ids(`/words?group_id=${pets.id}`)).toEqual([dog.id]);
  });

  it('409 for a word with review history unless force=true, which deletes the history too', async () => {
    const [cat, dog] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog']);
    const pets = await client.createGroup('Pets', [cat.id, dog.id]);
    const session = await insertSession(t, pets.id);
    await insertAnswers(
      t,
      { wordId: cat.id, correct: true, sessionId: session },
      { wordId: cat.id, correct: false },
      { wordId: dog.id, correct: true, sessionId: session },
    );

    expectProblem(await client.delete(`/words/${cat.id}`), 409);
    expectProblem(await client.delete(`/words/${cat.id}?force=false`), 409);
    expect(await client.getWord(cat.id)).toMatchObject({ correct_count: 1, wrong_count: 1 });
    expect(await countRows(t, 'words_review_items', 'word_id = ?', [cat.id])).toBe(2);
    // Correct answers alone are history too, and so are wrong answers alone.
    expectProblem(await client.delete(`/words/${dog.id}`), 409);
    const [bird] = await client.createWords(['นก', 'bird']);
    await insertAnswers(t, { wordId: bird.id, correct: false });
    expectProblem(await client.delete(`/words/${bird.id}`), 409);

    await client.delete(`/words/${cat.id}?force=true`).expect(204);

    expectProblem(await client.get(`/words/${cat.id}`), 404);
    expect(await countRows(t, 'words_review_items', 'word_id = ?', [cat.id])).toBe(0);
    expect(await countRows(t, 'study_activities', 'word_id = ?', [cat.id])).toBe(0);
    // The rest of the learning record stays, and every counter still matches it.
    expect(await countRows(t, 'study_sessions')).toBe(1);
    expect(await countRows(t, 'words_review_items', 'word_id = ?', [dog.id])).toBe(1);
    expect(await countRows(t, 'study_activities', 'word_id = ?', [dog.id])).toBe(1);
    expect(await client.getWord(dog.id)).toMatchObject({ correct_count: 1, wrong_count: 0 });
    expect((await client.getGroup(pets.id)).words_count).toBe(1);
  });
});

describe('GET /words', () => {
  it('an empty list has no items, total_pages 0, page 1 and 100 per page', async () => {
    expect((await client.get('/words').expect(200)).body).toEqual(EMPTY_PAGE);
  });

  it('lists words in the Word shape (without the detail fields)', async () => {
    const parts = { romanization: 'maeo' };
    const cat = await client.createWord({ thai: 'แมว', english: 'cat', parts });
    const response = await client.get('/words').expect(200);
    expect(response.body.items).toEqual([wordShape({ id: cat.id, thai: 'แมว', english: 'cat', parts })]);
  });

  describe('pagination', () => {
    let ids: number[];
    beforeEach(async () => {
      const words = await client.createWords(['ก', 'a'], ['ข', 'b'], ['ค', 'c'], ['ง', 'd'], ['จ', 'e']);
      ids = words.map((word) => word.id);
    });

    it('splits the list into pages; the last page is partial and a page past the end is empty', async () => {
      const pageOf = async (n: number) => (await client.get(`/words?per_page=2&page=${n}`).expect(200)).body;
      const pagination = (current_page: number) => ({
        current_page,
        total_pages: 3,
        total_items: 5,
        items_per_page: 2,
      });

      const pages = [await pageOf(1), await pageOf(2), await pageOf(3), await pageOf(4)];

      expect(pages.map((p) => p.pagination)).toEqual([1, 2, 3, 4].map(pagination));
      expect(pages.map((p) => p.items.map((item: WordBody) => item.id))).toEqual([
        ids.slice(0, 2),
        ids.slice(2, 4),
        ids.slice(4),
        [],
      ]);
      expect((await client.get('/words?page=1000').expect(200)).body.items).toEqual([]);
    });

    it('accepts per_page 1 and 500', async () => {
      const { pagination } = (await client.get('/words?per_page=1').expect(200)).body;
      expect(pagination).toEqual({ current_page: 1, total_pages: 5, total_items: 5, items_per_page: 1 });
      expect(await client.ids('/words?per_page=500')).toEqual(ids);
    });

    itRejectsQuery(t, '/words', { page: ['0', '-1', 'abc', '1.5', ''], per_page: ['0', '501', 'abc'] });
  });

  describe('with more than 100 words', () => {
    const total = 105;
    beforeEach(async () => {
      const group = await client.createGroup('All');
      for (let i = 0; i < total; i++) {
        await client.createWord({
          thai: `คำ${String(i).padStart(3, '0')}`,
          english: `word ${i}`,
          group_ids: [group.id],
        });
      }
    });

    it('defaults to page 1 with 100 items per page', async () => {
      const first = (await client.get('/words').expect(200)).body;
      expect(first.items).toHaveLength(100);
      expect(first.pagination).toEqual({ current_page: 1, total_pages: 2, total_items: total, items_per_page: 100 });
      expect((await client.get('/words?page=2').expect(200)).body.items).toHaveLength(total - 100);
    });

    it('reads a page in the same few SQL statements whatever its size (no N+1)', async () => {
      const statementsFor = async (path: string, items: number) => {
        const statements = await statementsDuring(async () => {
          expect((await client.get(path).expect(200)).body.items).toHaveLength(items);
        });
        expect(statements.some((statement) => /\bfrom [`"]?words\b/i.test(statement))).toBe(true);
        return statements.length;
      };

      const group = (await client.get('/groups').expect(200)).body.items[0].id;
      for (const list of ['/words?', `/words?group_id=${group}&`, `/groups/${group}/words?`]) {
        const small = await statementsFor(`${list}per_page=5`, 5);
        const large = await statementsFor(`${list}per_page=100`, 100);
        expect({ list, large }).toEqual({ list, large: small });
        expect(large).toBeLessThanOrEqual(3);
      }
    });
  });

  describe('sorting', () => {
    // Each sort key orders these three words differently; creation (id) order is banana, Cherry, apple.
    let byName: Record<'banana' | 'Cherry' | 'apple', number>;
    beforeEach(async () => {
      const [banana, cherry, apple] = await client.createWords(['ค', 'banana'], ['ก', 'Cherry'], ['ข', 'apple']);
      byName = { banana: banana.id, Cherry: cherry.id, apple: apple.id };
      const rows = [
        [banana, 2, 0, '2026-03-03T00:00:00.000Z'],
        [cherry, 1, 3, '2026-01-01T00:00:00.000Z'],
        [apple, 3, 1, '2026-02-02T00:00:00.000Z'],
      ] as const;
      for (const [word, correct, wrong, createdAt] of rows) {
        await updateWordRow(t, word.id, {
          correct_count: correct,
          wrong_count: wrong,
          created_at: Date.parse(createdAt),
        });
        expect((await client.getWord(word.id)).created_at).toBe(createdAt);
      }
    });

    it.each([
      ['thai', ['Cherry', 'apple', 'banana']],
      ['english', ['apple', 'banana', 'Cherry']],
      ['correct_count', ['Cherry', 'banana', 'apple']],
      ['wrong_count', ['banana', 'apple', 'Cherry']],
      ['created_at', ['Cherry', 'apple', 'banana']],
      ['id', ['banana', 'Cherry', 'apple']],
    ])('sort_by=%s, ascending by default and descending with order=desc', async (sortBy, ascending) => {
      expect(englishOf(await client.get(`/words?sort_by=${sortBy}`).expect(200))).toEqual(ascending);
      expect(englishOf(await client.get(`/words?sort_by=${sortBy}&order=asc`).expect(200))).toEqual(ascending);
      expect(englishOf(await client.get(`/words?sort_by=${sortBy}&order=desc`).expect(200))).toEqual(
        [...ascending].reverse(),
      );
    });

    it('sort_by=english: letters outside A–Z as the description says for each database', async () => {
      await client.createWords(['ง', 'Épée'], ['จ', 'ésprit'], ['ฉ', 'éclair'], ['ช', 'Zulu']);
      expect(englishOf(await client.get('/words?sort_by=english').expect(200))).toEqual(
        dialect.name === 'sqlite'
          ? ['apple', 'banana', 'Cherry', 'Zulu', 'Épée', 'éclair', 'ésprit']
          : ['apple', 'banana', 'Cherry', 'éclair', 'Épée', 'ésprit', 'Zulu'],
      );
    });

    it.each(['thai', 'english', 'correct_count', 'wrong_count', 'created_at', 'romanization', 'id'])(
      'sort_by=%s reads the words in order from an index, in both orders: a deep page sorts nothing',
      async (sortBy) => {
        for (const order of ['asc', 'desc']) {
          const [page] = (
            await queriesDuring(() => client.get(`/words?sort_by=${sortBy}&order=${order}&page=2`).expect(200))
          ).filter((statement) => /\border by\b/i.test(statement.sql));
          const sorts = (await planOf(t, page, ['seqscan', 'sort'])).filter((step) =>
            dialect.name === 'sqlite' ? /\bUSE TEMP B-TREE\b/.test(step) : /\bSort\b/.test(step),
          );
          expect({ order, sorts }).toEqual({ order, sorts: [] });
        }
      },
    );

    it('sorts by thai ascending by default', async () => {
      expect(await client.ids('/words')).toEqual([byName.Cherry, byName.apple, byName.banana]);
      expect(await client.ids('/words?order=desc')).toEqual([byName.banana, byName.apple, byName.Cherry]);
    });

    itRejectsQuery(t, '/words', { sort_by: ['name', 'THAI', ''], order: ['descending', 'DESC'] });
  });

  it('breaks ties by id ascending, in both orders', async () => {
    // Thai descends while ids ascend, so a tie broken by thai (or by nothing) would show.
    const words = await client.createWords(['จ', 'e'], ['ง', 'd'], ['ค', 'c'], ['ข', 'b'], ['ก', 'a']);
    const [w1, w2, w3, w4, w5] = words.map((word) => word.id);
    for (const [id, correct] of [
      [w1, 1],
      [w2, 0],
      [w3, 1],
      [w4, 0],
      [w5, 1],
    ]) {
      await updateWordRow(t, id, { correct_count: correct, wrong_count: 7 });
    }

    expect(await client.ids('/words?sort_by=correct_count')).toEqual([w2, w4, w1, w3, w5]);
    expect(await client.ids('/words?sort_by=correct_count&order=desc')).toEqual([w1, w3, w5, w2, w4]);
    expect(await client.ids('/words?sort_by=wrong_count&order=desc')).toEqual([w1, w2, w3, w4, w5]);
    expect(await client.ids('/words?sort_by=wrong_count&order=desc&per_page=2&page=2')).toEqual([w3, w4]);
  });

  describe('search with q', () => {
    beforeEach(async () => {
      for (const word of [
        { thai: 'สวัสดี', english: 'Hello', parts: { romanization: 'Sawatdi' } },
        { thai: 'น้ำ', english: 'water', parts: { romanization: 'nam', part_of_speech: 'noun' } },
        { thai: 'ร้อย', english: '100% sure' },
        { thai: 'พัน', english: '1000 things' },
        { thai: 'งู', english: 'snake_case' },
        { thai: 'งูเห่า', english: 'snakeXcase', parts: { romanization: 'ngu hao' } },
        { thai: 'กาแฟ', english: 'CAFÉ', parts: { romanization: 'Kaa-Fæ' } },
      ]) {
        await client.createWord(word);
      }
    });

    it.each([
      ['hello', ['Hello']],
      ['HELLO', ['Hello']],
      ['ell', ['Hello']],
      ['สวัส', ['Hello']],
      ['น้ำ', ['water']],
      ['้ำ', []],
      ['งู', ['snake_case', 'snakeXcase']],
      ['sawat', ['Hello']],
      ['HAO', ['snakeXcase']],
      ['noun', []],
      ['00%', ['100% sure']],
      // One or two characters match the start only (ties in Thai order: พัน before ร้อย).
      ['10', ['1000 things', '100% sure']],
      ['%', []],
      ['0%', []],
      ['_', []],
      ['e_c', ['snake_case']],
      ['  water  ', ['water']],
      ['zzz', []],
      ['CAFÉ', ['CAFÉ']],
      ['cAfÉ', ['CAFÉ']],
      ['kaa-fæ', ['CAFÉ']],
    ])('q=%j matches %j', async (q, expected) => {
      expect(englishOf(await client.get(`/words?q=${encodeURIComponent(q)}`).expect(200))).toEqual(expected);
    });

    it('counts only the matches in the pagination', async () => {
      const { pagination } = (await client.get('/words?q=snake&per_page=1').expect(200)).body;
      expect(pagination).toEqual({ current_page: 1, total_pages: 2, total_items: 2, items_per_page: 1 });
    });

    // Known limitation: SQLite's lower() folds ASCII only, so non-ASCII letters match in their own case only.
    it.each(['café', 'KAA-FÆ'])('q=%j matches CAFÉ case-insensitively', async (q) => {
      expect(englishOf(await client.get(`/words?q=${encodeURIComponent(q)}`).expect(200))).toEqual(['CAFÉ']);
    });
  });

  describe('group_id filter', () => {
    it('lists only the words of that group, combined with q and pagination', async () => {
      const [cat, dog, fish] = await client.createWords(['แมว', 'cat'], ['หมา', 'dog'], ['ปลา', 'fish']);
      const pets = await client.createGroup('Pets', [cat.id, fish.id]);
      await client.createGroup('Others', [dog.id]);
      const empty = await client.createGroup('Empty');

      expect(await client.ids(`/words?group_id=${pets.id}&sort_by=id`)).toEqual([cat.id, fish.id]);
      expect(await client.ids(`/words?group_id=${pets.id}&q=FI`)).toEqual([fish.id]);
      expect(
        (await client.get(`/words?group_id=${pets.id}&sort_by=id&per_page=1&page=2`).expect(200)).body,
      ).toMatchObject({
        items: [{ id: fish.id }],
        pagination: { current_page: 2, total_pages: 2, total_items: 2, items_per_page: 1 },
      });
      expect((await client.get(`/words?group_id=${empty.id}`).expect(200)).body.pagination.total_items).toBe(0);
    });

    it('404 for a group that does not exist, 400 for a group_id that is not a positive integer', async () => {
      expectProblem(await client.get('/words?group_id=999999'), 404);
      expectInvalid(await client.get('/words?group_id=abc'), 'group_id');
      expectInvalid(await client.get('/words?group_id=0'), 'group_id');
    });
  });
});

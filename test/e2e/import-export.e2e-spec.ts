import { readFileSync } from 'node:fs';
import { jest } from '@jest/globals';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import {
  allRows,
  API,
  api,
  countRows,
  expectInvalid,
  expectProblem,
  insertAnswers,
  sql,
  type WordBody,
} from '../api.js';
import { useEmptyTestApp } from '../app.js';
import { Logger } from '@nestjs/common';
import { GroupsService } from '../../src/groups/groups.service.js';
import { WordTransferService } from '../../src/words/word-transfer.service.js';
import { MAX_GROUPS_PER_WORD } from '../../src/words/dto/word-input.dto.js';

/** POST /words/import (JSON and CSV) and GET /words/export, and the round trip between them. */

const t = useEmptyTestApp({ BODY_LIMIT: '2kb', IMPORT_BODY_LIMIT: '256kb' });
const client = api(t);

const BOM = '\uFEFF';
const HEADER = 'thai,english,romanization,part_of_speech,groups';
const UNSTORABLE = 'must not contain U+0000 or unpaired surrogate code points';

interface ImportReport {
  dry_run: boolean;
  on_duplicate: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  groups_created: string[];
}

const report = (counts: Partial<ImportReport>): ImportReport => ({
  dry_run: false,
  on_duplicate: 'error',
  rows: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  skipped: 0,
  groups_created: [],
  ...counts,
});

/** `POST /words/import` with a CSV body, not yet awaited. */
const importCsv = (csv: string | Buffer, query = '') =>
  request(t.http)
    .post(`${API}/words/import${query && `?${query}`}`)
    .set('Content-Type', 'text/csv')
    .send(typeof csv === 'string' ? csv : csv.toString('utf8'));

/** `POST /words/import` with a JSON body, not yet awaited. */
const importJson = (body: object, query = '') =>
  request(t.http)
    .post(`${API}/words/import${query && `?${query}`}`)
    .send(body);

/** `GET /words/export`, with the body as text (CSV or JSON) however it was sent. */
const exportWords = (query = '') =>
  request(t.http)
    .get(`${API}/words/export${query && `?${query}`}`)
    .buffer(true)
    .parse((response, done) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => done(null, text));
    });

interface StoredWord {
  thai: string;
  english: string;
  parts: Record<string, unknown>;
  groups: string[];
}

/** Every word with its group names, in id order: what an import should have stored. */
async function storedWords(): Promise<StoredWord[]> {
  const words = await sql<{ id: number; thai: string; english: string; parts: string }>(
    t,
    // As text on both databases (PostgreSQL would answer jsonb parsed).
    'select id, thai, english, cast(parts as text) as parts from words order by id',
  );
  const memberships = await sql<{ word_id: number; name: string }>(
    t,
    'select m.word_id, g.name from words_groups m join groups g on g.id = m.group_id order by g.name',
  );
  return words.map((word) => ({
    thai: word.thai,
    english: word.english,
    parts: JSON.parse(word.parts),
    groups: memberships.filter((m) => m.word_id === word.id).map((m) => m.name),
  }));
}

describe('POST /words/import as CSV', () => {
  it('imports Thai words with a BOM, quoted commas and newlines, and groups separated by |', async () => {
    const csv =
      `${BOM}${HEADER}\r\n` +
      'แมว,cat,maeo,noun,Animals|Pets\r\n' +
      'ข้าว,"rice, cooked",khao,noun,Food\r\n' +
      '"ไม่เป็นไร","never mind,\nno problem",mai pen rai,phrase,"Phrases"\r\n' +
      'น้ำ,water,,,\r\n';

    const response = await importCsv(csv).expect(200);

    expect(response.body).toEqual(
      report({ rows: 4, created: 4, groups_created: ['Animals', 'Pets', 'Food', 'Phrases'] }),
    );
    expect(await storedWords()).toEqual([
      {
        thai: 'แมว',
        english: 'cat',
        parts: { romanization: 'maeo', part_of_speech: 'noun' },
        groups: ['Animals', 'Pets'],
      },
      {
        thai: 'ข้าว',
        english: 'rice, cooked',
        parts: { romanization: 'khao', part_of_speech: 'noun' },
        groups: ['Food'],
      },
      {
        thai: 'ไม่เป็นไร',
        english: 'never mind,\nno problem',
        parts: { romanization: 'mai pen rai', part_of_speech: 'phrase' },
        groups: ['Phrases'],
      },
      { thai: 'น้ำ', english: 'water', parts: {}, groups: [] },
    ]);
    const [animals] = await sql<{ words_count: number }>(t, "select words_count from groups where name = 'Animals'");
    expect(animals.words_count).toBe(1);
    // Written through the Word entity: its hooks computed the Thai sort key.
    expect(await countRows(t, 'words', "thai_sort = ''")).toBe(0);
    expect(
      (await client.get('/words?sort_by=thai').expect(200)).body.items.map((w: { thai: string }) => w.thai),
    ).toEqual(['ข้าว', 'น้ำ', 'แมว', 'ไม่เป็นไร']);
  });

  it('reads a file without a BOM, with LF line ends, columns in any order, and skips empty rows', async () => {
    const csv = 'english,thai,groups\ndog,หมา,animals\n\n,,\nbird,นก,Animals\n';
    await client.createGroup('Animals');

    const response = await importCsv(csv).expect(200);

    expect(response.body).toEqual(report({ rows: 2, created: 2 }));
    expect((await storedWords()).map((word) => [word.thai, word.groups])).toEqual([
      ['หมา', ['Animals']],
      ['นก', ['Animals']],
    ]);
  });

  it('trims cells and group names, and ignores empty group names', async () => {
    await importCsv(`${HEADER}\n  แมว , cat ,  maeo , noun , Animals | | Pets |\n`).expect(200);

    expect(await storedWords()).toEqual([
      {
        thai: 'แมว',
        english: 'cat',
        parts: { romanization: 'maeo', part_of_speech: 'noun' },
        groups: ['Animals', 'Pets'],
      },
    ]);
  });

  it.each([
    ['a missing column', 'thai,romanization\nแมว,maeo\n', /lacks the column english/],
    ['an unknown column', 'thai,english,meaning\nแมว,cat,x\n', /unknown column "meaning"/],
    ['a column twice', 'thai,english,thai\nแมว,cat,แมว\n', /names the column thai twice/],
    ['no header at all', '', /missing/],
    ['a semicolon-separated file', 'thai;english\nแมว;cat\n', /lacks the column/],
  ])('400 for a wrong header (%s), naming the header as row 1', async (_case, csv, message) => {
    const problem = expectProblem(await importCsv(csv), 400);

    expect(problem.errors).toEqual(
      expect.arrayContaining([{ row: 1, field: 'header', message: expect.stringMatching(message) }]),
    );
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('says in the detail of a file without a header which row lacks it', async () => {
    expect(expectProblem(await importCsv(''), 400).detail).toBe(
      'row 1: header is missing: the first row names the columns: thai,english,romanization,part_of_speech,groups',
    );
  });

  it('takes columns without a name that hold nothing (a spreadsheet saved them), and refuses a value under one', async () => {
    await importCsv('thai,english,,\nแมว,cat,,\n').expect(200);
    expect(await countRows(t, 'words')).toBe(1);

    const problem = expectProblem(await importCsv('thai,english,\nหมา,dog,x\n'), 400);
    expect(problem.errors).toEqual([
      { row: 2, field: 'csv', message: 'has a value in column 3, which the header does not name' },
    ]);
    expect(await countRows(t, 'words')).toBe(1);
  });

  it('400 for a quote that is never closed, numbered by row as a spreadsheet numbers it', async () => {
    const csv = `${HEADER}\nหมา,"dog\nthat\nbarks",,,\n\nแมว,"cat,maeo,noun,\n`;
    const problem = expectProblem(await importCsv(csv), 400);
    expect(problem.errors).toEqual([{ row: 4, field: 'csv', message: expect.stringMatching(/not valid CSV/) }]);
  });

  it('trims the spaces around a quoted cell, as around any other (a file edited by hand)', async () => {
    await importCsv('thai,english\nแมว, "cat, kitty" \n\t"หมา"\t,dog\n').expect(200);
    const words: WordBody[] = (await client.get('/words?sort_by=id').expect(200)).body.items;
    expect(words.map(({ thai, english }) => ({ thai, english }))).toEqual([
      { thai: 'แมว', english: 'cat, kitty' },
      { thai: 'หมา', english: 'dog' },
    ]);
  });

  it.each([
    'text/csv; charset=iso-8859-1',
    'text/csv; charset="iso-8859-1"',
    'text/csv; CHARSET=windows-874',
    'text/csv; charset=utf8',
    'text/csv; charset=x-utf-8',
  ])('415 for CSV in another charset than UTF-8 (%s), nothing written', async (type) => {
    const response = await request(t.http)
      .post(`${API}/words/import`)
      .set('Content-Type', type)
      .send(`${HEADER}\ncafe,cafe,,,\n`);
    expect(expectProblem(response, 415).detail).toBe('The request body must be application/json or text/csv, in UTF-8');
    expect(await countRows(t, 'words')).toBe(0);
  });

  it.each(['text/csv; charset=utf-8', 'text/csv;charset="UTF-8"', 'Text/CSV ; charset=utf-8'])(
    'takes CSV sent as %s',
    async (type) => {
      await request(t.http)
        .post(`${API}/words/import`)
        .set('Content-Type', type)
        .send(`${HEADER}\ncafe,cafe,,,\n`)
        .expect(200);
      expect(await countRows(t, 'words')).toBe(1);
    },
  );

  it('400 for bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from('caf\xe9,cafe,,,\n', 'latin1')]);
    const response = await request(t.http)
      .post(`${API}/words/import`)
      .set('Content-Type', 'text/csv')
      .serialize(((data: Buffer) => data) as unknown as (body: unknown) => string)
      .send(bytes);
    expect(expectProblem(response, 400).detail).toMatch(/UTF-8/);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('400 naming each row and field with text the database cannot store (U+0000; in JSON, an unpaired surrogate)', async () => {
    const csv = `${HEADER}\nแมว,c\u0000t,,,\nหมา,dog,,noun\u0000,\nนก,bird,,,Birds|P\u0000ets\nปลา,fish,,,\n`;
    expect(expectProblem(await importCsv(csv), 400).errors).toEqual([
      { row: 2, field: 'english', message: UNSTORABLE },
      { row: 3, field: 'part_of_speech', message: UNSTORABLE },
      { row: 4, field: 'groups', message: `each value ${UNSTORABLE}` },
    ]);
    const words = [
      { thai: 'แมว', english: 'cat', groups: ['Pets', 'a\u0000'] },
      { thai: 'หมา\udc00', english: 'dog' },
      { thai: 'นก', english: 'bird', parts: { notes: [{ text: 'x\u0000' }] } },
      { thai: 'ปลา', english: 'fish' },
    ];
    expect(expectProblem(await importJson({ words }), 400).errors).toEqual([
      { row: 1, field: 'groups', message: `each value ${UNSTORABLE}` },
      { row: 2, field: 'thai', message: UNSTORABLE },
      { row: 3, field: 'parts', message: `parts.notes.0.text ${UNSTORABLE}` },
    ]);
    expect(await countRows(t, 'words')).toBe(0);
    expect(await countRows(t, 'groups')).toBe(0);
  });

  it.each([
    ['on_duplicate=replace', 'on_duplicate'],
    ['dry_run=yes', 'dry_run'],
  ])('400 for the query %s, naming %s, and imports nothing', async (query, field) => {
    expectInvalid(await importCsv(`${HEADER}\nแมว,cat,,,\n`, query), field);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('400 for U+0000 in the query as everywhere, and 415 for text/plain', async () => {
    expect(expectProblem(await importCsv(`${HEADER}\nแมว,cat,,,\n`, 'on_duplicate=skip%00'), 400).errors).toEqual([
      { field: 'on_duplicate', message: UNSTORABLE },
    ]);
    const plain = await request(t.http).post(`${API}/words/import`).type('text').send(`${HEADER}\nแมว,cat,,,\n`);
    expect(expectProblem(plain, 415).detail).toBe('The request body must be application/json or text/csv, in UTF-8');
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('text/csv is refused on other routes (415)', async () => {
    const response = await request(t.http).post(`${API}/words`).set('Content-Type', 'text/csv').send('thai,english\n');
    expectProblem(response, 415);
  });
});

describe('docs/words.csv, the example file', () => {
  it('imports as it is, and a dry run of it a second time finds every word', async () => {
    const csv = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'words.csv'), 'utf8');

    const imported = (await importCsv(csv).expect(200)).body;

    expect(imported).toMatchObject({ rows: 11, created: 11 });
    expect(imported.groups_created).toEqual(['Fruit', 'Food & Drink', 'At the Market', 'Places']);
    expect((await storedWords()).find((word) => word.thai === 'ไม่เผ็ด')).toEqual({
      thai: 'ไม่เผ็ด',
      english: 'not spicy (say it when you order: "mai phet")',
      parts: { romanization: 'mai phet', part_of_speech: 'phrase' },
      groups: ['At the Market', 'Food & Drink'],
    });
    expect((await importCsv(csv, 'on_duplicate=skip&dry_run=true').expect(200)).body).toMatchObject({ skipped: 11 });
  });
});

describe('POST /words/import as JSON', () => {
  it('imports words with parts kept as sent and groups by name', async () => {
    const parts = { romanization: 'maeo', tones: ['mid'], example: { thai: 'แมวดำ', english: 'black cat' } };
    const response = await importJson({
      words: [
        { thai: ' แมว ', english: 'cat', parts, groups: ['Animals'] },
        { thai: 'หมา', english: 'dog', groups: ['animals', 'Pets'] },
        { thai: 'สวัสดี', english: 'hello, hi' },
      ],
    }).expect(200);

    expect(response.body).toEqual(report({ rows: 3, created: 3, groups_created: ['Animals', 'Pets'] }));
    expect(await storedWords()).toEqual([
      { thai: 'แมว', english: 'cat', parts, groups: ['Animals'] },
      { thai: 'หมา', english: 'dog', parts: {}, groups: ['Animals', 'Pets'] },
      { thai: 'สวัสดี', english: 'hello, hi', parts: {}, groups: [] },
    ]);
  });

  it('joins groups that exist, matching their names ignoring case', async () => {
    const food = await client.createGroup('Food');

    const response = await importJson({ words: [{ thai: 'ข้าว', english: 'rice', groups: ['FOOD'] }] }).expect(200);

    expect(response.body.groups_created).toEqual([]);
    expect((await client.getGroup(food.id)).words_count).toBe(1);
  });

  it('creates a group that POST /groups creates meanwhile under the same name: one of the two answers 409', async () => {
    // POST /groups is sent once the import has looked its groups up, before it creates them.
    const createNamed = GroupsService.prototype.createNamed;
    let created: Promise<request.Response> | undefined;
    jest.spyOn(GroupsService.prototype, 'createNamed').mockImplementation(async function (this: GroupsService, names) {
      created = Promise.resolve(client.post('/groups', { name: 'FOOD' }));
      await Promise.race([created, new Promise((resolve) => setTimeout(resolve, 500))]);
      return createNamed.call(this, names);
    });
    let imported: request.Response;
    try {
      imported = await importJson({ words: [{ thai: 'ข้าว', english: 'rice', groups: ['Food'] }] });
    } finally {
      jest.restoreAllMocks();
    }

    expect(imported.status).toBe(200);
    expect(imported.body.groups_created).toEqual(['Food']);
    expectProblem(await created!, 409);
    expect(await sql(t, 'select name, words_count from groups')).toEqual([{ name: 'Food', words_count: 1 }]);
  });

  it('checks a word as POST /words does: an emoji is one character, a romanization trimmed text of 200', async () => {
    const english = '😀'.repeat(150);
    const group = '🐱'.repeat(60);
    await client.post('/words', { thai: 'อีโมจิ', english }).expect(201);
    await client.post('/groups', { name: group }).expect(201);
    const groups = [group, ...Array.from({ length: 100 }, (_, i) => `Group ${i}`)];
    const word = { thai: 'อีโมจิสอง', english, parts: { romanization: ' imoji ' }, groups };
    expect((await importJson({ words: [word] }).expect(200)).body.created).toBe(1);
    expect((await storedWords()).find((stored) => stored.thai === 'อีโมจิสอง')).toMatchObject({
      parts: { romanization: 'imoji' },
      groups: expect.arrayContaining([group, 'Group 99']),
    });

    const problem = expectProblem(
      await importJson({
        words: [
          { thai: 'ก', english: 'a', parts: { romanization: 'k'.repeat(201) } },
          { thai: 'ข', english: 'b', parts: { romanization: ['k'] } },
          { thai: 'ค', english: 'c', parts: { tones: ['high', 7] } },
        ],
      }),
      400,
    );
    expect(problem.errors).toEqual([
      { row: 1, field: 'parts', message: 'parts.romanization must be shorter than or equal to 200 characters' },
      { row: 2, field: 'parts', message: 'parts.romanization must be a string' },
      { row: 3, field: 'parts', message: 'parts.tones must be an array of mid, low, falling, high, rising' },
    ]);
  });

  it('an empty list imports nothing', async () => {
    expect((await importJson({ words: [] }).expect(200)).body).toEqual(report({}));
  });

  it.each([
    ['no words', {}, 'words'],
    ['words not an array', { words: {} }, 'words'],
    ['an unknown on_duplicate', { words: [], on_duplicate: 'merge' }, 'on_duplicate'],
    ['an unknown field', { words: [], mode: 'skip' }, 'mode'],
  ])('400 for %s', async (_case, body, field) => {
    const problem = expectProblem(await importJson(body), 400);
    expect(problem.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
  });

  it('400 for on_duplicate given differently in the query and the body', async () => {
    const problem = expectProblem(await importJson({ words: [], on_duplicate: 'skip' }, 'on_duplicate=update'), 400);
    expect(problem.errors).toEqual([{ field: 'on_duplicate', message: expect.any(String) }]);
  });
});

describe('invalid rows', () => {
  it('a bad row in the middle refuses the whole CSV: no word, no membership, no group is written', async () => {
    await client.createWord({ thai: 'หมา', english: 'dog' });
    const before = await allRows(t);
    const rows = Array.from({ length: 50 }, (_, i) => `คำ${i},word ${i},,,New group`);
    // Two errors, one row.
    rows[25] = `,,,,New group`;

    const problem = expectProblem(await importCsv(`${HEADER}\n${rows.join('\n')}\n`, 'on_duplicate=skip'), 400);

    expect(problem.errors).toEqual([
      { row: 27, field: 'thai', message: 'should not be empty' },
      { row: 27, field: 'english', message: 'should not be empty' },
    ]);
    expect(problem.detail).toBe(
      '1 of 50 rows cannot be imported, so nothing was imported: row 27: thai should not be empty; row 27: english should not be empty',
    );
    expect(await allRows(t)).toEqual(before);
  });

  it('the detail lists the first 10 errors, and counts the rest in errors[]; a file of one row says row', async () => {
    const emptyEnglish = (count: number) => Array.from({ length: count }, (_, i) => `คำ${i},,,,`).join('\n');
    const listed = (rows: number) =>
      Array.from({ length: rows }, (_, i) => `row ${i + 2}: english should not be empty`).join('; ');
    const ten = expectProblem(await importCsv(`${HEADER}\n${emptyEnglish(10)}\n`), 400);
    expect(ten.detail).toBe(`10 of 10 rows cannot be imported, so nothing was imported: ${listed(10)}`);
    const eleven = expectProblem(await importCsv(`${HEADER}\n${emptyEnglish(11)}\n`), 400);
    expect(eleven.detail).toBe(
      `11 of 11 rows cannot be imported, so nothing was imported: ${listed(10)}; and 1 more in errors[]`,
    );
    const one = expectProblem(await importCsv(`${HEADER}\n${emptyEnglish(1)}\n`), 400);
    expect(one.detail).toBe(
      '1 of 1 row cannot be imported, so nothing was imported: row 2: english should not be empty',
    );
  });

  it('the fields of an export are ignored, but must look as an export writes them', async () => {
    const exported = { id: 7, correct_count: 2, wrong_count: 0, created_at: '2026-11-24T09:15:00.000Z' };
    await importJson({ words: [{ thai: 'แมว', english: 'cat', ...exported }] }).expect(200);
    expect(await sql(t, 'select correct_count, wrong_count from words')).toEqual([
      { correct_count: 0, wrong_count: 0 },
    ]);

    const problem = expectProblem(
      await importJson({
        words: [
          {
            thai: 'หมา',
            english: 'dog',
            id: 0,
            correct_count: -1,
            wrong_count: -2,
            created_at: 7,
            updated_at: 'yesterday',
          },
          JSON.parse('{"thai":"นก","english":"bird","__proto__":{"x":1},"constructor":1}'),
          {
            thai: 'ปลา',
            english: 'fish',
            wrong_count: 1.5,
            created_at: 'not a date',
            updated_at: 2026,
            groups: [1],
          },
        ],
      }),
      400,
    );
    expect(problem.errors).toEqual([
      { row: 1, field: 'id', message: expect.any(String) },
      { row: 1, field: 'correct_count', message: 'must be an integer of 0 or more' },
      { row: 1, field: 'wrong_count', message: 'must be an integer of 0 or more' },
      { row: 1, field: 'created_at', message: 'must be a timestamp' },
      { row: 1, field: 'updated_at', message: 'must be a timestamp' },
      { row: 2, field: '__proto__', message: 'is not a known field' },
      { row: 2, field: 'constructor', message: 'is not a known field' },
      { row: 3, field: 'wrong_count', message: 'must be an integer of 0 or more' },
      { row: 3, field: 'created_at', message: 'must be a timestamp' },
      { row: 3, field: 'updated_at', message: 'must be a timestamp' },
      { row: 3, field: 'groups', message: 'each value must be a string' },
    ]);
  });

  it('the 400 lists every bad row by number and field, CSV rows as a spreadsheet numbers them', async () => {
    const csv = [
      HEADER,
      'แมว,cat,,,', // row 2: fine
      ',dog,,,', // row 3: no thai
      `นก,${'x'.repeat(201)},,,`, // row 4: english too long
      '', // row 5: empty, skipped
      '"ปลา","fish\non two lines",,,', // row 6: fine, on two lines of the file
      'ไก่,chicken,,,Birds|' + 'G'.repeat(101), // row 7: a group name too long
      'แมว,CAT,,,', // row 8: repeats row 2
      'ช้าง,elephant,,', // row 9: a cell missing
    ].join('\n');

    const problem = expectProblem(await importCsv(csv), 400);

    expect(problem.errors).toEqual([
      { row: 3, field: 'thai', message: expect.any(String) },
      { row: 4, field: 'english', message: expect.stringMatching(/200/) },
      { row: 7, field: 'groups', message: expect.stringMatching(/100/) },
      { row: 8, field: 'thai', message: expect.stringMatching(/repeats row 2/) },
      { row: 9, field: 'csv', message: expect.stringMatching(/4 cells/) },
    ]);
    expect(problem.detail).toMatch(/^5 of 7 rows cannot be imported, so nothing was imported: row 3: thai/);
    expect(await countRows(t, 'words')).toBe(0);
    expect(await countRows(t, 'groups')).toBe(0);
  });

  it('JSON rows are numbered from 1, with the field of each error', async () => {
    const problem = expectProblem(
      await importJson({
        words: [
          { thai: 'แมว', english: 'cat' },
          { thai: 'หมา', english: 5 },
          'not a word',
          { thai: 'นก', english: 'bird', parts: [], groups: ['Birds', ''] },
          { thai: 'ปลา', english: 'fish', colour: 'gold' },
          // Repeats are listed with the rows' other errors, whichever of the two rows has them.
          { thai: 'แมว', english: 'Cat', groups: 'Pets' },
          { thai: 'นก', english: 'bird' },
        ],
      }),
      400,
    );

    expect(problem.errors).toEqual([
      { row: 2, field: 'english', message: expect.any(String) },
      { row: 3, field: 'word', message: expect.any(String) },
      { row: 4, field: 'parts', message: expect.any(String) },
      { row: 4, field: 'groups', message: expect.any(String) },
      { row: 5, field: 'colour', message: 'is not a known field' },
      { row: 6, field: 'groups', message: 'must be an array' },
      { row: 6, field: 'thai', message: expect.stringMatching(/repeats row 1$/) },
      { row: 7, field: 'thai', message: expect.stringMatching(/repeats row 4$/) },
    ]);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('a field left out is reported as required, as the other endpoints report it', async () => {
    const rows = expectProblem(await importJson({ words: [{ english: 'cat' }, { thai: 'หมา', english: null }] }), 400);
    expect(rows.errors).toEqual([
      { row: 1, field: 'thai', message: 'is required' },
      { row: 2, field: 'english', message: 'must be a string' },
    ]);
    const body = expectProblem(await importJson({ on_duplicate: 'skip' }), 400);
    expect(body.errors).toEqual([{ field: 'words', message: 'is required' }]);
    expect(await countRows(t, 'words')).toBe(0);
  });
});

describe('a teacher’s 2,000-word file', () => {
  it('with new, duplicate and broken rows is refused with a precise list, fixed, and imported into its groups', async () => {
    const stored = Array.from({ length: 60 }, (_, i) => ({ thai: `คำเก่า${i}`, english: `old word ${i}` }));
    await importJson({ words: stored }).expect(200);
    const rows = Array.from({ length: 2000 }, (_, i) =>
      i % 33 === 0 && i / 33 < 60
        ? [stored[i / 33].thai, stored[i / 33].english.toUpperCase(), '', '', 'Lesson 1']
        : [`คำ${i}`, `word ${i}`, `kham ${i}`, 'noun', `Lesson ${(i % 4) + 1}|All`],
    );
    const broken = [5, 250, 999, 1500, 1999];
    for (const i of broken) {
      rows[i][1] = ' ';
    }
    const csv = (lines: string[][]) => `${HEADER}\n${lines.map((cells) => cells.join(',')).join('\n')}\n`;

    const refused = expectProblem(await importCsv(csv(rows)), 400);

    // Row i of the file is on spreadsheet row i + 2 (the header is row 1).
    const duplicates = Array.from({ length: 60 }, (_, k) => k * 33 + 2);
    expect(refused.errors).toEqual(
      [
        ...broken.map((i) => ({ row: i + 2, field: 'english', message: 'should not be empty' })),
        ...duplicates.map((row) => ({ row, field: 'thai', message: expect.stringMatching(/is word \d+ already/) })),
      ].sort((a, b) => a.row - b.row),
    );
    expect(refused.detail).toMatch(/^65 of 2000 rows cannot be imported, so nothing was imported: row 2: thai/);
    expect(await countRows(t, 'words')).toBe(60);
    expect(await countRows(t, 'groups')).toBe(0);

    for (const i of broken) {
      rows[i][1] = `word ${i}`;
    }
    const imported = (await importCsv(csv(rows), 'on_duplicate=skip').expect(200)).body;

    expect(imported).toEqual(
      report({
        on_duplicate: 'skip',
        rows: 2000,
        created: 1940,
        skipped: 60,
        groups_created: ['Lesson 2', 'All', 'Lesson 3', 'Lesson 4', 'Lesson 1'],
      }),
    );
    const groups = await sql<{ name: string; words_count: number }>(
      t,
      'select name, words_count from groups order by name',
    );
    expect(groups).toEqual([
      { name: 'All', words_count: 1940 },
      { name: 'Lesson 1', words_count: 485 },
      { name: 'Lesson 2', words_count: 485 },
      { name: 'Lesson 3', words_count: 485 },
      { name: 'Lesson 4', words_count: 485 },
    ]);
    const [lesson2] = await sql<{ id: number }>(t, "select id from groups where name = 'Lesson 2'");
    expect(
      (await client.get(`/groups/${lesson2.id}/words?per_page=1&sort_by=id`).expect(200)).body.items[0],
    ).toMatchObject({
      thai: 'คำ1',
      english: 'word 1',
      parts: { romanization: 'kham 1', part_of_speech: 'noun' },
    });
  });
});

describe('duplicates', () => {
  /** A stored cat in Animals, with other parts keys than CSV has columns for. */
  async function storedCat() {
    const animals = await client.createGroup('Animals');
    return client.createWord({
      thai: 'แมว',
      english: 'cat',
      parts: { romanization: 'maeo', tones: ['mid'] },
      group_ids: [animals.id],
    });
  }

  it('skip: the stored word stays as it is, the other rows are created', async () => {
    const cat = await storedCat();

    const response = await importCsv(`${HEADER}\nแมว,Cat,mɛɛw,noun,Pets\nหมา,dog,,,Pets\n`, 'on_duplicate=skip').expect(
      200,
    );

    expect(response.body).toEqual(
      report({ on_duplicate: 'skip', rows: 2, created: 1, skipped: 1, groups_created: ['Pets'] }),
    );
    const stored = await client.getWord(cat.id);
    expect(stored).toMatchObject({ english: 'cat', parts: cat.parts, updated_at: cat.updated_at });
    expect(stored.groups.map((group) => group.name)).toEqual(['Animals']);
  });

  it('update: english, the parts given and new groups; the other parts keys and groups stay', async () => {
    await storedCat();

    const response = await importCsv(`${HEADER}\nแมว,Cat,mɛɛw,noun,Pets\n`, 'on_duplicate=update').expect(200);

    expect(response.body).toEqual(report({ on_duplicate: 'update', rows: 1, updated: 1, groups_created: ['Pets'] }));
    expect(await storedWords()).toEqual([
      {
        thai: 'แมว',
        english: 'Cat',
        parts: { romanization: 'mɛɛw', tones: ['mid'], part_of_speech: 'noun' },
        groups: ['Animals', 'Pets'],
      },
    ]);
    expect(await countRows(t, 'words')).toBe(1);
  });

  it('update with JSON replaces parts; a row that changes nothing is unchanged, not updated', async () => {
    const cat = await storedCat();

    const response = await importJson({
      on_duplicate: 'update',
      words: [
        { thai: 'แมว', english: 'cat', parts: { tones: ['mid'], romanization: 'maeo' }, groups: ['animals'] },
        { thai: 'หมา', english: 'dog' },
      ],
    }).expect(200);

    expect(response.body).toEqual(report({ on_duplicate: 'update', rows: 2, created: 1, unchanged: 1 }));
    expect((await client.getWord(cat.id)).updated_at).toBe(cat.updated_at);

    await importJson({ on_duplicate: 'update', words: [{ thai: 'แมว', english: 'cat', parts: { x: 1 } }] }).expect(200);
    expect((await client.getWord(cat.id)).parts).toEqual({ x: 1 });
  });

  it('error (the default): 409 listing every row that is a stored word, and nothing is written', async () => {
    await storedCat();
    await client.createWord({ thai: 'หมา', english: 'Dog' });
    const before = await allRows(t);

    const response = await importCsv(`${HEADER}\nนก,bird,,,Birds\nแมว,CAT,,,\nหมา,dog,,,\n`);

    const problem = expectProblem(response, 409);
    expect(problem.errors).toEqual([
      { row: 3, field: 'thai', message: expect.stringMatching(/^"แมว" with english "CAT" is word \d+ already/) },
      { row: 4, field: 'thai', message: expect.stringMatching(/^"หมา" with english "dog" is word \d+ already/) },
    ]);
    expect(problem.detail).toMatch(/^2 of 3 rows are words that exist already, so nothing was imported: row 3: thai /);
    expect(await allRows(t)).toEqual(before);
    const one = expectProblem(await importCsv(`${HEADER}\nแมว,CAT,,,\nนก,bird,,,\n`, 'on_duplicate=error'), 409);
    expect(one.detail).toMatch(/^1 of 2 rows is a word that exists already, so nothing was imported: row 2: thai /);
  });

  it('error with invalid rows too: one 400 lists both', async () => {
    await storedCat();

    const problem = expectProblem(await importCsv(`${HEADER}\nแมว,cat,,,\n,x,,,\n`), 400);

    expect(problem.errors).toEqual([
      { row: 2, field: 'thai', message: expect.stringMatching(/already/) },
      { row: 3, field: 'thai', message: expect.any(String) },
    ]);
  });
});

describe('dry_run=true', () => {
  it('reports what the import would do, and writes nothing', async () => {
    await client.createWord({ thai: 'แมว', english: 'cat' });
    const before = await allRows(t);

    const response = await importCsv(
      `${HEADER}\nแมว,cat,maeo,,Animals\nหมา,dog,,,Animals|Pets\n`,
      'on_duplicate=update&dry_run=true',
    ).expect(200);

    expect(response.body).toEqual(
      report({
        dry_run: true,
        on_duplicate: 'update',
        rows: 2,
        created: 1,
        updated: 1,
        groups_created: ['Animals', 'Pets'],
      }),
    );
    expect(await allRows(t)).toEqual(before);
  });

  it('still refuses invalid rows', async () => {
    expectProblem(await importJson({ words: [{ thai: '', english: 'x' }] }, 'dry_run=true'), 400);
  });

  it('finds the groups it names in any case, a letter cased since Unicode 16 too, on every database', async () => {
    const group = await client.createGroup('Ɤy');

    const response = await importJson({ words: [{ thai: 'ข', english: 'b', groups: ['ɤY', 'Ɤy'] }] }).expect(200);

    expect(response.body).toEqual(report({ rows: 1, created: 1 }));
    expect((await client.getGroup(group.id)).words_count).toBe(1);
  });

  it('finds stored words and repeated rows as POST /words compares english: a final sigma, another normal form', async () => {
    await client.createWord({ thai: 'ถนน', english: 'ΟΔΟΣ' });
    await client.createWord({ thai: 'โรงเรียน', english: 'école' });

    const skipped = await importJson(
      {
        words: [
          { thai: 'ถนน', english: 'οδοσ' },
          { thai: 'โรงเรียน', english: 'E\u0301COLE' },
        ],
      },
      'on_duplicate=skip',
    ).expect(200);
    expect(skipped.body).toEqual(report({ on_duplicate: 'skip', rows: 2, skipped: 2 }));

    const repeated = await importJson({
      words: [
        { thai: 'บ้าน', english: 'ΟΙΚΟΣ' },
        { thai: 'บ้าน', english: 'οικοσ' },
      ],
    });
    expect(expectProblem(repeated, 400).errors).toEqual([
      { row: 2, field: 'thai', message: '"บ้าน" with english "οικοσ" repeats row 1' },
    ]);
    expect(await countRows(t, 'words')).toBe(2);
  });

  it('reports what the import then does for words and groups that differ in more than case (full-width letters)', async () => {
    await client.createWord({ thai: 'แมว', english: 'cat' });
    await client.createGroup('Pets');
    const csv = `${HEADER}\nแมว,ｃａｔ,,,Ｐｅｔｓ\nแมว,CAT,,,pets\n`;
    const expected = { on_duplicate: 'skip', rows: 2, created: 1, skipped: 1, groups_created: ['Ｐｅｔｓ'] };

    expect((await importCsv(csv, 'on_duplicate=skip&dry_run=true').expect(200)).body).toEqual(
      report({ dry_run: true, ...expected }),
    );
    expect((await importCsv(csv, 'on_duplicate=skip').expect(200)).body).toEqual(report(expected));
    expect(await countRows(t, 'words')).toBe(2);
    expect(await countRows(t, 'groups')).toBe(2);
  });
});

describe('body limit', () => {
  it('the import takes bodies over BODY_LIMIT (2 KB), up to IMPORT_BODY_LIMIT (256 KB)', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `คำ${i},word ${i},,,`);
    const csv = `${HEADER}\n${rows.join('\n')}\n`;
    expect(Buffer.byteLength(csv)).toBeGreaterThan(8 * 1024);

    expect((await importCsv(csv).expect(200)).body.created).toBe(500);
    // The same path with a trailing slash, which Express routes to it, has its limit too.
    const slashed = request(t.http).post(`${API}/words/import/`).set('Content-Type', 'text/csv');
    expect((await slashed.send(csv.replaceAll('word ', 'term ')).expect(200)).body.created).toBe(500);
  });

  it.each([
    ['csv', 'as it is'],
    ['json', 'as it is'],
    ['csv', 'gzip'],
    ['json', 'gzip'],
  ])('413 for a %s body over IMPORT_BODY_LIMIT (sent %s), and nothing is written', async (format, encoding) => {
    const words = Array.from({ length: 12_000 }, (_, i) => ({ thai: `คำ${i}`, english: `word ${i}` }));
    const body =
      format === 'csv'
        ? `${HEADER}\n${words.map((w) => `${w.thai},${w.english},,,`).join('\n')}\n`
        : JSON.stringify({ words });
    const post = request(t.http)
      .post(`${API}/words/import`)
      .set('Content-Type', format === 'csv' ? 'text/csv' : 'application/json');
    // Compressed, far under the limit: the limit counts the body inflated.
    const compressed = gzipSync(body);
    expect(compressed.length).toBeLessThan(128 * 1024);
    const response =
      encoding === 'gzip'
        ? await post
            .set('Content-Encoding', 'gzip')
            .serialize((bytes: unknown) => bytes as string)
            .send(compressed)
        : await post.send(body);

    expect(expectProblem(response, 413).detail).toMatch(/\b262144 bytes\b/);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('other routes keep BODY_LIMIT', async () => {
    expectProblem(await client.post('/words', { thai: 'แมว', english: 'x'.repeat(3000) }), 413);
  });
});

/** Words both export suites import: one in two groups with a list in its parts, one with a comma in it. */
const CAT = {
  thai: 'แมว',
  english: 'cat',
  parts: { romanization: 'maeo', part_of_speech: 'noun', tones: ['mid'] },
  // Not in the order of their names, which is the order an export names them in.
  groups: ['Pets', 'Animals'],
};
const RICE = { thai: 'ข้าว', english: 'rice, cooked', parts: { romanization: 'khao' }, groups: ['Food'] };

describe('GET /words/export', () => {
  async function inventory() {
    await importJson({
      words: [
        CAT,
        RICE,
        { thai: 'ไม่เป็นไร', english: 'never mind,\n"no problem"', groups: [] },
        { thai: 'หมา', english: 'dog', parts: { note: null, nested: { a: [1, 2] } }, groups: ['Animals'] },
      ],
    }).expect(200);
    const [cat] = await sql<{ id: number }>(t, "select id from words where thai = 'แมว'");
    await insertAnswers(
      t,
      { wordId: cat.id, correct: true },
      { wordId: cat.id, correct: false },
      { wordId: cat.id, correct: true },
    );
  }

  it('CSV: a download with a BOM, the import columns then id and the counters', async () => {
    await inventory();

    const response = await exportWords('format=csv').expect(200);

    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="words-\d{4}-\d{2}-\d{2}\.csv"$/);
    const ids = (await sql<{ id: number }>(t, 'select id from words order by id')).map((w) => w.id);
    expect(response.body).toBe(
      `${BOM}${HEADER},id,correct_count,wrong_count\n` +
        `แมว,cat,maeo,noun,Animals|Pets,${ids[0]},2,1\n` +
        `ข้าว,"rice, cooked",khao,,Food,${ids[1]},0,0\n` +
        `ไม่เป็นไร,"never mind,\n""no problem""",,,,${ids[2]},0,0\n` +
        `หมา,dog,,,Animals,${ids[3]},0,0\n`,
    );
  });

  it('JSON: { words: [...] } with every field, groups by name', async () => {
    await inventory();

    const response = await exportWords('format=json').expect(200);

    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="words-\d{4}-\d{2}-\d{2}\.json"$/);
    const { words } = JSON.parse(response.body);
    const listed = (await client.get('/words?sort_by=id').expect(200)).body.items;
    expect(words).toEqual(listed.map((word: Record<string, unknown>) => ({ ...word, groups: expect.any(Array) })));
    expect(words.map((word: { groups: string[] }) => word.groups)).toEqual([
      ['Animals', 'Pets'],
      ['Food'],
      [],
      ['Animals'],
    ]);
  });

  it('group_id: only the words of the group; 404 for a group that does not exist', async () => {
    await inventory();
    const [animals] = await sql<{ id: number }>(t, "select id from groups where name = 'Animals'");

    const csv = await exportWords(`group_id=${animals.id}`).expect(200);
    expect(csv.headers['content-disposition']).toMatch(new RegExp(`filename="words-group-${animals.id}-`));
    expect(
      csv.body
        .split('\n')
        .slice(1, -1)
        .map((line: string) => line.split(',')[0]),
    ).toEqual(['แมว', 'หมา']);

    const json = await exportWords(`format=json&group_id=${animals.id}`).expect(200);
    expect(JSON.parse(json.body).words.map((word: { thai: string }) => word.thai)).toEqual(['แมว', 'หมา']);

    expectProblem(await client.get('/words/export?group_id=99999'), 404);
  });

  it('names groups whose names sort alike in id order (PostgreSQL’s collation equates full-width letters and ASCII)', async () => {
    await importJson({ words: [{ thai: 'แมว', english: 'cat', groups: ['cat', 'ｃａｔ'] }] }).expect(200);

    const { words } = JSON.parse((await exportWords('format=json').expect(200)).body);
    expect(words[0].groups).toEqual(['cat', 'ｃａｔ']);
  });

  it('an empty inventory exports a header, or no words', async () => {
    expect((await exportWords().expect(200)).body).toBe(`${BOM}${HEADER},id,correct_count,wrong_count\n`);
    expect(JSON.parse((await exportWords('format=json').expect(200)).body)).toEqual({ words: [] });
  });

  it('streams more words than one page (1,201), every one once, in id order', async () => {
    const words = Array.from({ length: 1201 }, (_, i) => ({
      thai: `คำ${i}`,
      english: `word ${i}`,
      groups: [`G${i % 3}`],
    }));
    for (let i = 0; i < words.length; i += 400) {
      await importJson({ words: words.slice(i, i + 400) }).expect(200);
    }
    const { words: exported } = JSON.parse((await exportWords('format=json').expect(200)).body);
    expect(exported.map((word: { thai: string }) => word.thai)).toEqual(words.map((word) => word.thai));
    expect(exported.map((word: { groups: string[] }) => word.groups[0])).toEqual(words.map((word) => word.groups[0]));
  });

  it.each(['format=xml', 'group_id=0', 'colour=red'])('400 for %s', async (query) => {
    expectProblem(await client.get(`/words/export?${query}`), 400);
  });

  /** The export of `format` with every page after the first `pagesRead` failing, and the errors it logged. */
  async function exportFailingAfter(pagesRead: number, format: string) {
    const exportPage = (WordTransferService.prototype as any).exportPage;
    let pages = 0;
    jest.spyOn(WordTransferService.prototype as any, 'exportPage').mockImplementation(function (
      this: WordTransferService,
      ...args: unknown[]
    ) {
      return pages++ < pagesRead
        ? exportPage.apply(this, args)
        : Promise.reject(new Error('SQLITE_IOERR: disk I/O error reading /work/main/database/lang-portal.sqlite'));
    });
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const response = await exportWords(`format=${format}`).catch((error: Error & { code?: string }) => error);
      return { response, logged: logged.mock.calls.map(([message]) => String(message)) };
    } finally {
      jest.restoreAllMocks();
    }
  }

  it('a database failure before the first word is a 500 problem that names none of it, and is logged', async () => {
    await inventory();
    const { response, logged } = await exportFailingAfter(0, 'csv');
    const { status, headers, body } = response as request.Response;
    expect([status, headers['content-type']]).toEqual([500, 'application/problem+json; charset=utf-8']);
    expect(JSON.parse(body)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
    });
    expect(logged).toEqual([expect.stringContaining('SQLITE_IOERR')]);
  });

  it.each(['csv', 'json'])(
    '%s: a database failure after a page of words cuts the download short, so that no part passes for the whole, and is logged',
    async (format) => {
      // More words than a page, which is sent before the next is read.
      const words = Array.from({ length: 501 }, (_, i) => ({ thai: `คำ ${i}`, english: `word ${i}` }));
      await importJson({ words }).expect(200);
      const { response, logged } = await exportFailingAfter(1, format);
      expect(response).toMatchObject({ message: 'aborted', code: 'ECONNRESET' });
      expect(logged).toEqual([expect.stringContaining('SQLITE_IOERR')]);
    },
  );
});

describe('GET /words/export in APP_TIMEZONE', () => {
  const bangkok = useEmptyTestApp({ APP_TIMEZONE: 'Asia/Bangkok' });

  afterEach(() => jest.useRealTimers());

  it('names the file after the day in APP_TIMEZONE', async () => {
    // 03:00 on the 21st in Bangkok, still the 20th in UTC.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'] });
    jest.setSystemTime(new Date('2026-11-20T20:00:00Z'));

    const response = await request(bangkok.http).get(`${API}/words/export`).expect(200);

    expect(response.headers['content-disposition']).toBe('attachment; filename="words-2026-11-21.csv"');
  });
});

describe('export → import round trip', () => {
  async function inventory() {
    await importJson({
      words: [
        CAT,
        RICE,
        { thai: 'ไม่เป็นไร', english: 'never mind,\n"no problem"' },
        { thai: 'หมา', english: 'Dog', parts: { note: null }, groups: ['Animals'] },
        // Names with the separator of a CSV cell of groups, and its escape, in them.
        {
          thai: 'กล้วย',
          english: '🍌'.repeat(150),
          parts: { romanization: 'kluai' },
          groups: ['Fruit|Veg \\ Misc', '\\|'],
        },
        // A part of speech longer than a romanization may be, and a word in more groups than a request may join.
        {
          thai: 'คำ',
          english: 'word',
          parts: { part_of_speech: 'x'.repeat(300) },
          groups: Array.from({ length: MAX_GROUPS_PER_WORD + 1 }, (_, i) => `Topic ${i + 1}`),
        },
      ],
    }).expect(200);
    await client.createWord({ thai: 'ทดสอบ', english: 'test', parts: { part_of_speech: '  noun  ' } });
    await client.createGroup('Empty');
  }

  it.each([
    ['csv', ''],
    ['csv', 'group'],
    ['json', ''],
    ['json', 'group'],
  ])(
    '%s export (%s) re-imports with nothing changed: skip reports all skipped, update all unchanged',
    async (format, scope) => {
      await inventory();
      const [animals] = await sql<{ id: number }>(t, "select id from groups where name = 'Animals'");
      const exported = (await exportWords(`format=${format}${scope && `&group_id=${animals.id}`}`).expect(200)).body;
      const count = scope ? 2 : 7;
      const before = await allRows(t);

      const send = (mode: string) =>
        format === 'csv'
          ? importCsv(exported, `on_duplicate=${mode}`)
          : request(t.http)
              .post(`${API}/words/import?on_duplicate=${mode}`)
              .set('Content-Type', 'application/json')
              .send(exported);

      expect((await send('skip').expect(200)).body).toEqual(
        report({ on_duplicate: 'skip', rows: count, skipped: count }),
      );
      expect((await send('update').expect(200)).body).toEqual(
        report({ on_duplicate: 'update', rows: count, unchanged: count }),
      );
      expect(await allRows(t)).toEqual(before);
    },
  );

  it('JSON: a word whose parts nest as deep as POST /words takes re-imports; one level deeper is a 400', async () => {
    const nested = (levels: number) => {
      let parts: Record<string, unknown> = { leaf: 1 };
      for (let level = 1; level < levels; level++) {
        parts = { a: parts };
      }
      return parts;
    };
    // POST /words' body is level 1, so its parts may nest 31 levels.
    await client.createWord({ thai: 'ลึก', english: 'deep', parts: nested(31) });
    expectProblem(
      await request(t.http)
        .post(`${API}/words`)
        .send({ thai: 'ลึกกว่า', english: 'deeper', parts: nested(32) }),
      400,
    );
    const json = (await exportWords('format=json').expect(200)).body;
    const words = await storedWords();

    await sql(t, 'delete from words');
    await request(t.http).post(`${API}/words/import`).set('Content-Type', 'application/json').send(json).expect(200);
    expect(await storedWords()).toEqual(words);

    const deeper = [{ thai: 'ข', english: 'b', parts: nested(32) }];
    expect(expectProblem(await importJson({ words: deeper }), 400).detail).toBe(
      'The request is nested deeper than 34 levels',
    );
  });

  it('CSV: a cell a spreadsheet would run as a formula starts with an apostrophe, which the import takes off', async () => {
    const words = [
      {
        thai: 'ก',
        english: '=HYPERLINK("http://evil.example","click")',
        parts: { romanization: '+1', part_of_speech: '@SUM(A1)' },
        groups: ['-2+3', 'Safe'],
      },
      // An apostrophe the word itself begins with is kept apart from the one the export adds.
      { thai: 'ข', english: "'=1+1" },
      { thai: 'ค', english: '\uFF1D1+1' },
      { thai: 'ง', english: "it's - fine" },
    ];
    await importJson({ words }).expect(200);
    const stored = await storedWords();

    const csv = (await exportWords('format=csv').expect(200)).body;
    expect(
      csv
        .split('\n')
        .slice(1, -1)
        .map((line: string) => line.replace(/,\d+,0,0$/, '')),
    ).toEqual([
      `ก,"'=HYPERLINK(""http://evil.example"",""click"")",'+1,'@SUM(A1),'-2+3|Safe`,
      "ข,''=1+1,,,",
      "ค,'\uFF1D1+1,,,",
      "ง,it's - fine,,,",
    ]);
    expect((await importCsv(csv, 'on_duplicate=update').expect(200)).body).toEqual(
      report({ on_duplicate: 'update', rows: 4, unchanged: 4 }),
    );
    await sql(t, 'delete from words');
    await sql(t, 'delete from groups');
    await importCsv(csv).expect(200);
    expect(await storedWords()).toEqual(stored);
  });

  it('an export imported into an empty inventory gives the same words and groups', async () => {
    await inventory();
    const csv = (await exportWords('format=csv').expect(200)).body;
    const json = (await exportWords('format=json').expect(200)).body;
    const words = await storedWords();

    await sql(t, 'delete from words');
    await sql(t, 'delete from groups');
    await request(t.http).post(`${API}/words/import`).set('Content-Type', 'application/json').send(json).expect(200);
    expect(await storedWords()).toEqual(words);

    await sql(t, 'delete from words');
    await sql(t, 'delete from groups');
    await importCsv(csv).expect(200);
    // CSV carries romanization and part_of_speech only.
    expect(await storedWords()).toEqual(
      words.map((word) => ({
        ...word,
        parts: Object.fromEntries(
          Object.entries(word.parts).filter(([key]) => key === 'romanization' || key === 'part_of_speech'),
        ),
      })),
    );
  });
});

describe('an import while other requests write', () => {
  /**
   * Sends `other` once the import has read what it changes (while it looks up the rows' groups), and lets the
   * import go on when `other` is answered or has waited half a second (for the import, which holds the words).
   */
  function sendDuringImport(other: () => request.Test) {
    const findByNames = GroupsService.prototype.findByNames;
    let sent: Promise<request.Response> | undefined;
    jest.spyOn(GroupsService.prototype, 'findByNames').mockImplementation(async function (this: GroupsService, names) {
      if (!sent) {
        sent = Promise.resolve(other());
        await Promise.race([sent, new Promise((resolve) => setTimeout(resolve, 500))]);
      }
      return findByNames.call(this, names);
    });
    return () => sent!;
  }

  it('a forced delete of a word it updates waits for it, or is seen by it', async () => {
    const [cat] = await client.createWords(['แมว', 'cat']);
    const deleted = sendDuringImport(() => client.delete(`/words/${cat.id}?force=true`));
    let imported: request.Response;
    try {
      imported = await importJson({ on_duplicate: 'update', words: [{ thai: 'แมว', english: 'Cat' }] });
    } finally {
      jest.restoreAllMocks();
    }
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual(report({ on_duplicate: 'update', rows: 1, updated: 1 }));
    expect((await deleted()).status).toBe(204);
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('a change of a word it updates is not overwritten by what the import read before it', async () => {
    const [cat] = await client.createWords(['แมว', 'cat']);
    const patched = sendDuringImport(() => client.patch(`/words/${cat.id}`, { english: 'kitty' }));
    try {
      await importJson({ on_duplicate: 'update', words: [{ thai: 'แมว', english: 'CAT' }] }).expect(200);
    } finally {
      jest.restoreAllMocks();
    }
    expect((await patched()).status).toBe(200);
    // The import and then the change, one after the other: the change is what stays.
    expect((await storedWords()).map((word) => word.english)).toEqual(['kitty']);
  });

  it('two imports adding memberships of the same groups in crossed orders both succeed', async () => {
    const [old1, old2] = await client.createWords(['เก่า', 'old one'], ['เก่าสอง', 'old two']);
    await client.createGroup('G1');
    await client.createGroup('G2');
    // Each import adds a new word to one group, then a stored word to the other: the first G1 then G2, the second
    // G2 then G1. The second is sent while the first adds its stored word.
    const addMemberships = GroupsService.prototype.addMemberships;
    let calls = 0;
    let second: Promise<request.Response> | undefined;
    jest.spyOn(GroupsService.prototype, 'addMemberships').mockImplementation(async function (
      this: GroupsService,
      memberships,
    ) {
      calls += 1;
      if (calls === 2) {
        second = Promise.resolve(
          importJson({
            on_duplicate: 'update',
            words: [
              { thai: 'ใหม่สอง', english: 'new two', groups: ['G2'] },
              { thai: 'เก่าสอง', english: 'old two', groups: ['G1'] },
            ],
          }),
        );
        await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 500))]);
      }
      return addMemberships.call(this, memberships);
    });
    let first: request.Response;
    try {
      first = await importJson({
        on_duplicate: 'update',
        words: [
          { thai: 'ใหม่', english: 'new one', groups: ['G1'] },
          { thai: 'เก่า', english: 'old one', groups: ['G2'] },
        ],
      });
    } finally {
      jest.restoreAllMocks();
    }
    expect(first.status).toBe(200);
    expect((await second!).status).toBe(200);
    expect((await client.getWord(old1.id)).groups.map((group) => group.name)).toEqual(['G2']);
    expect((await client.getWord(old2.id)).groups.map((group) => group.name)).toEqual(['G1']);
    const counts = await sql<{ name: string; words_count: number }>(
      t,
      'select name, words_count from groups order by name',
    );
    expect(counts).toEqual([
      { name: 'G1', words_count: 2 },
      { name: 'G2', words_count: 2 },
    ]);
  });
});

import { seed } from '../../database/seeders/DatabaseSeeder.js';
import { dialect } from '../../src/database/dialect.js';
import { wordSearch } from '../../src/words/search.js';
import {
  clearDatabase,
  expectInvalid,
  insertAnswers,
  planOf,
  queriesDuring,
  sql,
  type WordBody,
  type WordInput,
} from '../api.js';
import { useTestApp } from '../app.js';
import { portal } from '../fixtures.js';

/** `q` of the word lists (an FTS5 trigram index, tone-insensitive Thai, ranked) and `sort_by=thai`. */
const t = useTestApp();
const client = portal(t);
beforeEach(() => clearDatabase(t));

const thaiOf = async (path: string): Promise<string[]> =>
  (await client.get(path).expect(200)).body.items.map((word: WordBody) => word.thai);
const search = (q: string, more = '') => thaiOf(`/words?q=${encodeURIComponent(q)}${more}`);

/**
 * The search index agrees with the words table. FTS5 compares its index (kept by triggers) with the table, and
 * throws if they differ. PostgreSQL writes its trigram indexes in each write's own transaction and has no check
 * of GIN indexes before version 18: what can be wrong is an index it does not use (invalid or not ready).
 */
const expectIndexConsistent = async () => {
  if (dialect.name === 'sqlite') {
    await sql(t, `insert into words_search (words_search, rank) values ('integrity-check', 1)`);
    return;
  }
  const indexes = await sql<{ name: string; usable: boolean }>(
    t,
    `select c.relname as name, i.indisvalid and i.indisready as usable
       from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = 'words'::regclass and c.relname like '%trigram%'`,
  );
  expect(indexes).toEqual(expect.arrayContaining(wordSearch.indexes.map(({ name }) => ({ name, usable: true }))));
  expect(indexes).toHaveLength(wordSearch.indexes.length);
};

/**
 * The steps of a statement's plan that read a table row by row. SQLite: the SCANs but the full-text index's (a
 * virtual table). PostgreSQL: the sequential scans it still plans when told to avoid them.
 */
async function tableScansOf(statement: { sql: string; params: readonly unknown[] }): Promise<string[]> {
  return (await planOf(t, statement, ['seqscan'])).filter((step) =>
    dialect.name === 'sqlite' ? /^SCAN (?!words_search VIRTUAL TABLE)/.test(step) : /\bSeq Scan\b/.test(step),
  );
}

const create = async (...words: WordInput[]) => {
  const created: WordBody[] = [];
  for (const word of words) {
    created.push(await client.createWord(word));
  }
  return created;
};

describe('search with q', () => {
  beforeEach(() =>
    create(
      { thai: 'ขาว', english: 'white', parts: { romanization: 'khao' } },
      { thai: 'ข้าว', english: 'rice', parts: { romanization: 'khao' } },
      { thai: 'ข่าว', english: 'news', parts: { romanization: 'khao' } },
      { thai: 'ข้าวผัด', english: 'fried rice', parts: { romanization: 'khaophat' } },
      { thai: 'ข้าวเหนียว', english: 'sticky rice', parts: { romanization: 'khaoniao' } },
      { thai: 'กินข้าว', english: 'eat', parts: { romanization: 'kinkhao' } },
      { thai: 'โรงพยาบาล', english: 'hospital', parts: { romanization: 'rongphayaban' } },
      { thai: 'พยาบาล', english: 'nurse', parts: { romanization: 'phayaban' } },
      { thai: 'สวัสดี', english: 'Hello', parts: { romanization: 'sawatdi' } },
      { thai: 'หม้อหุงข้าว', english: 'rice cooker' },
    ),
  );

  it('finds a Thai substring in the middle of a word, with no word segmentation', async () => {
    expect(await search('ยาบา')).toEqual(['พยาบาล', 'โรงพยาบาล']);
    expect(await search('หุง')).toEqual(['หม้อหุงข้าว']);
    expect(await search('วัสด')).toEqual(['สวัสดี']);
  });

  it('finds words with tone marks for a query without them, the exact match first', async () => {
    // ขาว exactly; then the same letters with other marks (in Thai order: ่ before ้); then at the start; then inside.
    expect(await search('ขาว')).toEqual(['ขาว', 'ข่าว', 'ข้าว', 'ข้าวผัด', 'ข้าวเหนียว', 'กินข้าว', 'หม้อหุงข้าว']);
    expect(await search('หมอหุง')).toEqual(['หม้อหุงข้าว']);
    // Descending, each rank's Thai order turns round, but no word changes rank: the other marks stay second.
    expect(await search('ขาว', '&order=desc')).toEqual(['ขาว', 'ข้าว', 'ข่าว', 'ข้าวเหนียว', 'ข้าวผัด', 'หม้อหุงข้าว', 'กินข้าว']);
  });

  it('takes tone marks typed in the query as meant', async () => {
    expect(await search('ข้าว')).toEqual(['ข้าว', 'ข้าวผัด', 'ข้าวเหนียว', 'กินข้าว', 'หม้อหุงข้าว']);
    expect(await search('ข่าว')).toEqual(['ข่าว']);
  });

  it('finds a romanization by its start or any part of it, ignoring case', async () => {
    expect(await search('sawat')).toEqual(['สวัสดี']);
    expect(await search('PHAYA')).toEqual(['พยาบาล', 'โรงพยาบาล']);
    expect(await search('khaop')).toEqual(['ข้าวผัด']);
  });

  it('finds an English word, ignoring case, exact matches first', async () => {
    expect(await search('rice')).toEqual(['ข้าว', 'หม้อหุงข้าว', 'ข้าวผัด', 'ข้าวเหนียว']);
    expect(await search('HOSPITAL')).toEqual(['โรงพยาบาล']);
    expect(await search('hello')).toEqual(['สวัสดี']);
  });

  it('finds Latin letters written in thai ignoring case, as in english, on every database', async () => {
    await create(
      { thai: 'เอทีเอ็ม ATM', english: 'cash machine' },
      { thai: 'อีเมล e-mail', english: 'electronic letter' },
    );
    expect(await search('atm')).toEqual(['เอทีเอ็ม ATM']);
    expect(await search('ม ATM')).toEqual(['เอทีเอ็ม ATM']);
    expect(await search('E-MAIL')).toEqual(['อีเมล e-mail']);
    expect(await search('เอ็ม atm')).toEqual(['เอทีเอ็ม ATM']);
  });

  it('ranks exact matches, then matches at the start, then inside, whatever the Thai order', async () => {
    // กินข้าว sorts first in Thai order, but only contains "khao"; ข้าวผัด starts with it.
    expect(await search('khao')).toEqual(['ขาว', 'ข่าว', 'ข้าว', 'ข้าวผัด', 'ข้าวเหนียว', 'กินข้าว']);
    expect(await search('khao', '&order=desc')).toEqual(['ข้าว', 'ข่าว', 'ขาว', 'ข้าวเหนียว', 'ข้าวผัด', 'กินข้าว']);
  });

  it('ranks a romanization written in capitals beyond A–Z as it ranks english, ignoring case', async () => {
    await create(
      { thai: 'ผม', english: 'hair', parts: { romanization: 'ÉCLAIR' } },
      { thai: 'ไก่', english: 'chicken', parts: { romanization: 'ÉCLAIRAGE' } },
      { thai: 'ขนมเอแคลร์', english: 'pastry', parts: { romanization: 'PETIT ÉCLAIR' } },
    );
    // ผม matches exactly, ไก่ at the start, ขนมเอแคลร์ inside: the Thai order (ขนมเอแคลร์, ไก่, ผม) comes after.
    expect(await search('éclair')).toEqual(['ผม', 'ไก่', 'ขนมเอแคลร์']);
    expect(await search('Éclair', '&order=desc')).toEqual(['ผม', 'ไก่', 'ขนมเอแคลร์']);
  });

  it('sorts by sort_by instead of relevance when it is given', async () => {
    expect(await search('rice', '&sort_by=english')).toEqual(['ข้าวผัด', 'ข้าว', 'หม้อหุงข้าว', 'ข้าวเหนียว']);
    expect(await search('rice', '&sort_by=thai')).toEqual(['ข้าว', 'ข้าวผัด', 'ข้าวเหนียว', 'หม้อหุงข้าว']);
  });

  it('matches the start of thai, english or romanization for one or two characters', async () => {
    expect(await search('ข')).toEqual(['ขาว', 'ข่าว', 'ข้าว', 'ข้าวผัด', 'ข้าวเหนียว']);
    expect(await search('พย')).toEqual(['พยาบาล']);
    expect(await search('ri')).toEqual(['ข้าว', 'หม้อหุงข้าว']);
    expect(await search('Ri')).toEqual(['ข้าว', 'หม้อหุงข้าว']);
    expect(await search('ro')).toEqual(['โรงพยาบาล']);
    // Tone-insensitive too, unless the query has a tone mark.
    expect(await search('ข้')).toEqual(['ข้าว', 'ข้าวผัด', 'ข้าวเหนียว']);
    expect(await search('z')).toEqual([]);
  });

  it('matches the start of english or romanization as written, for letters beyond A–Z too', async () => {
    await create({ thai: 'ขนมเอแคลร์', english: 'Éclair', parts: { romanization: 'Ñam' } });
    for (const q of ['É', 'Éc', 'ÉC', 'Ñ', 'Ña', 'ÑA']) {
      expect({ q, found: await search(q) }).toEqual({ q, found: ['ขนมเอแคลร์'] });
    }
  });

  it('matches the start of english for a character just before A, not the characters after Z', async () => {
    // english ignores case in A–Z: the words that start with [ \ ] ^ _ or ` sort between Z and a.
    await create(
      { thai: 'บ้าน', english: '@home' },
      { thai: 'ขีดล่าง', english: '_under' },
      { thai: 'วงเล็บ', english: '[x]' },
    );
    expect(await search('@')).toEqual(['บ้าน']);
  });

  it('matches the start for a character just before the surrogates, U+D7FF, not those after them', async () => {
    await create({ thai: '\u{D7FF}', english: 'before' }, { thai: '\u{E000}', english: 'after' });
    expect(await search('\u{D7FF}')).toEqual(['\u{D7FF}']);
  });

  it('matches the start for one or two characters ending in the last code point, U+10FFFF', async () => {
    await create({ thai: 'ก\u{10FFFF}ข', english: 'last' }, { thai: '\u{10FFFF}', english: 'only' });
    expect(await search('ก\u{10FFFF}')).toEqual(['ก\u{10FFFF}ข']);
    expect(await search('\u{10FFFF}')).toEqual(['\u{10FFFF}']);
  });

  it('400 for a q of more than 200 characters; 200 are fine, with spaces around them', async () => {
    expectInvalid(await client.get(`/words?q=${encodeURIComponent('ก'.repeat(201))}`), 'q');
    await client.get(`/words?q=${encodeURIComponent(` ${'ก'.repeat(200)} `)}`).expect(200);
  });

  it('pages the matches and counts them all', async () => {
    const response = await client.get(`/words?q=${encodeURIComponent('ขาว')}&per_page=3&page=2`).expect(200);
    expect(response.body.items.map((word: WordBody) => word.thai)).toEqual(['ข้าวผัด', 'ข้าวเหนียว', 'กินข้าว']);
    expect(response.body.pagination).toEqual({ current_page: 2, total_pages: 3, total_items: 7, items_per_page: 3 });
  });

  it('searches the words of a group the same way', async () => {
    const words = await thaiAndIds();
    const group = await client.createGroup('Rice', [words['ข้าวผัด'], words['กินข้าว'], words['ขาว']]);
    expect(await thaiOf(`/groups/${group.id}/words?q=${encodeURIComponent('ขาว')}`)).toEqual(['ขาว', 'ข้าวผัด', 'กินข้าว']);
    expect(await thaiOf(`/words?group_id=${group.id}&q=${encodeURIComponent('ข้าว')}`)).toEqual(['ข้าวผัด', 'กินข้าว']);
    // Counted among the matches, not the group's words.
    const paged = await client.get(`/groups/${group.id}/words?q=${encodeURIComponent('ข้าว')}&per_page=1`).expect(200);
    expect(paged.body.pagination).toEqual({ current_page: 1, total_pages: 2, total_items: 2, items_per_page: 1 });
  });

  it('takes quotes and FTS5 operators as text', async () => {
    const [quoted, apostrophe] = await create(
      { thai: 'คำ "พูด"', english: 'a "quoted" AND word' },
      { thai: 'อย่า', english: "don't" },
    );
    expect(await client.ids(`/words?q=${encodeURIComponent("on't")}`)).toEqual([apostrophe.id]);
    expect(await client.ids(`/words?q=${encodeURIComponent("'t")}`)).toEqual([]);
    expect(await client.ids(`/words?q=${encodeURIComponent('"quoted" AND')}`)).toEqual([quoted.id]);
    expect(await client.ids(`/words?q=${encodeURIComponent('"พูด"')}`)).toEqual([quoted.id]);
    expect(await client.ids(`/words?q=${encodeURIComponent('NEAR(a b)')}`)).toEqual([]);
    expect(await client.ids(`/words?q=${encodeURIComponent('*')}`)).toEqual([]);
    for (const q of [
      '"',
      '""',
      '"*"',
      'a"b"c',
      '{thai} : ขาว',
      'thai: x',
      'NEAR(',
      '^abc',
      '-abc',
      'a OR b',
      '\\',
      '🙏🙏🙏',
    ]) {
      await client.get(`/words?q=${encodeURIComponent(q)}`).expect(200);
    }
  });

  it('finds % _ and \\ as the characters they are, not as patterns', async () => {
    const [percent, , underscore, , backslash] = await create(
      { thai: 'น้ำส้ม', english: '100% juice' },
      { thai: 'น้ำแอปเปิ้ล', english: '100 ml juice' },
      { thai: 'งู', english: 'snake_case' },
      { thai: 'อูฐ', english: 'snakeXcase' },
      { thai: 'ทับ', english: 'back\\slash' },
      { thai: 'หลัง', english: 'backslash' },
    );
    expect(await client.ids(`/words?q=${encodeURIComponent('0% j')}`)).toEqual([percent.id]);
    expect(await client.ids(`/words?q=${encodeURIComponent('e_c')}`)).toEqual([underscore.id]);
    expect(await client.ids(`/words?q=${encodeURIComponent('k\\s')}`)).toEqual([backslash.id]);
    expect(await client.ids(`/words?q=${encodeURIComponent('%')}`)).toEqual([]);
  });

  it('matches Latin letters at the start of thai as written, for one or two characters', async () => {
    const [atm] = await create({ thai: 'ATM', english: 'cash machine' });
    expect(await client.ids('/words?q=AT')).toEqual([atm.id]);
    expect(await client.ids('/words?q=at')).toEqual([]);
  });

  it('stays correct after a word is updated, answered or deleted', async () => {
    const words = await thaiAndIds();
    await client.patch(`/words/${words['ข้าวผัด']}`, { thai: 'ผัดไทย', english: 'pad thai' }).expect(200);
    expect(await search('ข้าวผ')).toEqual([]);
    expect(await search('fried')).toEqual([]);
    expect(await search('ดไท')).toEqual(['ผัดไทย']);
    expect(await search('pad t')).toEqual(['ผัดไทย']);
    // The romanization is read from parts.
    expect(await search('khaophat')).toEqual(['ผัดไทย']);
    await client.patch(`/words/${words['ข้าวผัด']}`, { parts: { romanization: 'phatthai' } }).expect(200);
    expect(await search('khaophat')).toEqual([]);
    expect(await search('phatth')).toEqual(['ผัดไทย']);
    // Answers move the counters of a word; the index stays as it is.
    await insertAnswers(t, { wordId: words['ขาว'], correct: true }, { wordId: words['ขาว'], correct: false });
    expect(await search('white')).toEqual(['ขาว']);

    await client.delete(`/words/${words['ข้าว']}`).expect(204);
    await client.delete(`/words/${words['ขาว']}?force=true`).expect(204);
    expect(await search('ขาว')).toEqual(['ข่าว', 'ข้าวเหนียว', 'กินข้าว', 'หม้อหุงข้าว']);
    expect(await search('white')).toEqual([]);
    expect(await search('ข')).toEqual(['ข่าว', 'ข้าวเหนียว']);
    await expectIndexConsistent();

    await clearDatabase(t);
    expect(await search('ขาว')).toEqual([]);
    await expectIndexConsistent();
  });

  it('answers from the indexes, not by reading every word', async () => {
    for (const q of ['ขาว', 'ข้าว', 'rice', 'ข', 'ri', 'ข้']) {
      const statements = await queriesDuring(() => client.get(`/words?q=${encodeURIComponent(q)}`).expect(200));
      // The page and its count; no table read row by row, but the full-text index (a virtual table).
      expect(statements).toHaveLength(2);
      for (const statement of statements) {
        expect({ q, scans: await tableScansOf(statement) }).toEqual({ q, scans: [] });
      }
    }
  });
});

/** The ids of every word, by thai. */
async function thaiAndIds(): Promise<Record<string, number>> {
  const { items } = (await client.get('/words?per_page=500').expect(200)).body;
  return Object.fromEntries(items.map((word: WordBody) => [word.thai, word.id]));
}

describe('sort_by=thai', () => {
  const collator = new Intl.Collator('th');
  /** Dictionary order: as the collator sorts, words it finds equal by id. */
  const dictionaryOrder = (words: WordBody[]) =>
    [...words].sort((a, b) => collator.compare(a.thai, b.thai) || a.id - b.id);

  /** Every word of a list, page after page. */
  async function allPages(path: string, perPage: number): Promise<WordBody[]> {
    const words: WordBody[] = [];
    for (let page = 1; ; page++) {
      const { items, pagination } = (await client.get(`${path}&per_page=${perPage}&page=${page}`).expect(200)).body;
      words.push(...items);
      if (page >= pagination.total_pages) {
        return words;
      }
    }
  }

  it('files a leading vowel under its consonant, and tone marks only break ties', async () => {
    await create(
      { thai: 'ไก่', english: 'chicken' },
      { thai: 'เข้าใจ', english: 'understand' },
      { thai: 'ขา', english: 'leg' },
      { thai: 'ข้าว', english: 'rice' },
      { thai: 'ขาว', english: 'white' },
      { thai: 'ข่าว', english: 'news' },
      { thai: 'ขวา', english: 'right' },
      { thai: 'ก', english: 'the letter ko kai' },
      { thai: 'ค่ะ', english: 'polite particle' },
      { thai: 'แกง', english: 'curry' },
    );
    const order = ['ก', 'แกง', 'ไก่', 'ขวา', 'ขา', 'ขาว', 'ข่าว', 'ข้าว', 'เข้าใจ', 'ค่ะ'];
    expect([...order].sort(collator.compare)).toEqual(order);
    expect(await thaiOf('/words?sort_by=thai')).toEqual(order);
    expect(await thaiOf('/words')).toEqual(order);
    expect(await thaiOf('/words?sort_by=thai&order=desc')).toEqual([...order].reverse());
  });

  it('pages the whole seed vocabulary in the order of Intl.Collator("th")', async () => {
    const loaded = await seed(t.orm);
    expect(loaded).toBeGreaterThan(300);

    const ascending = await allPages('/words?sort_by=thai', 50);
    expect(ascending).toHaveLength(loaded);
    expect(ascending.map((word) => word.thai)).toEqual(dictionaryOrder(ascending).map((word) => word.thai));
    expect(ascending.map((word) => word.id)).toEqual(dictionaryOrder(ascending).map((word) => word.id));

    const descending = await allPages('/words?sort_by=thai&order=desc', 77);
    const reversed = [...ascending].sort((a, b) => collator.compare(b.thai, a.thai) || a.id - b.id);
    expect(descending.map((word) => word.id)).toEqual(reversed.map((word) => word.id));

    const { items: groups } = (await client.get('/groups?per_page=500').expect(200)).body;
    for (const group of groups) {
      const words = await allPages(`/groups/${group.id}/words?sort_by=thai`, 500);
      expect(words.map((word) => word.id)).toEqual(dictionaryOrder(words).map((word) => word.id));
    }
  });

  it('sorts the words of a study session the same way', async () => {
    const words = await create(
      { thai: 'เข้าใจ', english: 'understand' },
      { thai: 'ข้าว', english: 'rice' },
      { thai: 'ไก่', english: 'chicken' },
      { thai: 'ขาว', english: 'white' },
    );
    const group = await client.createGroup(
      'Mixed',
      words.map((word) => word.id),
    );
    const session = await client.createSession(group.id);
    await client.answerInOrder(
      session.id,
      words.map((word) => [word, true] as const),
    );
    const path = `/study_sessions/${session.id}/words?sort_by=thai`;
    expect(await thaiOf(path)).toEqual(['ไก่', 'ขาว', 'ข้าว', 'เข้าใจ']);
    expect(await thaiOf(`${path}&order=desc`)).toEqual(['เข้าใจ', 'ข้าว', 'ขาว', 'ไก่']);
  });

  it('keeps the order when a word is renamed', async () => {
    const [word] = await create({ thai: 'ฮา', english: 'laugh' }, { thai: 'ข', english: 'kho khai' });
    expect(await thaiOf('/words')).toEqual(['ข', 'ฮา']);
    await client.patch(`/words/${word.id}`, { thai: 'กา' }).expect(200);
    expect(await thaiOf('/words')).toEqual(['กา', 'ข']);
  });
});

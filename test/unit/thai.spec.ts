import fc from 'fast-check';
import { hasToneMarks, thaiSortKey, withoutToneMarks } from '../../src/words/thai.js';

const collator = new Intl.Collator('th');
const sign = (n: number) => Math.sign(n) || 0;
/** How the database compares two keys (binary); the keys are ASCII, so code units are bytes. */
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const keyOrder = (a: string, b: string) => compareKeys(thaiSortKey(a), thaiSortKey(b));

/** Every assigned character of the Thai block. */
const THAI = Array.from({ length: 0x5b }, (_, i) => String.fromCodePoint(0x0e01 + i)).filter(
  (char) => char < '\u0E3B' || char > '\u0E3E',
);
const ASCII = Array.from({ length: 0x5f }, (_, i) => String.fromCodePoint(0x20 + i));
/** What tells the levels apart: leading vowels, consonants after them, marks, ำ and its spellings, ignorables. */
const TRICKY = [...'กขคฮเแโใไาะำๅํ่้๊๋็์๎ฯๆ', ' ', '-', '.', 'a', 'A', '1', '๑', '\u200b', '\u00ad', '\t'];

/**
 * ICU is not consistent about a mark after punctuation or a space, which it ignores with the mark: when the
 * mark is ็ ์ ๎ (or follows one), or an invisible character comes between, it ignores the mark or not
 * depending on the other string. `ก.็` > `ก.` though `ก.็` = `ก.่` = `ก.`; `.\u200b๊` > `.` though both equal
 * the empty string. No key can follow that, and no word is written so: such strings are left out.
 */
const consistentInIcu = (text: string) => !/[\p{P}\p{Z}\sฯๆ๏๚๛][\p{Cc}\p{Cf}่้๊๋็์๎]*(?:[็์๎]|[\p{Cc}\p{Cf}][่้๊๋])/u.test(text);

const textOf = (alphabet: string[]) =>
  fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 8 }).filter(consistentInIcu);

describe('withoutToneMarks', () => {
  it.each([
    ['ข้าว', 'ขาว'],
    ['ข่าว', 'ขาว'],
    ['ก๊ก', 'กก'],
    ['ก๋วยเตี๋ยว', 'กวยเตียว'],
    ['เก็บ', 'เกบ'],
    ['อาทิตย์', 'อาทิตย'],
    ['น้ำ', 'นำ'],
    ['สวัสดี', 'สวัสดี'],
    ['hello', 'hello'],
  ])('%s → %s', (text, plain) => {
    expect(withoutToneMarks(text)).toBe(plain);
    expect(hasToneMarks(text)).toBe(text !== plain);
  });
});

describe('thaiSortKey', () => {
  it('orders a leading vowel under the consonant after it, and tone marks as a tie-breaker only', () => {
    const words = ['ก', 'กา', 'ก่า', 'ก้า', 'กาก', 'กำ', 'กิ', 'เก', 'แก', 'เก่ง', 'ไก่', 'ขา', 'ขาว', 'ข่าว', 'ข้าว'];
    const dictionary = [...words].sort(collator.compare);
    expect([...words].sort(keyOrder)).toEqual(dictionary);
    expect(dictionary.indexOf('เก')).toBeGreaterThan(dictionary.indexOf('กิ'));
    expect(dictionary.indexOf('เก')).toBeLessThan(dictionary.indexOf('ขา'));
  });

  it.each([
    ['ขาว', 'ข้าว', -1],
    ['ข้าว', 'ขาวๆ', 1],
    ['เข้าใจ', 'ขา', 1],
    ['เข้าใจ', 'ขเ้าใจ', 0],
    ['กำ', 'กํา', 1],
    ['กำ', 'กาา', -1],
    ['กๅ', 'กา', 1],
    ['ก ข', 'กข', 0],
    ['กรุงเทพฯ', 'กรุงเทพ', 0],
    ['ก-่', 'ก', 0],
    ['ก\u200b่', 'ก', 1],
    ['๑๒', '12', 0],
    ['ก', 'a', -1],
    ['a', 'A', -1],
    ['aB', 'Ab', -1],
    // Letters beyond ASCII: a capital after its small letter, and only at the last level.
    ['é', 'É', -1],
    ['Éa', 'éb', -1],
    ['Ω', 'ω', 1],
    ['ß', 'ẞ', -1],
    ['$', '0', -1],
  ])('%j against %j: %i, as Intl.Collator("th")', (a, b, expected) => {
    expect(sign(collator.compare(a, b))).toBe(expected);
    expect(keyOrder(a, b)).toBe(expected);
  });

  it('is plain ASCII: hexadecimal weights and the spaces between levels', () => {
    expect(thaiSortKey('ข้าว')).toMatch(/^[0-9a-f ]+$/);
    expect(thaiSortKey('สวัสดี 🙏 café')).toMatch(/^[0-9a-f ]+$/);
    expect(thaiSortKey('')).toBe('');
    expect(thaiSortKey('ขาว')).toBe(thaiSortKey('ขาวๆ'));
  });

  it.each([
    ['Thai', THAI],
    ['Thai and ASCII', [...THAI, ...ASCII]],
    ['the characters that tell the levels apart', TRICKY],
  ])('compares any two strings of %s as Intl.Collator("th") does', (_, alphabet) => {
    fc.assert(
      fc.property(textOf(alphabet), textOf(alphabet), (a, b) => {
        expect({ a, b, order: keyOrder(a, b) }).toEqual({ a, b, order: sign(collator.compare(a, b)) });
      }),
      { numRuns: 20_000 },
    );
  });

  it('compares a string and its variations (a prefix, a mark or letter more) as Intl.Collator("th") does', () => {
    fc.assert(
      fc.property(textOf(TRICKY), fc.nat(8), textOf(TRICKY), (a, cut, tail) => {
        const b = (a.slice(0, cut) + tail).slice(0, 10);
        fc.pre(consistentInIcu(b));
        expect({ a, b, order: keyOrder(a, b) }).toEqual({ a, b, order: sign(collator.compare(a, b)) });
      }),
      { numRuns: 20_000 },
    );
  });
});

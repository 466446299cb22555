/**
 * Thai text as the word lists compare it: the marks a search may leave out, and the key that sorts words in
 * Thai dictionary order. Plain functions of a string, the same whatever the database.
 */

/**
 * The marks Thai dictionary order treats as a tie-breaker only (secondary differences in
 * `Intl.Collator('th')`): the four tone marks ่ ้ ๊ ๋, maitaikhu ็ (a short vowel), thanthakhat ์ (a silent
 * letter) and yamakkan ๎. They sit above a consonant, are the marks learners leave out or get wrong, and
 * removing them keeps every letter and vowel of the word.
 */
export const TONE_MARKS = ['\u0E48', '\u0E49', '\u0E4A', '\u0E4B', '\u0E47', '\u0E4C', '\u0E4E'] as const;

const TONE_MARK = new RegExp(`[${TONE_MARKS.join('')}]`, 'gu');

/** `text` without its tone marks (see TONE_MARKS): `ข้าว` → `ขาว`. */
export function withoutToneMarks(text: string): string {
  return text.replace(TONE_MARK, '');
}

/** Whether `text` has one of the TONE_MARKS. */
export function hasToneMarks(text: string): boolean {
  return withoutToneMarks(text) !== text;
}

// ---------------------------------------------------------------------------------------------------------
// The sort key.
//
// `Intl.Collator('th')` (ICU's Thai collation) compares strings in three levels: the letters (primary), then
// the marks (secondary: the tone marks and ็ ์ ๎), then variants (tertiary: case, ๅ against า, ำ against
// า + ํ). Punctuation, spaces, ฯ and ๆ are ignored, and so is a mark right after them. A leading vowel
// เ แ โ ใ ไ followed by a consonant counts as if written after it (`เข้าใจ` files under ข, among the words of
// ข + า… by its vowel). Thai sorts before Latin; symbols and digits (Thai digits equal to ASCII ones) before both.
//
// thaiSortKey turns a string into a key of three levels of fixed-width hexadecimal weights, so that keys in
// byte order (SQL's default, binary) sort as the collator does. Each level lists one weight per collation
// element, the next level compared only when the previous one is equal; a space ends a level, so a string
// whose weights are a prefix of another's sorts first. Trailing commons of the two lower levels are dropped
// (as ICU does: it keeps the order and makes the key of a word without marks only its letters).
//
// Thai, ASCII and whitespace sort exactly as ICU 77 (Node 24) does; test/unit/thai.spec.ts compares them
// with Intl.Collator, leaving out the marks after punctuation where ICU contradicts itself. Other scripts and
// symbols sort after Latin (symbols before digits) by code point, which ICU does not.
//
// The keys are stored (words.thai_sort): a change of this function needs a migration that recomputes them.
// ---------------------------------------------------------------------------------------------------------

/** A collation element: its primary weight (0 for a mark), secondary and tertiary weight. */
interface Element {
  primary: number;
  secondary: number;
  tertiary: number;
}

const COMMON = 1;
const UPPER = 2;
/** The tertiary weights that tell า + ํ, ํ + า, ำ and ๅ apart, in that order. */
const NIKHAHIT_BEFORE = 2;
const SARA_AM = 3;
const LAKKHANGYAO = 4;

// Primary weights: a group in the high bits, the rank in the group below (every code point fits in 21 bits).
const SYMBOLS = 1 << 21;
const DIGITS = 2 << 21;
const THAI = 3 << 21;
const LATIN = 4 << 21;
const OTHER = 5 << 21;

/** Symbols in ICU's order; other symbols follow them by code point. */
const SYMBOL_ORDER = '`^+<=>|~$\u0E3F';
/** Thai letters and vowels in ICU's (the Royal Institute dictionary's) order: consonants, ํ, then the vowels. */
const THAI_ORDER =
  'กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรฤลฦวศษสหฬอฮ' +
  '\u0E4D\u0E30\u0E31\u0E32\u0E34\u0E35\u0E36\u0E37\u0E38\u0E39\u0E40\u0E41\u0E42\u0E43\u0E44\u0E3A';
/** The marks, in ICU's order: yamakkan, thanthakhat, maitaikhu, then the tone marks. */
const MARK_ORDER = '\u0E4E\u0E4C\u0E47\u0E48\u0E49\u0E4A\u0E4B';
/** Thai characters ICU ignores like punctuation: paiyannoi ฯ, maiyamok ๆ, fongman ๏, angkhankhu ๚, khomut ๛. */
const THAI_PUNCTUATION = '\u0E2F\u0E46\u0E4F\u0E5A\u0E5B';
const LEADING_VOWELS = '\u0E40\u0E41\u0E42\u0E43\u0E44';
const NIKHAHIT = '\u0E4D';
const SARA_AA = '\u0E32';
const LAKKHANG_YAO = '\u0E45';

const primaryOf = (rank: number): Element => ({ primary: rank, secondary: COMMON, tertiary: COMMON });

const TABLE = new Map<string, Element[]>();
[...SYMBOL_ORDER].forEach((char, i) => TABLE.set(char, [primaryOf(SYMBOLS + i)]));
[...THAI_ORDER].forEach((char, i) => TABLE.set(char, [primaryOf(THAI + i)]));
[...MARK_ORDER].forEach((char, i) => TABLE.set(char, [{ primary: 0, secondary: COMMON + 1 + i, tertiary: COMMON }]));
for (let digit = 0; digit <= 9; digit++) {
  TABLE.set(String(digit), [primaryOf(DIGITS + digit)]);
  TABLE.set(String.fromCodePoint(0x0e50 + digit), [primaryOf(DIGITS + digit)]);
}
for (let letter = 0; letter < 26; letter++) {
  TABLE.set(String.fromCodePoint(0x61 + letter), [primaryOf(LATIN + letter)]);
  TABLE.set(String.fromCodePoint(0x41 + letter), [{ ...primaryOf(LATIN + letter), tertiary: UPPER }]);
}
const [saraAa] = TABLE.get(SARA_AA)!;
const [nikhahit] = TABLE.get(NIKHAHIT)!;
// ๅ is a variant of า; ำ sorts as า followed by ํ, and so does ํ + า (see thaiSortKey).
TABLE.set(LAKKHANG_YAO, [{ ...saraAa, tertiary: LAKKHANGYAO }]);
TABLE.set('\u0E33', [
  { ...saraAa, tertiary: SARA_AM },
  { ...nikhahit, tertiary: SARA_AM },
]);

/** Ignored, and so is a mark after them (ICU's "variable" characters: spaces, punctuation). */
const VARIABLE = new RegExp(`^[\\p{P}\\p{Z}\\s${THAI_PUNCTUATION}]$`, 'u');
/** Ignored altogether (controls, format characters such as the zero-width space). */
const IGNORABLE = /^[\p{Cc}\p{Cf}]$/u;
const MARK = /^\p{M}$/u;
const SYMBOL = /^\p{S}$/u;

/** The collation elements of one character that is neither variable nor ignorable. */
function elementsOf(char: string): Element[] {
  const known = TABLE.get(char);
  if (known) {
    return known;
  }
  const codePoint = char.codePointAt(0)!;
  if (MARK.test(char)) {
    return [{ primary: 0, secondary: 0x10 + Math.min(codePoint, 0xffef), tertiary: COMMON }];
  }
  if (SYMBOL.test(char)) {
    return [primaryOf(SYMBOLS + 0x20 + codePoint)];
  }
  const lower = char.toLowerCase();
  if (lower !== char && [...lower].length === 1) {
    return elementsOf(lower).map((element) => ({ ...element, tertiary: UPPER }));
  }
  return [primaryOf(OTHER + codePoint)];
}

/** The collation elements of `chars` (in NFD), in order. */
function collationElements(chars: string[]): Element[] {
  const elements: Element[] = [];
  let afterVariable = false;
  for (let i = 0; i < chars.length; i++) {
    const [char, next] = [chars[i], chars[i + 1] ?? ''];
    if (VARIABLE.test(char)) {
      afterVariable = true;
      continue;
    }
    if (IGNORABLE.test(char)) {
      continue;
    }
    let found: Element[];
    if (LEADING_VOWELS.includes(char) && next >= '\u0E01' && next <= '\u0E2E') {
      // A leading vowel and the consonant after it: the consonant first.
      found = [...elementsOf(next), ...elementsOf(char)];
      i++;
    } else if (char === NIKHAHIT && (next === SARA_AA || next === LAKKHANG_YAO)) {
      // ํ + า is ำ spelt in two characters: า first, as in ำ.
      found = [...elementsOf(next), { ...nikhahit, tertiary: NIKHAHIT_BEFORE }];
      i++;
    } else {
      found = elementsOf(char);
    }
    for (const element of found) {
      if (element.primary > 0) {
        afterVariable = false;
        elements.push(element);
      } else if (!afterVariable) {
        elements.push(element);
      }
    }
  }
  return elements;
}

const hex = (width: number) => (weight: number) => weight.toString(16).padStart(width, '0');

/** A level's weights without its trailing commons, as fixed-width hexadecimal. */
function level(weights: number[], width: number): string {
  let end = weights.length;
  while (end > 0 && weights[end - 1] === COMMON) {
    end--;
  }
  return weights.slice(0, end).map(hex(width)).join('');
}

/**
 * The key that orders `text` as `Intl.Collator('th')` does, by plain (binary) string comparison: words of
 * equal keys are equal to the collator. See above for how it is built.
 */
export function thaiSortKey(text: string): string {
  const elements = collationElements([...text.normalize('NFD')]);
  return [
    elements
      .filter((element) => element.primary > 0)
      .map((element) => hex(6)(element.primary))
      .join(''),
    level(
      elements.map((element) => element.secondary),
      4,
    ),
    level(
      elements.map((element) => element.tertiary),
      2,
    ),
  ]
    .join(' ')
    .trimEnd();
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The seed vocabulary (database/seeds/words/*.json) as a Thai teacher would check it:
 * - `romanization` is RTGS: lowercase ASCII, the syllables of one word joined, words of a phrase
 *   separated by a space, and a hyphen only where two vowels meet across syllables (`sa-at`, สะอาด);
 * - `tones` names the tone of every syllable, and `phonetic` writes the word in Paiboon+ style
 *   (syllables joined by `-`, words by a space, the tone marked on the first vowel of each syllable);
 * - the (thai, english) pairs are unique, as the words table requires.
 */

interface SeedWord {
  thai: string;
  english: string;
  parts: { romanization: string; phonetic: string; tones: string[]; part_of_speech: string };
}

const SEEDS = join(import.meta.dirname, '..', '..', 'database', 'seeds', 'words');
const files = readdirSync(SEEDS).filter((file) => file.endsWith('.json'));
const words: (SeedWord & { file: string })[] = files.flatMap((file) =>
  (JSON.parse(readFileSync(join(SEEDS, file), 'utf8')) as { words: SeedWord[] }).words.map((word) => ({
    ...word,
    file,
  })),
);
const byThai = (thai: string): SeedWord => {
  const found = words.find((word) => word.thai === thai);
  if (!found) {
    throw new Error(`no seed word ${thai}`);
  }
  return found;
};

const TONES = ['mid', 'low', 'falling', 'high', 'rising'] as const;
type Tone = (typeof TONES)[number];
/** Paiboon's tone marks: combining diacritics on the syllable's first vowel; mid is unmarked. */
const MARKS: Record<string, Tone> = { '\u0300': 'low', '\u0302': 'falling', '\u0301': 'high', '\u030C': 'rising' };
const VOWELS = 'aeiouɛɔəʉ';
/** A Paiboon syllable without its tone mark: onset (with a cluster), vowel(s), final consonant. */
const PAIBOON_SYLLABLE = new RegExp(`^(bp|dt|ch|ng|[gkjdtbpfmnylrwsh])?[lrw]?[${VOWELS}]+(ng|[kptnm])?$`);

const syllables = (phonetic: string) => phonetic.split(/[- ]/);
const unmarked = (syllable: string) => [...syllable.normalize('NFD')].filter((char) => !(char in MARKS)).join('');

/** The tone a Paiboon syllable is marked with. */
function markedTone(syllable: string): Tone | 'several marks' {
  const marks = [...syllable.normalize('NFD')].filter((char) => char in MARKS);
  return marks.length > 1 ? 'several marks' : marks.length === 1 ? MARKS[marks[0]] : 'mid';
}

/** Where a problem is, for the failure messages. */
const where = (word: SeedWord & { file: string }) => `${word.file}: ${word.thai} (${word.english})`;

describe('the seed vocabulary', () => {
  it('has the 13 groups and 388 words', () => {
    expect(files).toHaveLength(13);
    expect(words).toHaveLength(388);
  });

  it('has Thai, English and a part of speech for every word', () => {
    const problems = words.filter(
      (word) =>
        !/^[\u0E01-\u0E5B]+$/.test(word.thai) ||
        word.english.trim() === '' ||
        word.english !== word.english.trim() ||
        typeof word.parts.part_of_speech !== 'string' ||
        word.parts.part_of_speech.trim() === '',
    );
    expect(problems.map(where)).toEqual([]);
  });

  it('keeps every (thai, english) pair unique, English compared case-insensitively', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const word of words) {
      const key = `${word.thai}\u0000${word.english.toLowerCase()}`;
      if (seen.has(key)) {
        duplicates.push(`${where(word)} also in ${seen.get(key)}`);
      }
      seen.set(key, word.file);
    }
    expect(duplicates).toEqual([]);
  });

  it('romanizes in RTGS: lowercase ASCII, a hyphen only between two vowels, words as in the phonetic', () => {
    const problems = words
      .filter(
        ({ parts: { romanization, phonetic } }) =>
          !/^[a-z]+([ -][a-z]+)*$/.test(romanization) ||
          /[^aeiou]-|-[^aeiou]/.test(romanization) ||
          // Syllables of one word are joined: the words are the phonetic's space-separated words.
          romanization.split(' ').length !== phonetic.split(' ').length,
      )
      .map((word) => `${where(word)}: ${word.parts.romanization} / ${word.parts.phonetic}`);
    expect(problems).toEqual([]);
  });

  it('names one tone of the five for every syllable of the phonetic transcription', () => {
    const problems = words
      .filter(
        ({ parts: { tones, phonetic } }) =>
          !Array.isArray(tones) ||
          tones.length === 0 ||
          !tones.every((tone) => (TONES as readonly string[]).includes(tone)) ||
          tones.length !== syllables(phonetic).length,
      )
      .map((word) => `${where(word)}: ${JSON.stringify(word.parts.tones)} / ${word.parts.phonetic}`);
    expect(problems).toEqual([]);
  });

  it('writes the phonetic transcription in Paiboon+ style, each syllable marked with its tone', () => {
    const problems: string[] = [];
    for (const word of words) {
      const { phonetic, tones } = word.parts;
      if (phonetic !== phonetic.normalize('NFC') || !/^[^ -]+([ -][^ -]+)*$/.test(phonetic)) {
        problems.push(`${where(word)}: ${phonetic} is not NFC, or not syllables joined by - and spaces`);
        continue;
      }
      syllables(phonetic).forEach((syllable, index) => {
        const decomposed = syllable.normalize('NFD');
        const firstVowel = [...decomposed].findIndex((char) => VOWELS.includes(char));
        const mark = [...decomposed].findIndex((char) => char in MARKS);
        if (!PAIBOON_SYLLABLE.test(unmarked(syllable))) {
          problems.push(`${where(word)}: ${syllable} is not a Paiboon syllable`);
        } else if (markedTone(syllable) !== tones[index]) {
          problems.push(`${where(word)}: ${syllable} is marked ${markedTone(syllable)}, its tone is ${tones[index]}`);
        } else if (mark !== -1 && mark !== firstVowel + 1) {
          problems.push(`${where(word)}: ${syllable} has its tone mark off the first vowel`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('follows the tone rules in every one-syllable word: consonant class, tone mark, live or dead, vowel length', () => {
    const HIGH = 'ขฃฉฐถผฝศษสห';
    const MID = 'กจฎฏดตบปอ';
    const problems: string[] = [];
    for (const word of words.filter(({ parts }) => parts.tones.length === 1)) {
      // The first consonant written gives the class, a silent leader too: ห in หมา (high), อ in อยู่ (mid).
      const initial = [...word.thai].find((char) => char >= '\u0E01' && char <= '\u0E2E') ?? '';
      const consonantClass = HIGH.includes(initial) ? 'high' : MID.includes(initial) ? 'mid' : 'low';
      const toneMark = [...word.thai].find((char) => '\u0E48\u0E49\u0E4A\u0E4B'.includes(char));

      // Live or dead, and the vowel's length, from the transcription.
      const rhyme = unmarked(word.parts.phonetic).replace(/^(bp|dt|ch|ng|[gkjdtbpfmnylrwsh])?[lrw]?/, '');
      const dead = /[kpt]$/.test(rhyme) || (rhyme.length === 1 && VOWELS.includes(rhyme));
      const long = /(.)\1/.test(rhyme.replace(/(ng|[kptnm])$/, ''));

      let expected: Tone;
      if (toneMark === '\u0E4A') {
        expected = 'high';
      } else if (toneMark === '\u0E4B') {
        expected = 'rising';
      } else if (toneMark === '\u0E48') {
        expected = consonantClass === 'low' ? 'falling' : 'low';
      } else if (toneMark === '\u0E49') {
        expected = consonantClass === 'low' ? 'high' : 'falling';
      } else if (dead) {
        expected = consonantClass === 'low' ? (long ? 'falling' : 'high') : 'low';
      } else {
        expected = consonantClass === 'high' ? 'rising' : 'mid';
      }
      if (word.parts.tones[0] !== expected) {
        problems.push(`${where(word)}: ${word.parts.phonetic} is ${word.parts.tones[0]}, the rules give ${expected}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('tells apart by phonetic and tones the words that RTGS, which writes no tones, spells alike', () => {
    const alike = [
      ['ใกล้', 'ไกล'], // near, far: klai
      ['หมา', 'ม้า', 'มา'], // dog, horse, come: ma
      ['ใหม่', 'ไม่', 'ไหม'], // new, not, the question particle: mai
      ['ขอ', 'คอ'],
      ['ค่ะ', 'ขา'],
      ['เข่า', 'ข้าว'],
      ['สี', 'สี่'],
      ['หลาน', 'ล้าน'],
      ['วัน', 'หวาน'],
      ['ทำ', 'ถาม'],
      ['ชา', 'ช้า'],
      ['หมี', 'มี'],
      ['ปู', 'ปู่'],
      ['หน้า', 'น้า'],
      ['ยาย', 'ใหญ่'],
      ['หล่อ', 'โหล'],
      ['ผอม', 'ผม'],
      ['เก่า', 'เก้า'],
      ['แกะ', 'แก่'],
    ];
    for (const group of alike) {
      const phonetics = group.map((thai) => byThai(thai).parts.phonetic);
      expect({ group, phonetics: new Set(phonetics).size }).toEqual({ group, phonetics: group.length });
    }
    for (const group of [
      ['ใกล้', 'ไกล'],
      ['หมา', 'ม้า', 'มา'],
      ['ใหม่', 'ไม่', 'ไหม'],
    ]) {
      const tones = group.map((thai) => byThai(thai).parts.tones.join());
      expect({ group, tones: new Set(tones).size }).toEqual({ group, tones: group.length });
    }
    expect(['ใกล้', 'ไกล', 'หมา', 'ม้า', 'ใหม่', 'ไม่', 'ไหม'].map((thai) => byThai(thai).parts.phonetic)).toEqual([
      'glâi',
      'glai',
      'mǎa',
      'máa',
      'mài',
      'mâi',
      'mǎi',
    ]);
  });

  it('gives two words the same phonetic only when they are spelled alike (or are listed homophones)', () => {
    /** Different spellings of one sound (like ค่า and ฆ่า, both kâa) may share a transcription: none so far. */
    const HOMOPHONES: string[][] = [];
    const spellings = new Map<string, Set<string>>();
    for (const word of words) {
      spellings.set(word.parts.phonetic, (spellings.get(word.parts.phonetic) ?? new Set()).add(word.thai));
    }
    const shared = [...spellings.entries()]
      .filter(([, thai]) => thai.size > 1)
      .filter(([, thai]) => !HOMOPHONES.some((group) => [...thai].every((spelling) => group.includes(spelling))))
      .map(([phonetic, thai]) => `${phonetic}: ${[...thai].join(', ')}`);
    expect(shared).toEqual([]);
  });
});

import { partsProblem } from '../../src/words/dto/word-input.dto.js';

/** Parts that POST /words took before it checked their types, and what the parts types migration makes of them. */
export const STORED_PARTS: [Record<string, unknown>, Record<string, unknown>][] = [
  [
    { romanization: 'nam', phonetic: 'náam', part_of_speech: 'noun', tones: ['high'] },
    { romanization: 'nam', phonetic: 'náam', part_of_speech: 'noun', tones: ['high'] },
  ],
  [
    { romanization: null, extra: { any: 1 } },
    { romanization: null, extra: { any: 1 } },
  ],
  [
    { romanization: 7, phonetic: null, part_of_speech: ['noun', 'verb'] },
    { romanization: '7', part_of_speech: '["noun","verb"]' },
  ],
  [{ tones: 'Rising' }, { tones: ['rising'] }],
  [{ tones: ['low', ' MID '] }, { tones: ['low', 'mid'] }],
  [{ tones: null, phonetic: 5 }, { phonetic: '5' }],
  [{ tones: 'rising falling' }, { unchecked_tones: 'rising falling' }],
  [{ tones: [1, 'low'] }, { unchecked_tones: [1, 'low'] }],
  [
    { tones: 'x', unchecked_tones: 'y' },
    { unchecked_tones: 'y', unchecked_tones_2: 'x' },
  ],
];

/** Every case's migrated parts pass the checks POST and PATCH /words make: clients can send them back. */
export function expectRetyped(rows: { id: number; parts: unknown }[]): void {
  const parts = rows.map((row) => (typeof row.parts === 'string' ? JSON.parse(row.parts) : row.parts));
  expect(parts).toEqual(STORED_PARTS.map(([, retyped]) => retyped));
  expect(parts.map((retyped) => partsProblem(retyped))).toEqual(parts.map(() => undefined));
}

/** Romanizations stored before a blank one was made none, and what the blank romanizations migration makes of them. */
export const STORED_ROMANIZATIONS: [stored: string | null, migrated: string | null][] = [
  ['', null],
  ['   ', null],
  ['\t\u00a0\u3000', null],
  [' nam ', ' nam '],
  ['-', '-'],
  ['ข้าว', 'ข้าว'],
  [null, null],
];

/** The words of STORED_ROMANIZATIONS, with other parts beside, as an insert's values (`now`: the timestamps). */
export const wordsWithRomanizations = (now: string) =>
  STORED_ROMANIZATIONS.map(
    ([romanization], index) =>
      `(${index + 1}, 'คำ${index}', 'word ${index}', '${JSON.stringify({ romanization, tones: ['mid'] })}', ${now}, ${now})`,
  ).join(', ');

/** Each word of wordsWithRomanizations has the migrated romanization, its other parts kept. */
export function expectRomanizationsMigrated(rows: { parts: unknown }[]): void {
  expect(rows.map((row) => (typeof row.parts === 'string' ? JSON.parse(row.parts) : row.parts))).toEqual(
    STORED_ROMANIZATIONS.map(([, romanization]) => ({ romanization, tones: ['mid'] })),
  );
}

import { CsvError, parse } from 'csv-parse/sync';
import { hasAtMostCharacters, inspectJson, isJsonObject, isStorableText, UNSTORABLE_TEXT } from '../core/json.js';
import { foldedName } from '../core/names.js';
import { type FieldErrorDto, ValidationFailedException } from '../http/problem-document.js';
import {
  CSV_COLUMNS,
  CSV_READ_ONLY_COLUMNS,
  groupNamesOf,
  MAX_IMPORT_ROWS,
  ON_DUPLICATE,
  type OnDuplicate,
  textOfCell,
} from './dto/word-transfer.dto.js';
import { MAX_WORD_TEXT } from './dto/word.dto.js';
import { partsToStore, partsProblem } from './dto/word-input.dto.js';
import { MAX_GROUP_NAME } from '../groups/dto/group-input.dto.js';
import type { WordParts } from './word.entity.js';

/**
 * The words of an import, read from its JSON body or CSV file and checked row by row, without the
 * database: what each row says, and every error in any row. The checks are those of `POST /words` and
 * `POST /groups`, with class-validator's messages, written out (see word-transfer.dto.ts).
 */

/** A word of the file, checked and trimmed. */
export interface ImportRow {
  /** Its number in the file: a CSV row as a spreadsheet numbers it (the header is 1), a JSON word from 1. */
  row: number;
  thai: string;
  english: string;
  /** The parts the word gets, from those it has (none for a new word). */
  parts: (stored?: WordParts) => WordParts;
  /** Group names, trimmed. */
  groups: string[];
}

export interface ImportRows {
  /** How many words the file holds (its rows but the header and empty ones), valid or not. */
  count: number;
  rows: ImportRow[];
  /** Every error of every row; the import is refused if there is one. */
  errors: FieldErrorDto[];
  /** `on_duplicate` as a JSON body gives it. */
  onDuplicate?: OnDuplicate;
}

/** The key that makes two words the same word: thai exactly, english ignoring case (`foldedName`, as the index compares). */
export const wordKey = (thai: string, english: string) => `${thai}\u0000${foldedName(english)}`;

/** The fields of an export that an import ignores, and how each must look if it is there. */
const EXPORTED_FIELDS: [field: string, check: (value: unknown) => boolean, message: string][] = [
  ['id', (value) => Number.isSafeInteger(value) && (value as number) >= 1, 'must be a positive integer'],
  [
    'correct_count',
    (value) => Number.isSafeInteger(value) && (value as number) >= 0,
    'must be an integer of 0 or more',
  ],
  ['wrong_count', (value) => Number.isSafeInteger(value) && (value as number) >= 0, 'must be an integer of 0 or more'],
  ['created_at', (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)), 'must be a timestamp'],
  ['updated_at', (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)), 'must be a timestamp'],
];

/** Collects a row's errors while its fields are read. */
class RowChecks {
  readonly errors: FieldErrorDto[] = [];

  constructor(readonly row: number) {}

  fail(field: string, message: string): undefined {
    this.errors.push({ row: this.row, field, message });
    return undefined;
  }

  /** Required text: a string, trimmed, not empty, at most `max` characters. */
  text(field: string, value: unknown, max = MAX_WORD_TEXT): string | undefined {
    if (typeof value !== 'string') {
      return this.fail(field, value === undefined ? 'is required' : 'must be a string');
    }
    const text = value.trim();
    if (text === '') {
      return this.fail(field, 'should not be empty');
    }
    if (!isStorableText(text)) {
      return this.fail(field, UNSTORABLE_TEXT);
    }
    return hasAtMostCharacters(text, max)
      ? text
      : this.fail(field, `must be shorter than or equal to ${max} characters`);
  }

  /** Optional text of any length: undefined when it is not there. */
  optionalText(field: string, value: string | undefined): string | undefined {
    return value === undefined || isStorableText(value) ? value : this.fail(field, UNSTORABLE_TEXT);
  }

  /** A JSON value whose texts, keys and values, the database can store. */
  storable(field: string, value: unknown): void {
    const { unstorable } = inspectJson(value);
    if (unstorable !== undefined) {
      this.fail(field, `${[field, unstorable].filter(Boolean).join('.')} ${UNSTORABLE_TEXT}`);
    }
  }

  /** The fields an export carries, ignored: each as an export writes it, if it is there. */
  exported(word: Record<string, unknown>): void {
    for (const [field, check, message] of EXPORTED_FIELDS) {
      if (word[field] !== undefined && !check(word[field])) {
        this.fail(field, message);
      }
    }
  }

  /**
   * Group names: an array of required texts of at most MAX_GROUP_NAME characters, as many as an export writes (a word
   * joins any number of groups; the body's limit bounds them).
   */
  groupNames(field: string, value: unknown): string[] | undefined {
    if (!Array.isArray(value)) {
      return this.fail(field, 'must be an array');
    }
    const names: string[] = [];
    for (const item of value) {
      if (typeof item !== 'string') {
        return this.fail(field, 'each value must be a string');
      }
      const name = item.trim();
      if (name === '') {
        return this.fail(field, 'each value should not be empty');
      }
      if (!isStorableText(name)) {
        return this.fail(field, `each value ${UNSTORABLE_TEXT}`);
      }
      if (!hasAtMostCharacters(name, MAX_GROUP_NAME)) {
        return this.fail(field, `each value must be shorter than or equal to ${MAX_GROUP_NAME} characters`);
      }
      names.push(name);
    }
    return names;
  }
}

/**
 * The rows that repeat an earlier row's word: the import could not tell which one to take. Every row whose thai and
 * english are valid counts, whatever else is wrong in it, so that the errors list each problem at once.
 */
function repeatsIn(rows: Pick<ImportRow, 'row' | 'thai' | 'english'>[]): FieldErrorDto[] {
  const first = new Map<string, number>();
  const errors: FieldErrorDto[] = [];
  for (const { row, thai, english } of rows) {
    const key = wordKey(thai, english);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, row);
    } else {
      errors.push({ row, field: 'thai', message: `"${thai}" with english "${english}" repeats row ${earlier}` });
    }
  }
  return errors;
}

const byRow = (a: FieldErrorDto, b: FieldErrorDto) => (a.row ?? 0) - (b.row ?? 0);

/** The fields of a JSON word: those of `POST /words` (groups by name), and those of an export, ignored. */
const JSON_FIELDS = new Set([
  'thai',
  'english',
  'parts',
  'groups',
  'id',
  'correct_count',
  'wrong_count',
  'created_at',
  'updated_at',
]);

/** The words of a JSON body `{ words: [...], on_duplicate }` (an export's body is one). */
export function rowsOfJson(body: unknown): ImportRows {
  if (!isJsonObject(body)) {
    throw new ValidationFailedException([
      { field: 'body', message: 'must be a JSON object { "words": [...] } or a CSV file (text/csv)' },
    ]);
  }
  const { words, on_duplicate: onDuplicate, ...unknown } = body;
  const topErrors: FieldErrorDto[] = Object.keys(unknown).map((field) => ({ field, message: 'is not a known field' }));
  if (!Array.isArray(words)) {
    topErrors.push({ field: 'words', message: words === undefined ? 'is required' : 'must be an array' });
  } else if (words.length > MAX_IMPORT_ROWS) {
    topErrors.push({ field: 'words', message: `must contain no more than ${MAX_IMPORT_ROWS} items` });
  }
  if (onDuplicate !== undefined && !ON_DUPLICATE.includes(onDuplicate as OnDuplicate)) {
    topErrors.push({
      field: 'on_duplicate',
      message: `must be one of the following values: ${ON_DUPLICATE.join(', ')}`,
    });
  }
  if (topErrors.length > 0) {
    throw new ValidationFailedException(topErrors);
  }
  const rows: ImportRow[] = [];
  const named: Pick<ImportRow, 'row' | 'thai' | 'english'>[] = [];
  const errors: FieldErrorDto[] = [];
  (words as unknown[]).forEach((word, index) => {
    const checks = new RowChecks(index + 1);
    if (!isJsonObject(word)) {
      errors.push(...checks.errors, { row: checks.row, field: 'word', message: 'must be an object' });
      return;
    }
    for (const field of Object.keys(word).filter((key) => !JSON_FIELDS.has(key))) {
      checks.fail(field, 'is not a known field');
    }
    checks.exported(word);
    const thai = checks.text('thai', word.thai);
    const english = checks.text('english', word.english);
    // parts is stored as sent, as `POST /words` stores it.
    const parts = word.parts as WordParts | undefined;
    if (parts !== undefined && !isJsonObject(parts)) {
      checks.fail('parts', 'must be an object');
    } else if (parts !== undefined && partsProblem(parts) !== undefined) {
      checks.fail('parts', `parts.${partsProblem(parts)}`);
    } else if (parts !== undefined) {
      checks.storable('parts', parts);
    }
    const groups = word.groups === undefined ? [] : checks.groupNames('groups', word.groups);
    if (thai !== undefined && english !== undefined) {
      named.push({ row: checks.row, thai, english });
    }
    if (checks.errors.length > 0) {
      errors.push(...checks.errors);
      return;
    }
    rows.push({
      row: checks.row,
      thai: thai!,
      english: english!,
      parts: (stored) => (parts ? partsToStore(parts) : (stored ?? {})),
      groups: groups!,
    });
  });
  return {
    count: (words as unknown[]).length,
    rows,
    errors: [...errors, ...repeatsIn(named)].sort(byRow),
    onDuplicate: onDuplicate as OnDuplicate,
  };
}

const KNOWN_COLUMNS = new Set<string>([...CSV_COLUMNS, ...CSV_READ_ONLY_COLUMNS]);
const REQUIRED_COLUMNS = ['thai', 'english'];
const HEADER_HINT = `the first row names the columns: ${CSV_COLUMNS.join(',')}`;

/** The columns the header names, lower-cased and trimmed; 400 if it lacks thai or english, or names others. */
function columnsOf(header: string[] | undefined): string[] {
  if (header === undefined) {
    throw new ValidationFailedException([{ row: 1, field: 'header', message: `is missing: ${HEADER_HINT}` }]);
  }
  const columns = header.map((name) => name.trim().toLowerCase());
  const errors: FieldErrorDto[] = [
    ...REQUIRED_COLUMNS.filter((name) => !columns.includes(name)).map((name) => `lacks the column ${name}`),
    // A column without a name is one a spreadsheet saved empty: its cells must be too (below).
    ...columns
      .filter((name) => name !== '' && !KNOWN_COLUMNS.has(name))
      .map((name) => `has an unknown column "${name}"`),
    ...columns
      .filter((name, i) => name !== '' && columns.indexOf(name) !== i)
      .map((name) => `names the column ${name} twice`),
  ].map((message) => ({ row: 1, field: 'header', message: `${message} (${HEADER_HINT})` }));
  if (errors.length > 0) {
    throw new ValidationFailedException(errors, `The CSV header is not ${CSV_COLUMNS.join(',')}: ${errors[0].message}`);
  }
  return columns;
}

/** The records of a CSV text, each an array of cells; 400 where it is no CSV (a quote not closed). */
function recordsOf(text: string): string[][] {
  try {
    return parse(text, {
      bom: true,
      // Every line is a row, as a spreadsheet numbers them: an empty one is skipped below, not here.
      skip_empty_lines: false,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      // Cells are trimmed (below); the spaces around a quoted one (`a, "b, c"`, a file edited by hand) too.
      trim: true,
    });
  } catch (error) {
    if (error instanceof CsvError) {
      // The records read before the one that failed (empty lines are records too): its row is the next.
      const records = (error as CsvError & { records?: number }).records;
      throw new ValidationFailedException([
        {
          ...(records !== undefined && { row: records + 1 }),
          field: 'csv',
          message: `is not valid CSV: ${error.message}`,
        },
      ]);
    }
    throw error;
  }
}

/** The words of a CSV file: a header (`thai,english,romanization,part_of_speech,groups`), then a word a row. */
export function rowsOfCsv(text: string): ImportRows {
  const [header, ...records] = recordsOf(text);
  const columns = columnsOf(header);
  const at = (column: string) => columns.indexOf(column);
  const [thaiAt, englishAt, romanizationAt, partOfSpeechAt, groupsAt] = CSV_COLUMNS.map(at);
  const isEmpty = (cells: string[]) => cells.every((cell) => cell.trim() === '');
  const count = records.filter((cells) => !isEmpty(cells)).length;
  if (count > MAX_IMPORT_ROWS) {
    throw new ValidationFailedException([
      { field: 'csv', message: `has more than ${MAX_IMPORT_ROWS} words: import it in parts` },
    ]);
  }
  const rows: ImportRow[] = [];
  const named: Pick<ImportRow, 'row' | 'thai' | 'english'>[] = [];
  const errors: FieldErrorDto[] = [];
  records.forEach((record, index) => {
    const checks = new RowChecks(index + 2);
    const cells = record.map((cell) => textOfCell(cell.trim()));
    if (isEmpty(cells)) {
      return;
    }
    if (cells.length !== columns.length) {
      errors.push({
        row: checks.row,
        field: 'csv',
        message: `has ${cells.length} cells where the header names ${columns.length}`,
      });
      return;
    }
    const unnamed = columns.findIndex((name, i) => name === '' && cells[i] !== '');
    if (unnamed >= 0) {
      errors.push({
        row: checks.row,
        field: 'csv',
        message: `has a value in column ${unnamed + 1}, which the header does not name`,
      });
      return;
    }
    /** An optional cell, trimmed: empty is no value. */
    const cell = (column: number) => (column < 0 ? '' : cells[column].trim()) || undefined;
    const thai = checks.text('thai', cells[thaiAt]);
    const english = checks.text('english', cells[englishAt]);
    // Checked as `POST /words` checks parts: the romanization is text of at most MAX_WORD_TEXT, part_of_speech any.
    const romanization = cell(romanizationAt);
    if (romanization !== undefined) {
      checks.text('romanization', romanization);
    }
    const partOfSpeech = checks.optionalText('part_of_speech', cell(partOfSpeechAt));
    // Empty names (`A||B`, a trailing `|`) are no names.
    const names = groupsAt < 0 ? [] : groupNamesOf(cells[groupsAt]).filter((name) => name.trim() !== '');
    const groups = checks.groupNames('groups', names);
    if (thai !== undefined && english !== undefined) {
      named.push({ row: checks.row, thai, english });
    }
    if (checks.errors.length > 0) {
      errors.push(...checks.errors);
      return;
    }
    // An empty cell leaves the stored value as it is; parts keys that CSV has no column for stay too.
    const given: WordParts = {
      ...(romanization !== undefined && { romanization }),
      ...(partOfSpeech !== undefined && { part_of_speech: partOfSpeech }),
    };
    rows.push({
      row: checks.row,
      thai: thai!,
      english: english!,
      parts: (stored) => ({ ...stored, ...given }),
      groups: groups!,
    });
  });
  return { count, rows, errors: [...errors, ...repeatsIn(named)].sort(byRow) };
}

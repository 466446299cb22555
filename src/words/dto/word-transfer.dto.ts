import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { QueryBoolean, QueryId } from '../../core/http.js';
import type { WordParts } from '../word.entity.js';
import { MAX_WORD_TEXT, WORD_FIELDS, WORD_PARTS_SCHEMA, WordDto } from './word.dto.js';
import { MAX_GROUP_NAME } from '../../groups/dto/group-input.dto.js';

/*
 * The rows of an import are checked by hand (`word-import.rows.ts`), with these limits and
 * class-validator's messages: class-transformer and class-validator take about 100 µs a row, five
 * seconds of a 50,000-word import. These DTOs document them.
 */

/** What an import does with a word whose thai and english (ignoring case) are already stored. */
export const ON_DUPLICATE = ['skip', 'update', 'error'] as const;
export type OnDuplicate = (typeof ON_DUPLICATE)[number];

/** The most words one import takes (the body limit, IMPORT_BODY_LIMIT, bounds it too). */
export const MAX_IMPORT_ROWS = 100_000;

/** The columns of a CSV import, and of an export (which adds the read-only ones). */
export const CSV_COLUMNS = ['thai', 'english', 'romanization', 'part_of_speech', 'groups'] as const;
export const CSV_READ_ONLY_COLUMNS = ['id', 'correct_count', 'wrong_count'] as const;
/**
 * A CSV cell of group names: separated by `|`, a `|` or `\` within a name written `\|` or `\\`, so that every
 * name an export writes imports as itself.
 */
export const groupNamesCell = (names: string[]) => names.map((name) => name.replace(/[|\\]/g, '\\$&')).join('|');

/**
 * What a spreadsheet would run as a formula when it opens a CSV file (OWASP's "CSV injection"): a cell starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return, or a full-width `=`, `+`, `-` or `@`, perhaps after apostrophes.
 */
const FORMULA_START = /^'*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * A text cell of an export: one a spreadsheet would run gets an apostrophe first, which spreadsheets take for "this is
 * text". Apostrophes the text itself starts with before such a character get one more, so that `textOfCell` gives
 * back every text as it was.
 */
export const spreadsheetCell = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);

/** The text of a CSV cell of an import, as `spreadsheetCell` wrote it. */
export const textOfCell = (cell: string) => (cell.startsWith("'") && FORMULA_START.test(cell) ? cell.slice(1) : cell);

/** The group names of a CSV cell, as `groupNamesCell` writes them; a `\` before any other character is itself. */
export function groupNamesOf(cell: string): string[] {
  const names: string[] = [];
  let name = '';
  for (let at = 0; at < cell.length; at++) {
    if (cell[at] === '\\' && (cell[at + 1] === '|' || cell[at + 1] === '\\')) {
      name += cell[++at];
    } else if (cell[at] === '|') {
      names.push(name);
      name = '';
    } else {
      name += cell[at];
    }
  }
  return [...names, name];
}

const ON_DUPLICATE_DESCRIPTION =
  'A row whose thai and english (ignoring case) are a stored word’s: `skip` leaves the word as it is; ' +
  '`update` sets its english, parts and groups from the row (it joins the groups named, and leaves none); ' +
  '`error` refuses the whole import (409, listing the rows). Default `error`.';

/** Fields an export carries that an import ignores, so that an export imports as it is. */
const ReadOnly = (schema: Record<string, unknown>) =>
  ApiPropertyOptional({ ...schema, description: 'Ignored (an export carries it).' });

const requiredText = (example: string) => ({
  example,
  minLength: 1,
  maxLength: MAX_WORD_TEXT,
  description: 'Trimmed; not empty.',
});

/** A word of a JSON import. */
export class ImportWordDto {
  @ApiProperty(requiredText('แมว'))
  thai!: string;

  @ApiProperty(requiredText('cat'))
  english!: string;

  @ApiPropertyOptional({
    ...WORD_PARTS_SCHEMA,
    example: { romanization: 'maeo', part_of_speech: 'noun' },
    description: `${WORD_PARTS_SCHEMA.description} A new word without them has \`{}\`, an updated word keeps its own.`,
  })
  parts?: WordParts;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: MAX_GROUP_NAME },
    example: ['Animals'],
    description: 'Groups the word joins, by name (trimmed, ignoring case); those that do not exist are created.',
  })
  groups?: string[];

  @ReadOnly({ type: 'integer', minimum: 1 })
  id?: number;

  @ReadOnly({ type: 'integer', minimum: 0 })
  correct_count?: number;

  @ReadOnly({ type: 'integer', minimum: 0 })
  wrong_count?: number;

  @ReadOnly({ type: 'string', format: 'date-time' })
  created_at?: string;

  @ReadOnly({ type: 'string', format: 'date-time' })
  updated_at?: string;
}

/** The JSON body of an import; `GET /words/export?format=json` answers in the same shape. */
export class ImportWordsDto {
  @ApiProperty({
    type: [ImportWordDto],
    maxItems: MAX_IMPORT_ROWS,
    description: 'The words, at most 100,000; the errors of a refused import name them as rows from 1.',
  })
  words!: ImportWordDto[];

  @ApiPropertyOptional({ enum: ON_DUPLICATE, description: `${ON_DUPLICATE_DESCRIPTION} May be given in the query.` })
  on_duplicate?: OnDuplicate;
}

export class ImportWordsQueryDto {
  @ApiPropertyOptional({
    enum: ON_DUPLICATE,
    description: `${ON_DUPLICATE_DESCRIPTION} For JSON it may be given in the body instead (not differently in both).`,
  })
  @IsOptional()
  @IsIn(ON_DUPLICATE)
  on_duplicate?: OnDuplicate;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Validate and report what the import would do, without writing anything.',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  dry_run: boolean = false;
}

export class ImportReportDto {
  @ApiProperty({ description: 'Whether this was a dry run: nothing was written.' })
  dry_run!: boolean;

  @ApiProperty({ enum: ON_DUPLICATE })
  on_duplicate!: OnDuplicate;

  @ApiProperty({ type: 'integer', example: 120, description: 'Words in the file (empty rows not counted).' })
  rows!: number;

  @ApiProperty({ type: 'integer', example: 100, description: 'New words.' })
  created!: number;

  @ApiProperty({ type: 'integer', example: 5, description: 'Stored words the rows changed (`on_duplicate=update`).' })
  updated!: number;

  @ApiProperty({
    type: 'integer',
    example: 10,
    description: 'Stored words the rows already matched in every field and group (`on_duplicate=update`).',
  })
  unchanged!: number;

  @ApiProperty({ type: 'integer', example: 5, description: 'Stored words left as they are (`on_duplicate=skip`).' })
  skipped!: number;

  @ApiProperty({
    type: [String],
    example: ['Food'],
    description: 'The groups the import created (or would create), as the file spells them.',
  })
  groups_created!: string[];
}

const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportWordsQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv', description: 'CSV (UTF-8, with BOM) or JSON.' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format: ExportFormat = 'csv';

  @QueryId('Only the words of this group (404 if it does not exist).')
  group_id?: number;
}

/** A word as a JSON export writes it: importable as it is (the read-only fields are ignored then). */
export class ExportedWordDto extends PickType(WordDto, WORD_FIELDS) {
  @ApiProperty({ type: [String], example: ['Animals'], description: 'The names of the word’s groups.' })
  groups!: string[];
}

/** A JSON export: the body of a JSON import. */
export class ExportedWordsDto {
  @ApiProperty({ type: [ExportedWordDto] })
  words!: ExportedWordDto[];
}

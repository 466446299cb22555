import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, StreamableFile } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import type * as express from 'express';
import type { Environment } from '../config.js';
import { dayIn } from '../core/calendar.js';
import { ApiBodyContent } from '../http/body-content.js';
import { ApiProblems, ApiRateLimited, ValidationFailedException } from '../http/problem-document.js';
import { sendProblem } from '../http/problems.js';
import { TextCheckedByRows } from '../http/request-checks.guard.js';
import {
  CSV_COLUMNS,
  CSV_READ_ONLY_COLUMNS,
  type ExportedWordDto,
  ExportedWordsDto,
  ExportWordsQueryDto,
  groupNamesCell,
  ImportReportDto,
  ImportWordsDto,
  ImportWordsQueryDto,
  spreadsheetCell,
} from './dto/word-transfer.dto.js';
import { rowsOfCsv, rowsOfJson } from './word-import.rows.js';
import { WordTransferService } from './word-transfer.service.js';

const CSV_EXAMPLE =
  'thai,english,romanization,part_of_speech,groups\n' +
  'แมว,cat,maeo,noun,Animals\n' +
  'ข้าว,"rice, food",khao,noun,Food|Basics\n';

const IMPORT_DESCRIPTION = `
Adds many words at once, all or nothing, from JSON or CSV (UTF-8, with or without a byte order mark).

- **JSON** (\`application/json\`): \`{ "words": [{ "thai", "english", "parts", "groups": ["name"] }], "on_duplicate" }\`.
  A JSON export (\`GET /words/export?format=json\`) is such a body; its read-only fields are ignored.
- **CSV** (\`text/csv\`): a header row naming the columns \`thai,english,romanization,part_of_speech,groups\`
  (\`thai\` and \`english\` are required, the order is free, an export's \`id,correct_count,wrong_count\` are
  ignored), then one word a row. \`groups\` holds names separated by \`|\` (a \`|\` or \`\\\` within a name
  written \`\\|\` or \`\\\\\`); \`romanization\` and \`part_of_speech\` go into \`parts\`. Empty rows
  are skipped. A cell starting with an apostrophe then \`=\`, \`+\`, \`-\`, \`@\` (as an export protects a
  formula) loses that apostrophe. \`on_duplicate\` is a query parameter.

A word is a duplicate when its thai and english (ignoring case) are a stored word's; \`on_duplicate\` says
what happens then. Groups are matched by name ignoring case, and created when none has the name. A file
that names the same word twice is refused.

Any invalid row refuses the whole import: \`400\`, with one entry in \`errors[]\` per problem, each with its
\`row\` (a CSV row as a spreadsheet numbers it, the header being row 1; a JSON word from 1) and \`field\`.
With \`on_duplicate=error\`, rows that are stored words get \`409\`, listed the same way. Nothing is written
then. \`dry_run=true\` checks everything and answers the same report, writing nothing.

The body may be as large as \`IMPORT_BODY_LIMIT\` (50 MB unless the operator set another), up to 100,000 words.`;

const EXPORT_DESCRIPTION = `
Every word (or every word of \`group_id\`), oldest first, with its group names and counters, streamed as a
file to download (\`Content-Disposition: attachment\`).

- **CSV** (default): UTF-8 with a byte order mark (so that spreadsheets read Thai), the import's columns
  then \`id,correct_count,wrong_count\`. It carries \`parts.romanization\` and \`parts.part_of_speech\`
  only; an import with \`on_duplicate=update\` leaves the other parts keys as they are. A cell a spreadsheet
  would run as a formula (starting with \`=\`, \`+\`, \`-\`, \`@\`, a tab or a carriage return, or their
  full-width forms, perhaps after apostrophes) is written with an apostrophe first, which the import takes off.
- **JSON**: \`{ "words": [...] }\`, every field of each word and \`groups\` as names.

Either imports as it is: importing an export (\`on_duplicate=skip\` or \`update\`) changes nothing. Words
written while an export runs may or may not be in it. A fault once the download has begun closes the connection
before the file's end, so that a part is never taken for the whole; before that, it is a 500 problem.`;

/** A file name for today's export (the day in APP_TIMEZONE), e.g. `words-group-3-2026-11-24.csv`. */
const fileName = (query: ExportWordsQueryDto, timeZone: string) =>
  `words${query.group_id === undefined ? '' : `-group-${query.group_id}`}-${dayIn(timeZone, new Date())}.${query.format}`;

const csvRecord = (word: ExportedWordDto) => {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return [
    ...[
      word.thai,
      word.english,
      text(word.parts.romanization),
      text(word.parts.part_of_speech),
      groupNamesCell(word.groups),
    ].map(spreadsheetCell),
    word.id,
    word.correct_count,
    word.wrong_count,
  ];
};

@ApiTags('words')
@ApiRateLimited()
@Controller()
export class WordTransferController {
  constructor(
    private readonly transfer: WordTransferService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  @Post('words/import')
  @HttpCode(HttpStatus.OK)
  @TextCheckedByRows()
  @ApiOperation({ summary: 'Import words (JSON or CSV)', description: IMPORT_DESCRIPTION })
  @ApiBodyContent(
    'The words, as JSON or as a CSV file.',
    {
      'application/json': {
        schema: { $ref: getSchemaPath(ImportWordsDto) },
        example: {
          words: [
            {
              thai: 'แมว',
              english: 'cat',
              parts: { romanization: 'maeo', part_of_speech: 'noun' },
              groups: ['Animals'],
            },
          ],
          on_duplicate: 'skip',
        },
      },
      'text/csv': { schema: { type: 'string' }, example: CSV_EXAMPLE },
    },
    [ImportWordsDto],
  )
  @ApiOkResponse({ type: ImportReportDto, description: 'What the import did (or, on a dry run, would do).' })
  @ApiProblems(
    [
      400,
      '2 of 120 rows cannot be imported, so nothing was imported: row 3: english should not be empty; ' +
        'row 7: groups each value must be shorter than or equal to 100 characters',
      [
        { row: 3, field: 'english', message: 'should not be empty' },
        { row: 7, field: 'groups', message: 'each value must be shorter than or equal to 100 characters' },
      ],
    ],
    [
      409,
      '1 of 120 rows is a word that exists already, so nothing was imported: ' +
        'row 2: thai "แมว" with english "cat" is word 42 already (on_duplicate=error)',
    ],
    [413, 'The request body is larger than the limit of 52428800 bytes'],
    [415, 'The request body must be application/json or text/csv, in UTF-8'],
  )
  import(@Query() query: ImportWordsQueryDto, @Body() body: unknown): Promise<ImportReportDto> {
    const input = typeof body === 'string' ? rowsOfCsv(body) : rowsOfJson(body);
    if (input.onDuplicate && query.on_duplicate && input.onDuplicate !== query.on_duplicate) {
      throw new ValidationFailedException([
        { field: 'on_duplicate', message: 'is given differently in the query and in the body' },
      ]);
    }
    return this.transfer.import(input, input.onDuplicate ?? query.on_duplicate ?? 'error', query.dry_run);
  }

  @Get('words/export')
  @ApiOperation({ summary: 'Export words (CSV or JSON)', description: EXPORT_DESCRIPTION })
  @ApiExtraModels(ExportedWordsDto)
  @ApiProduces('text/csv', 'application/json')
  @ApiOkResponse({
    description: 'The words, as a file to download.',
    headers: {
      'Content-Disposition': {
        description: 'attachment, with a file name such as words-2026-11-24.csv (today in APP_TIMEZONE)',
        schema: { type: 'string' },
      },
    },
    content: {
      'text/csv': {
        schema: { type: 'string' },
        example: `${CSV_EXAMPLE.split('\n')[0]},id,correct_count,wrong_count\nแมว,cat,maeo,noun,Animals,1,3,1\n`,
      },
      'application/json': { schema: { $ref: getSchemaPath(ExportedWordsDto) } },
    },
  })
  @ApiProblems(400, [404, 'Group 7 not found'])
  async export(@Query() query: ExportWordsQueryDto): Promise<StreamableFile> {
    if (query.group_id !== undefined) {
      await this.transfer.assertGroup(query.group_id);
    }
    const pages = this.transfer.exportWords(query.group_id);
    const body = query.format === 'csv' ? csvOf(pages) : jsonOf(pages);
    return new StreamableFile(body, {
      type: query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      disposition: `attachment; filename="${fileName(query, this.config.get('APP_TIMEZONE', { infer: true }))}"`,
    }).setErrorHandler((error, response) => sendProblem(response as express.Response, error));
  }
}

/** The pages as CSV: the import's columns then the read-only ones, with a BOM. */
function csvOf(pages: AsyncGenerator<ExportedWordDto[]>): Readable {
  const csv = stringify({ bom: true, header: true, columns: [...CSV_COLUMNS, ...CSV_READ_ONLY_COLUMNS] });
  const records = Readable.from(
    (async function* () {
      for await (const page of pages) {
        yield* page.map(csvRecord);
      }
    })(),
  );
  pipeline(records, csv).catch(() => {
    // pipeline destroys csv with the error, which the StreamableFile's handler answers.
  });
  return csv;
}

/** The pages as one JSON document `{ "words": [...] }`, a word a line. */
function jsonOf(pages: AsyncGenerator<ExportedWordDto[]>): Readable {
  return Readable.from(
    (async function* () {
      let separator = '\n';
      yield '{"words":[';
      for await (const page of pages) {
        let text = '';
        for (const word of page) {
          text += separator + JSON.stringify(word);
          separator = ',\n';
        }
        yield text;
      }
      yield '\n]}\n';
    })(),
  );
}

import { Body, Controller, HttpCode, HttpStatus, ParseFilePipe, Post, Query, UploadedFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiRateLimited, ValidationFailedException } from '../http/problem-document.js';
import { FormUpload } from '../http/request-checks.guard.js';
import { AnkiService } from './anki.service.js';
import { AnkiImportBodyDto, AnkiImportQueryDto, AnkiImportReportDto } from './dto/anki-import.dto.js';

/** The upload's path as routed (`/api`, version 1), for what runs before the router (its receive deadline). */
export const ANKI_IMPORT_PATH = '/api/v1/import/anki';

/** The file multer read from the form (its memory storage). */
interface UploadedPackageFile {
  buffer: Buffer;
  size: number;
}

const IMPORT_DESCRIPTION = `
Brings an Anki package in (\`.apkg\` export "with scheduling", or a \`.colpkg\` collection backup; Anki 2.1
and later: \`collection.anki2\`, \`collection.anki21\` and the latest zstd-compressed \`collection.anki21b\`),
all or nothing, as a \`multipart/form-data\` upload with the package in the field \`file\`.

- **Notes become words.** Per note type, \`field_map\` names the thai and english fields; otherwise the field
  that is mostly Thai script is \`thai\` and the first other non-empty field \`english\`. HTML is stripped,
  entities decoded, \`[sound:…]\` removed. The other fields go into \`parts\` by name, tags into
  \`parts.tags\`, the note's guid into \`parts.anki_guid\`. A note found by its guid updates its word: a note
  edited into another word's text, and notes that exchange their texts, are a \`409\` naming them. A note with the
  guid of an earlier note of the package fails.
- **Decks become groups** (\`Thai::Food\`, each level trimmed, by name ignoring case, created when missing); a
  word joins the decks of all its cards, but a deck named by blanks alone.
- **Audio** (\`[sound:x.mp3]\`) is stored and served at \`/media/{SHA-256 of its bytes}.{extension}\`, with
  \`parts.audio\` pointing to it: files of one name from different packages never overwrite each other, and
  the same bytes are stored once. Images are counted, not stored.
- **The review log becomes answers**: learn, review, relearn and filtered entries with an answer, at their
  time, right for Hard, Good and Easy, wrong for Again; manual and rescheduled entries, and entries dated
  before 1970 or in the future (a revlog id is its time), are skipped and counted. Each word's FSRS card is
  computed from its whole history.
- **Importing again is safe**: notes are matched by guid and reviews by revlog id, so the same package
  changes nothing the second time, and a later export adds only what is new.

A package that cannot be read (not a zip, no collection, a corrupt database, an unknown version, files that
unpack to more than \`ANKI_UNPACKED_LIMIT\` at once: 1024 MB unless the operator set another) is a \`400\`
saying why; nothing is written. Notes that cannot become words are listed in \`failed_notes\` and the
rest is imported. \`dry_run=true\` reports the same, writing nothing. The upload may be as large as
\`ANKI_IMPORT_LIMIT\` (200 MB unless the operator set another).`;

/** The package uploaded in the field `file`, which is required. */
function UploadedPackage(): ParameterDecorator {
  return UploadedFile(
    new ParseFilePipe({
      exceptionFactory: () =>
        new ValidationFailedException([{ field: 'file', message: 'must be an Anki package (.apkg or .colpkg)' }]),
    }),
  );
}

@ApiTags('words')
@ApiRateLimited()
@Controller()
export class AnkiController {
  constructor(private readonly anki: AnkiService) {}

  @Post('import/anki')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Import an Anki package (.apkg, .colpkg) with its review history',
    description: IMPORT_DESCRIPTION,
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: 'The package, and optionally which fields of each note type are thai and english.',
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'The .apkg or .colpkg file.' },
        field_map: {
          type: 'string',
          description: 'JSON: `{"<note type>": {"thai": "<field>", "english": "<field>"}}`.',
          example: '{"Basic": {"thai": "Front", "english": "Back"}}',
        },
      },
    },
  })
  @ApiOkResponse({ type: AnkiImportReportDto, description: 'What the import did (or, on a dry run, would do).' })
  @ApiProblems(
    [400, 'The collection is not an SQLite database (file is not a database)'],
    [
      409,
      '1 of 120 rows is a word that exists already, so nothing was imported: ' +
        'row 2: thai "แมว" with english "cat" is word 42 already (on_duplicate=error)',
    ],
    [413, 'The file is larger than the limit of 209715200 bytes'],
    [415, 'The request body must be multipart/form-data, in UTF-8'],
  )
  @FormUpload('file', 'ANKI_IMPORT_LIMIT')
  import(
    @Query() query: AnkiImportQueryDto,
    @Body() body: AnkiImportBodyDto,
    @UploadedPackage() file: UploadedPackageFile,
  ): Promise<AnkiImportReportDto> {
    return this.anki.import(file.buffer, {
      dryRun: query.dry_run,
      onDuplicate: query.on_duplicate,
      fieldMap: body.field_map,
    });
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, ValidateBy } from 'class-validator';
import { isJsonObject } from '../../core/json.js';
import { IsOmittable, QueryBoolean } from '../../core/http.js';
import type { FieldMap } from '../anki-notes.js';
import { ON_DUPLICATE, type OnDuplicate } from '../../words/dto/word-transfer.dto.js';
import { IntegerProperty } from '../../core/api-properties.js';

export class AnkiImportQueryDto {
  @ApiPropertyOptional({
    enum: ON_DUPLICATE,
    default: 'update',
    description:
      'A note not found by its guid whose thai and english (ignoring case) are a stored word’s: `update` ' +
      '(the default) makes it that word (its parts, groups and history join it), `skip` leaves the word and ' +
      'the note’s history out, `error` refuses the import (409).',
  })
  @IsOptional()
  @IsIn(ON_DUPLICATE)
  on_duplicate: OnDuplicate = 'update';

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Read the package and report what the import would do, writing nothing.',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  dry_run: boolean = false;
}

/** A form field's JSON as what it holds; a blank field as none, text that is no JSON as itself. */
const ParsedJson = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') {
      return value;
    }
    if (value.trim() === '') {
      return undefined;
    }
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  });

const IsFieldMap = () =>
  ValidateBy({
    name: 'isFieldMap',
    validator: {
      validate: (value: unknown) =>
        isJsonObject(value) &&
        Object.values(value).every(
          (fields) => isJsonObject(fields) && typeof fields.thai === 'string' && typeof fields.english === 'string',
        ),
      defaultMessage: () =>
        '$property must be a JSON object of note type names to {"thai": field name, "english": field name}',
    },
  });

/** The form fields beside the file. */
export class AnkiImportBodyDto {
  @ApiPropertyOptional({
    type: String,
    description:
      'JSON: for a note type (by name), which field is thai and which english, e.g. ' +
      '`{"Basic": {"thai": "Front", "english": "Back"}}`. Note types not named are mapped automatically.',
  })
  @ParsedJson()
  @IsOmittable()
  @IsFieldMap()
  field_map?: FieldMap;
}

export class AnkiFailedNoteDto {
  @IntegerProperty(1700000000123, { description: 'The note id in the package.' })
  note_id!: number;

  @ApiProperty({ example: 'f>Xs8!bT1q' })
  guid!: string;

  @ApiProperty({ example: 'Basic' })
  note_type!: string;

  @ApiProperty({ example: 'no field is mostly Thai script (give a field_map for its note type)' })
  reason!: string;
}

const count = (description: string, example = 0) => IntegerProperty(example, { description });

export class AnkiImportReportDto {
  @ApiProperty({ description: 'Whether this was a dry run: nothing was written.' })
  dry_run!: boolean;

  @ApiProperty({
    enum: ['legacy1', 'legacy2', 'latest'],
    description: 'The package format: collection.anki2, collection.anki21, or collection.anki21b (version 3).',
  })
  format!: string;

  @count('Notes in the package.', 120)
  notes!: number;

  @count('New words.', 100)
  words_created!: number;

  @count('Stored words the notes changed (found by their guid, or by thai and english).', 5)
  words_updated!: number;

  @count('Stored words the notes matched in every field and group.', 10)
  words_unchanged!: number;

  @count('Stored words left alone (`on_duplicate=skip`).')
  words_skipped!: number;

  @count('Notes with the thai and english of an earlier note of the package: the same word.')
  notes_merged!: number;

  @ApiProperty({ type: [String], example: ['Thai::Food'], description: 'Groups created, named after decks.' })
  groups_created!: string[];

  @count('Review log entries recorded as answers.', 900)
  reviews_imported!: number;

  @count('Review log entries recorded by an earlier import (matched by revlog id).')
  reviews_already_imported!: number;

  @count(
    'Manual and rescheduled entries (and filtered ones without an answer), and entries dated before 1970 or in ' +
      'the future: not answers.',
    12,
  )
  reviews_skipped!: number;

  @count('Entries of notes that did not become words (failed or skipped).')
  reviews_without_word!: number;

  @count('Words whose FSRS card was computed from their whole history.', 95)
  cards_scheduled!: number;

  @count('Audio files stored under /media/, named by their content (the same bytes are one file).', 30)
  media_stored!: number;

  @count('Audio files stored already with the same content.')
  media_unchanged!: number;

  @count('Audio references to files the package does not carry.')
  media_missing!: number;

  @count('Images the notes refer to: not stored.', 4)
  images_skipped!: number;

  @ApiProperty({ type: [AnkiFailedNoteDto], description: 'Every note that could not become a word, and why.' })
  failed_notes!: AnkiFailedNoteDto[];
}

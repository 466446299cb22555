import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsObject, isIn, ValidateBy } from 'class-validator';
import { ID_SCHEMA, IsId, IsOmittable, ItemCount, RequiredText } from '../../core/http.js';
import { hasAtMostCharacters, isJsonObject } from '../../core/json.js';
import type { WordParts } from '../word.entity.js';
import { MAX_WORD_TEXT, TONES, WORD_PARTS_SCHEMA } from './word.dto.js';

/** The most groups a word joins in one request (`group_ids`). */
export const MAX_GROUPS_PER_WORD = 1000;

/**
 * What is wrong with a word's parts, if anything: the keys whose meaning the OpenAPI document gives (WORD_PARTS_SCHEMA)
 * have its types, so that a client typed from it can read every word; the other keys are stored as sent. Of
 * them, the portal searches, sorts and indexes the romanization: it is text as thai and english are (a string,
 * trimmed, of at most MAX_WORD_TEXT characters; a longer one would not fit in PostgreSQL's index), or null.
 */
export function partsProblem(parts: WordParts): string | undefined {
  const { romanization, phonetic, part_of_speech, tones } = parts;
  if (romanization !== undefined && romanization !== null) {
    if (typeof romanization !== 'string') {
      return 'romanization must be a string';
    }
    if (!hasAtMostCharacters(romanization.trim(), MAX_WORD_TEXT)) {
      return `romanization must be shorter than or equal to ${MAX_WORD_TEXT} characters`;
    }
  }
  const notText = Object.entries({ phonetic, part_of_speech }).find(
    ([, value]) => value !== undefined && typeof value !== 'string',
  );
  if (notText) {
    return `${notText[0]} must be a string`;
  }
  if (tones !== undefined && !(Array.isArray(tones) && tones.every((tone) => isIn(tone, TONES)))) {
    return `tones must be an array of ${TONES.join(', ')}`;
  }
  return undefined;
}

/**
 * The parts to store: as sent, their texts that CSV carries (romanization, part_of_speech) trimmed, as its cells are;
 * a romanization empty once trimmed is none (null), as an empty cell is, which the sort by romanization puts last.
 */
export const partsToStore = (parts: WordParts): WordParts => ({
  ...parts,
  ...(typeof parts.romanization === 'string' && { romanization: parts.romanization.trim() || null }),
  ...(typeof parts.part_of_speech === 'string' && { part_of_speech: parts.part_of_speech.trim() }),
});

/** A word's parts: a JSON object in which `partsProblem` finds nothing wrong. */
const IsWordParts = () =>
  applyDecorators(
    IsObject(),
    ValidateBy({
      name: 'isWordParts',
      validator: {
        validate: (value) => !isJsonObject(value) || partsProblem(value) === undefined,
        defaultMessage: (args) => `$property.${partsProblem(args!.value as WordParts)}`,
      },
    }),
  );

export class CreateWordDto {
  @RequiredText(MAX_WORD_TEXT, 'สวัสดี')
  thai!: string;

  @RequiredText(MAX_WORD_TEXT, 'hello')
  english!: string;

  @ApiPropertyOptional({
    ...WORD_PARTS_SCHEMA,
    description: `${WORD_PARTS_SCHEMA.description} A word created without them has \`{}\`; an update replaces them whole.`,
  })
  @IsOmittable()
  @IsWordParts()
  parts?: WordParts;

  @ApiPropertyOptional({ type: 'array', items: ID_SCHEMA, description: 'Groups the new word joins.', example: [1] })
  @IsOmittable()
  @ItemCount(0, MAX_GROUPS_PER_WORD)
  @IsId({ each: true })
  group_ids?: number[];
}

export class UpdateWordDto extends PartialType(PickType(CreateWordDto, ['thai', 'english', 'parts'] as const), {
  skipNullProperties: false,
}) {}

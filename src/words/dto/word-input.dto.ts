import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject, maxLength, ValidateBy } from 'class-validator';
import { ID_SCHEMA, IsId, IsOmittable, RequiredText } from '../../core/http.js';
import { isJsonObject } from '../../core/json.js';
import type { WordParts } from '../word.entity.js';
import { MAX_WORD_TEXT, WORD_PARTS_SCHEMA } from './word.dto.js';

/** The most groups a word joins in one request (`group_ids`, an import's `groups`). */
export const MAX_GROUPS_PER_WORD = 1000;

/**
 * What is wrong with the romanization of a word's parts, if anything. Of the parts, the portal searches, sorts and
 * indexes the romanization: it is text as thai and english are (a string, trimmed, of at most MAX_WORD_TEXT
 * characters; a longer one would not fit in PostgreSQL's index), or null. The other keys are stored as sent.
 */
export function romanizationProblem(parts: WordParts): string | undefined {
  const { romanization } = parts;
  if (romanization === undefined || romanization === null) {
    return undefined;
  }
  if (typeof romanization !== 'string') {
    return 'romanization must be a string';
  }
  return maxLength(romanization.trim(), MAX_WORD_TEXT)
    ? undefined
    : `romanization must be shorter than or equal to ${MAX_WORD_TEXT} characters`;
}

/** The parts to store: as sent, their romanization trimmed. */
export const partsToStore = (parts: WordParts): WordParts =>
  typeof parts.romanization === 'string' ? { ...parts, romanization: parts.romanization.trim() } : parts;

/** A word's parts: a JSON object whose romanization `romanizationProblem` finds nothing wrong with. */
const IsWordParts = () =>
  applyDecorators(
    IsObject(),
    ValidateBy({
      name: 'isWordParts',
      validator: {
        validate: (value) => !isJsonObject(value) || romanizationProblem(value) === undefined,
        defaultMessage: (args) => `$property.${romanizationProblem(args!.value as WordParts)}`,
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
  @IsArray()
  @ArrayMaxSize(MAX_GROUPS_PER_WORD)
  @IsId({ each: true })
  group_ids?: number[];
}

export class UpdateWordDto extends PartialType(PickType(CreateWordDto, ['thai', 'english', 'parts'] as const), {
  skipNullProperties: false,
}) {}

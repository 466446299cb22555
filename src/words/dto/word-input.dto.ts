import { ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject } from 'class-validator';
import { ID_SCHEMA, IsId, IsOmittable, RequiredText } from '../../core/http.js';
import type { WordParts } from '../word.entity.js';
import { WORD_PARTS_SCHEMA } from './word.dto.js';

/** The most characters a word's thai, or its english, may have. */
export const MAX_WORD_TEXT = 200;

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
  @IsObject()
  parts?: WordParts;

  @ApiPropertyOptional({ type: 'array', items: ID_SCHEMA, description: 'Groups the new word joins.', example: [1] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsId({ each: true })
  group_ids?: number[];
}

export class UpdateWordDto extends PartialType(PickType(CreateWordDto, ['thai', 'english', 'parts'] as const), {
  skipNullProperties: false,
}) {}

import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsObject, IsString, MaxLength } from 'class-validator';
import { IsId, IsOmittable, Trim } from '../../core/http.js';
import type { WordParts } from '../word.entity.js';

export class CreateWordDto {
  @ApiProperty({ example: 'สวัสดี', maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  thai!: string;

  @ApiProperty({ example: 'hello', maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  english!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    default: {},
    example: { romanization: 'sawatdi', part_of_speech: 'interjection' },
  })
  @IsOmittable()
  @IsObject()
  parts?: WordParts;

  @ApiPropertyOptional({ type: [Number], description: 'Groups the new word joins.', example: [1] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsId({ each: true })
  group_ids?: number[];
}

export class UpdateWordDto extends PartialType(PickType(CreateWordDto, ['thai', 'english', 'parts'] as const), {
  skipNullProperties: false,
}) {}

import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsString, isURL, MaxLength, ValidateBy, ValidateIf } from 'class-validator';
import { IsOmittable, RequiredText, Trim } from '../../core/http.js';
import { PaginationQueryDto } from '../../core/pagination.js';
import type { LearningApp } from '../learning-app.entity.js';

/** An absolute http(s) URL that browsers (the WHATWG URL parser) can open, as the launch builds on it. */
const IsHttpUrl = () =>
  ValidateBy({
    name: 'isHttpUrl',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        isURL(value, { protocols: ['http', 'https'], require_protocol: true, require_tld: false }) &&
        URL.canParse(value),
      defaultMessage: () => '$property must be an absolute http or https URL',
    },
  });

export class LearningAppDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id!: number;

  @ApiProperty({ example: 'Flashcards' })
  name!: string;

  @ApiProperty({ example: 'Flip cards from Thai to English.' })
  description!: string;

  @ApiProperty({ example: 'https://apps.example/flashcards' })
  launch_url!: string;

  @ApiProperty({ type: String, nullable: true, example: 'https://apps.example/flashcards.png' })
  thumbnail_url!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class CreateLearningAppDto {
  @RequiredText(100, 'Flashcards', 'Unique, case-insensitively.')
  name!: string;

  @ApiPropertyOptional({
    maxLength: 2000,
    example: 'Flip cards from Thai to English.',
    description: 'An app created without one has the empty description.',
  })
  @IsOmittable()
  @Trim()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ example: 'https://apps.example/flashcards', description: 'Absolute http(s) URL.' })
  @Trim()
  @IsHttpUrl()
  @MaxLength(2000)
  launch_url!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'https://apps.example/flashcards.png' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Trim()
  @IsHttpUrl()
  @MaxLength(2000)
  thumbnail_url?: string | null;
}

export class UpdateLearningAppDto extends PartialType(CreateLearningAppDto, { skipNullProperties: false }) {}

export class ListLearningAppsQueryDto extends PaginationQueryDto {}

export function toLearningAppDto(app: LearningApp): LearningAppDto {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    launch_url: app.launchUrl,
    thumbnail_url: app.thumbnailUrl ?? null,
    created_at: app.createdAt.toISOString(),
  };
}

import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsString, isURL, ValidateBy, ValidateIf } from 'class-validator';
import { IsOmittable, MaxCharacters, RequiredText, Trim } from '../../core/http.js';
import { PaginationQueryDto } from '../../core/pagination.js';
import { LAUNCH_METHODS, type LaunchMethod, type LearningApp } from '../learning-app.entity.js';
import { DateTimeProperty, IntegerProperty } from '../../core/api-properties.js';

/**
 * An absolute http(s) URL that browsers (the WHATWG URL parser) can open, as the launch builds on it; host names
 * may hold underscores, as browsers and the container networks' service names allow.
 */
const IsHttpUrl = () =>
  ValidateBy({
    name: 'isHttpUrl',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        isURL(value, {
          protocols: ['http', 'https'],
          require_protocol: true,
          require_tld: false,
          allow_underscores: true,
        }) &&
        URL.canParse(value),
      defaultMessage: () => '$property must be an absolute http or https URL',
    },
  });

const LAUNCH_METHOD_DESCRIPTION =
  'How the launch opens the app. `plain`: launch_url with session_id, group_id and api_base. `xapi`: also ' +
  'endpoint, fetch, registration, activityId and actor (cmi5-style), so that the app sends xAPI statements ' +
  'to the portal’s Learning Record Store with a credential of its session (see docs/api.md).';

export class LearningAppDto {
  @IntegerProperty(1)
  id!: number;

  @ApiProperty({ example: 'Flashcards' })
  name!: string;

  @ApiProperty({ example: 'Flip cards from Thai to English.' })
  description!: string;

  @ApiProperty({
    example: 'https://apps.example/flashcards',
    description:
      'An app the portal serves itself (the example flashcards) is at the portal’s address: PUBLIC_URL, or the ' +
      'address this request came to.',
  })
  launch_url!: string;

  @ApiProperty({ type: String, nullable: true, example: 'https://apps.example/flashcards.png' })
  thumbnail_url!: string | null;

  @ApiProperty({ enum: LAUNCH_METHODS, example: 'plain', description: LAUNCH_METHOD_DESCRIPTION })
  launch_method!: LaunchMethod;

  @DateTimeProperty()
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
  @MaxCharacters(2000)
  description?: string;

  @ApiProperty({ maxLength: 2000, example: 'https://apps.example/flashcards', description: 'Absolute http(s) URL.' })
  @Trim()
  @IsString()
  @IsHttpUrl()
  @MaxCharacters(2000)
  launch_url!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2000,
    example: 'https://apps.example/flashcards.png',
  })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Trim()
  @IsString()
  @IsHttpUrl()
  @MaxCharacters(2000)
  thumbnail_url?: string | null;

  @ApiPropertyOptional({
    enum: LAUNCH_METHODS,
    example: 'xapi',
    description: `${LAUNCH_METHOD_DESCRIPTION} Default: plain.`,
  })
  @IsOmittable()
  @IsIn(LAUNCH_METHODS)
  launch_method?: LaunchMethod;
}

export class UpdateLearningAppDto extends PartialType(CreateLearningAppDto, { skipNullProperties: false }) {}

export class ListLearningAppsQueryDto extends PaginationQueryDto {}

/** Where the app opens for a client that reaches the portal at `portal` (`portalOrigin`). */
export const launchUrlOf = (app: LearningApp, portal: string) =>
  app.launchUrl.startsWith('/') ? `${portal}${app.launchUrl}` : app.launchUrl;

export function toLearningAppDto(app: LearningApp, portal: string): LearningAppDto {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    launch_url: launchUrlOf(app, portal),
    thumbnail_url: app.thumbnailUrl ?? null,
    launch_method: app.launchMethod,
    created_at: app.createdAt.toISOString(),
  };
}

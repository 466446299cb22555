import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, Matches, ValidateBy } from 'class-validator';
import { EachNested, ID_SCHEMA, IsId, IsOmittable, ItemCount, QueryBoolean, QueryId, Trim } from '../../core/http.js';
import { PaginationQueryDto } from '../../core/pagination.js';
import { DateTimeProperty, IntegerProperty } from '../../core/api-properties.js';
import { isRealDateTime } from '../../core/calendar.js';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** A TIMESTAMP whose date and time exist (`isRealDateTime`). */
function isRealTimestamp(value: string): boolean {
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = TIMESTAMP.exec(value)!
    .slice(1)
    .map((field) => Number(field ?? 0));
  return isRealDateTime({ year, month, day, hour, minute, second, offsetHours, offsetMinutes });
}

/** An ISO 8601 timestamp that names its offset (`Z` or `±hh:mm`), so it is one unambiguous instant. */
const IsTimestamp = () => (target: object, property: string) => {
  Matches(TIMESTAMP, { message: '$property must be an ISO 8601 timestamp with Z or an offset' })(target, property);
  ValidateBy({
    name: 'isRealTimestamp',
    validator: {
      validate: (value) => typeof value !== 'string' || !TIMESTAMP.test(value) || isRealTimestamp(value),
      defaultMessage: () => '$property must be a date the calendar has, at a time of day in range',
    },
  })(target, property);
};

/** The instant a value names, if it is a timestamp (TIMESTAMP) of a real date and time (`isRealTimestamp`). */
const instantOf = (value: unknown) =>
  typeof value === 'string' && TIMESTAMP.test(value) && isRealTimestamp(value) ? Date.parse(value) : undefined;

/**
 * Refuses an instant before the field `start`'s: a span that ends before it begins. A value that names no instant (no
 * timestamp, a date the calendar lacks, which Date.parse would roll over) is the timestamp checks' to refuse.
 */
const IsNotBefore = (start: string) =>
  ValidateBy({
    name: 'isNotBefore',
    constraints: [start],
    validator: {
      validate: (value: unknown, args) => {
        const [from, to] = [instantOf((args!.object as Record<string, unknown>)[start]), instantOf(value)];
        return from === undefined || to === undefined || to >= from;
      },
      defaultMessage: () => '$property must not be before $constraint1',
    },
  });

const IsNotInFuture = () =>
  ValidateBy({
    name: 'isNotInFuture',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !(Date.parse(value) > Date.now()),
      defaultMessage: () => '$property must not be in the future',
    },
  });

export class AnswerDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  correct!: boolean;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-24T16:15:00+07:00',
    description: 'When the answer was really given (an app that was offline); not in the future. Default: now.',
  })
  @IsOmittable()
  @Trim()
  @IsTimestamp()
  @IsNotInFuture()
  reviewed_at?: string;
}

export class CreateReviewDto extends AnswerDto {
  @ApiProperty({ ...ID_SCHEMA, example: 1 })
  @IsId()
  word_id!: number;
}

const MAX_BATCH = 500;

/** Answers recorded together: all of them, or none. */
export class AnswerBatchDto {
  @ApiProperty({ type: [CreateReviewDto], minItems: 1, maxItems: MAX_BATCH })
  @ItemCount(1, MAX_BATCH)
  @EachNested(() => CreateReviewDto)
  answers!: CreateReviewDto[];
}

export class AnswerRecordedDto {
  @ApiProperty({ example: true })
  success!: true;

  @IntegerProperty(1)
  word_id!: number;

  @IntegerProperty(7, { nullable: true })
  study_session_id!: number | null;

  @ApiProperty({ example: true })
  correct!: boolean;

  @DateTimeProperty({ description: 'The answer’s reviewed_at, in UTC.' })
  created_at!: string;
}

export class ReviewDto {
  @IntegerProperty(1)
  id!: number;

  @IntegerProperty(1)
  word_id!: number;

  @ApiProperty({ example: 'สวัสดี' })
  thai!: string;

  @ApiProperty({ example: 'hello' })
  english!: string;

  @ApiProperty({ example: true })
  correct!: boolean;

  @DateTimeProperty()
  reviewed_at!: string;

  @IntegerProperty(7, { nullable: true })
  study_session_id!: number | null;
}

export class ListReviewsQueryDto extends PaginationQueryDto {
  @QueryId('Only answers for this word (a deleted word has an empty history).')
  word_id?: number;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  correct?: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only answers reviewed at or after this instant.' })
  @IsOptional()
  @Trim()
  @IsTimestamp()
  since?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only answers reviewed at or before this instant; not before `since`.',
  })
  @IsOptional()
  @Trim()
  @IsTimestamp()
  @IsNotBefore('since')
  until?: string;
}

/** What a batch of answers gets: the batch is one transaction. */
export const ALL_OR_NONE = 'Every answer is recorded, in one transaction: all of them or, on any error, none.';

export class AnswersRecordedDto {
  @ApiProperty({ type: [AnswerRecordedDto], description: 'Each answer as recorded, in the order sent.' })
  answers!: AnswerRecordedDto[];
}

import { ApiProperty } from '@nestjs/swagger';
import { QueryInt } from '../../core/http.js';
import { IntegerProperty } from '../../core/api-properties.js';

export class StudyProgressDto {
  @IntegerProperty(42, { description: 'Words with at least one review.' })
  total_words_studied!: number;

  @IntegerProperty(388, { description: 'All words.' })
  total_available_words!: number;
}

export class QuickStatsDto {
  @ApiProperty({ example: 80.5, description: 'Percentage of correct answers over all reviews, one decimal.' })
  success_rate!: number;

  @IntegerProperty(12)
  total_study_sessions!: number;

  @IntegerProperty(3, { description: 'Groups with at least one study session.' })
  total_active_groups!: number;

  @IntegerProperty(4, {
    description:
      'Consecutive days with a review, ending today (or yesterday when nothing was reviewed yet today), in APP_TIMEZONE.',
  })
  study_streak_days!: number;

  @IntegerProperty(57, {
    description: 'Words in review state whose stability (days until recall falls to 90%) is 21 days or more.',
  })
  mastered_words!: number;

  @IntegerProperty(14, { description: 'Cards due by the end of today (APP_TIMEZONE), overdue ones included.' })
  due_today!: number;
}

export class ForecastQueryDto {
  @QueryInt(1, 365, { description: 'How many days, today first.', default: 30 })
  days = 30;
}

export class ForecastDayDto {
  @ApiProperty({ example: '2026-11-30', description: 'A calendar day in APP_TIMEZONE.' })
  date!: string;

  @IntegerProperty(14, { description: 'Cards due that day; today also counts the overdue ones.' })
  due!: number;
}

export class ForecastDto {
  @ApiProperty({ type: [ForecastDayDto] })
  days!: ForecastDayDto[];

  @IntegerProperty(240, { description: 'Cards due before the end of the last day.' })
  total!: number;
}

export class RetentionFigureDto {
  @ApiProperty({
    type: 'number',
    nullable: true,
    minimum: 0,
    maximum: 1,
    example: 0.91,
    description: 'Share of right answers given to words in review state; null without such answers.',
  })
  retention!: number | null;

  @IntegerProperty(320, { description: 'The answers behind the figure.' })
  reviews!: number;
}

export class RetentionDto {
  @ApiProperty({ type: RetentionFigureDto })
  last_7_days!: RetentionFigureDto;

  @ApiProperty({ type: RetentionFigureDto })
  last_30_days!: RetentionFigureDto;

  @ApiProperty({ type: RetentionFigureDto })
  last_365_days!: RetentionFigureDto;

  @ApiProperty({ example: 0.9, description: 'The retention the scheduler aims at (SRS_REQUEST_RETENTION).' })
  request_retention!: number;
}

import { ApiProperty } from '@nestjs/swagger';

export class StudyProgressDto {
  @ApiProperty({ type: 'integer', example: 42, description: 'Words with at least one review.' })
  total_words_studied!: number;

  @ApiProperty({ type: 'integer', example: 388, description: 'All words.' })
  total_available_words!: number;
}

export class QuickStatsDto {
  @ApiProperty({ example: 80.5, description: 'Percentage of correct answers over all reviews, one decimal.' })
  success_rate!: number;

  @ApiProperty({ type: 'integer', example: 12 })
  total_study_sessions!: number;

  @ApiProperty({ type: 'integer', example: 3, description: 'Groups with at least one study session.' })
  total_active_groups!: number;

  @ApiProperty({
    type: 'integer',
    example: 4,
    description:
      'Consecutive days with a review, ending today (or yesterday when nothing was reviewed yet today), in APP_TIMEZONE.',
  })
  study_streak_days!: number;
}

import { ApiProperty } from '@nestjs/swagger';
import { QueryId, QueryInt } from '../../core/http.js';
import { WordDto } from '../../words/dto/word.dto.js';
import { CARD_STATES, type CardStateName } from '../../scheduling/scheduler.js';
import { DateTimeProperty, IntegerProperty, NullableObjectProperty } from '../../core/api-properties.js';

export class QueueQueryDto {
  @QueryInt(1, 200, { description: 'How many words at most.', default: 20 })
  limit = 20;

  @QueryId('Only words of this group.')
  group_id?: number;
}

export class CardDto {
  @ApiProperty({
    enum: CARD_STATES,
    example: 'review',
    description: 'new: never answered; learning and relearning: in minutes-long steps; review: in days-long intervals.',
  })
  state!: CardStateName;

  @DateTimeProperty({ description: 'When the word should be studied again.' })
  due!: string;

  @ApiProperty({ example: 12.4, description: 'Days until the probability of recall falls to 90%.' })
  stability!: number;

  @ApiProperty({ example: 5.3, description: 'How hard the word is for this learner, 1 (easy) to 10 (hard).' })
  difficulty!: number;

  @IntegerProperty(4)
  reps!: number;

  @IntegerProperty(1, { description: 'How often the word was forgotten after it was learnt.' })
  lapses!: number;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.87, description: 'The probability of recalling the word now.' })
  retrievability!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_review!: string | null;
}

export class QueueItemDto extends WordDto {
  @ApiProperty({ type: CardDto, description: "The word's card; a new word's card is in state `new`." })
  card!: CardDto;
}

export class QueueDto {
  @ApiProperty({
    type: [QueueItemDto],
    description: 'Due words, least likely to be recalled first, then new words up to the day’s remaining allowance.',
  })
  items!: QueueItemDto[];

  @IntegerProperty(12, { description: 'How many new words the queue may still bring in today.' })
  new_words_remaining_today!: number;
}

const BEFORE_FUZZ =
  ' Before fuzz: with SRS_ENABLE_FUZZ, the answer itself moves an interval of three days or more a little ' +
  'around it (±1 day at 3 days, ±7 at 100), at random.';

export class NextDueDto {
  @DateTimeProperty({ description: `When the word would be due after a right answer now.${BEFORE_FUZZ}` })
  right!: string;

  @DateTimeProperty({ description: `When the word would be due after a wrong answer now.${BEFORE_FUZZ}` })
  wrong!: string;
}

export class ScheduledAnswerDto {
  @IntegerProperty(1, { description: 'The review (log row) id.' })
  id!: number;

  @ApiProperty({ example: true })
  correct!: boolean;

  @DateTimeProperty()
  reviewed_at!: string;

  @ApiProperty({ type: CardDto, description: 'The card right after this answer (retrievability as of then).' })
  card!: CardDto;
}

export class WordScheduleDto {
  @IntegerProperty(1)
  word_id!: number;

  @ApiProperty({ type: CardDto })
  card!: CardDto;

  @ApiProperty({ type: NextDueDto })
  next_due!: NextDueDto;

  @ApiProperty({ type: [ScheduledAnswerDto], description: 'Every answer, oldest first.' })
  history!: ScheduledAnswerDto[];
}

export class EvaluationDto {
  @ApiProperty({ example: 0.34, description: 'Log-loss of the predicted recall against the answers: lower is better.' })
  log_loss!: number;

  @ApiProperty({
    example: 0.04,
    description: 'Root mean square error of the predicted recall, binned: lower is better.',
  })
  rmse!: number;
}

export class SrsParametersDto {
  @ApiProperty({ type: [Number], minItems: 21, maxItems: 21, description: 'The 21 FSRS-6 parameters in use.' })
  parameters!: number[];

  @ApiProperty({ enum: ['default', 'fitted'], description: 'FSRS’s defaults, or fitted to this learner’s log.' })
  source!: 'default' | 'fitted';

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  fitted_at!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The training reviews of the fit.' })
  reviews!: number | null;

  @NullableObjectProperty(EvaluationDto, 'The defaults on the log of the fit.')
  defaults!: EvaluationDto | null;

  @NullableObjectProperty(EvaluationDto, 'The fitted parameters on the same log.')
  fitted!: EvaluationDto | null;
}

export class OptimizationDto {
  @ApiProperty({
    description: 'Whether the fitted parameters beat the defaults and are now in use (every card rebuilt).',
  })
  adopted!: boolean;

  @ApiProperty({
    type: 'integer',
    example: 1520,
    description: 'The training reviews: answers after a word’s first day.',
  })
  reviews!: number;

  @ApiProperty({ type: [Number], minItems: 21, maxItems: 21 })
  parameters!: number[];

  @ApiProperty({ type: EvaluationDto })
  defaults!: EvaluationDto;

  @ApiProperty({ type: EvaluationDto })
  fitted!: EvaluationDto;
}

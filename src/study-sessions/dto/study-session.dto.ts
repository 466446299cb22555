import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ID_SCHEMA, IsId, QueryId } from '../../core/http.js';
import { ORDERS, type Order, PaginationQueryDto, SortedQueryDto } from '../../core/pagination.js';
import { ENGLISH_SORT, WORD_SORTS } from '../../words/dto/list-words.query.js';
import { WordDto } from '../../words/dto/word.dto.js';
import { DateTimeProperty, IntegerProperty } from '../../core/api-properties.js';

export class StudySessionDto {
  @IntegerProperty(7)
  id!: number;

  @IntegerProperty(1)
  group_id!: number;

  @ApiProperty({ example: 'Greetings' })
  group_name!: string;

  @IntegerProperty(1, { nullable: true, description: 'Null for a session without an app.' })
  learning_app_id!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'Flashcards' })
  learning_app_name!: string | null;

  @DateTimeProperty({ description: 'When the session was created.' })
  start_time!: string;

  @DateTimeProperty({ nullable: true, description: 'The newest reviewed_at of its answers; null before the first.' })
  end_time!: string | null;

  @IntegerProperty(20)
  review_items_count!: number;

  @IntegerProperty(15)
  correct_count!: number;

  @IntegerProperty(5)
  wrong_count!: number;
}

export class SessionWordDto extends WordDto {
  @IntegerProperty(3)
  session_correct_count!: number;

  @IntegerProperty(1)
  session_wrong_count!: number;
}

export class CreateStudySessionDto {
  @ApiProperty({ ...ID_SCHEMA, example: 1, description: 'The group of words to study.' })
  @IsId()
  group_id!: number;

  @ApiPropertyOptional({
    ...ID_SCHEMA,
    nullable: true,
    example: 1,
    description: 'The learning app the session is studied with; none when left out or null.',
  })
  @IsOptional()
  @IsId()
  learning_app_id?: number | null;
}

export const SESSION_SORTS = ['start_time', 'end_time', 'review_items_count', 'correct_count', 'id'] as const;

/** A page of study sessions, newest first unless asked otherwise; ties by id in the same direction. */
export class SessionsQueryDto extends SortedQueryDto(SESSION_SORTS, 'start_time', 'desc') {}

export class ListStudySessionsQueryDto extends SessionsQueryDto {
  @QueryId('Only sessions of this group (404 if it does not exist).')
  group_id?: number;

  @QueryId('Only sessions launched from this app (404 if it does not exist).')
  learning_app_id?: number;
}

/** `POST /learning_apps/:id/launch`: the group to study with the app. */
export class LaunchDto extends PickType(CreateStudySessionDto, ['group_id'] as const) {}

export class LaunchedDto {
  @ApiProperty({ type: StudySessionDto })
  study_session!: StudySessionDto;

  @ApiProperty({
    example:
      'https://apps.example/flashcards?session_id=7&group_id=1&api_base=http%3A%2F%2Flocalhost%3A3000%2Fapi%2Fv1',
    description: 'The app’s launch_url with session_id, group_id and api_base added to its query.',
  })
  launch_url!: string;
}

/** The words of a study session sort as word lists do, or by their counts in the session. */
const SESSION_WORD_SORTS = [...WORD_SORTS, 'session_correct_count', 'session_wrong_count'] as const;

export class SessionWordsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    enum: SESSION_WORD_SORTS,
    description:
      `As \`GET /words\` sorts, or by the word's answers in this session. ${ENGLISH_SORT} ` +
      'Unset: in the order the words were first answered.',
  })
  @IsOptional()
  @IsIn(SESSION_WORD_SORTS)
  sort_by?: (typeof SESSION_WORD_SORTS)[number];

  @ApiPropertyOptional({ enum: ORDERS, default: 'asc' })
  @IsOptional()
  @IsIn(ORDERS)
  order: Order = 'asc';
}

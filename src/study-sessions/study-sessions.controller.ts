import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../core/errors.js';
import { CreatedAt, ParseIdPipe } from '../core/http.js';
import { PageDto, PaginationQueryDto } from '../core/pagination.js';
import { AnswerDto, AnswerRecordedDto } from '../reviews/dto/review.dto.js';
import { ApiIdempotencyKey, IdempotencyKeyHeader } from '../reviews/idempotency-key.header.js';
import { ReviewsService } from '../reviews/reviews.service.js';
import {
  CreateStudySessionDto,
  ListStudySessionsQueryDto,
  SessionWordDto,
  StudySessionDto,
} from './dto/study-session.dto.js';
import { StudySessionsService } from './study-sessions.service.js';

@ApiTags('study sessions')
@Controller('study_sessions')
export class StudySessionsController {
  constructor(
    private readonly sessions: StudySessionsService,
    private readonly reviews: ReviewsService,
  ) {}

  @Get()
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'Newest first.' })
  @ApiProblems(400, 404)
  list(@Query() query: ListStudySessionsQueryDto) {
    return this.sessions.list(query);
  }

  @Post()
  @CreatedAt(StudySessionDto)
  @ApiProblems(400, 413, 415, 422)
  create(@Body() body: CreateStudySessionDto) {
    return this.sessions.create(body);
  }

  @Get(':id')
  @ApiOkResponse({ type: StudySessionDto })
  @ApiProblems(400, 404)
  get(@Param('id', ParseIdPipe) id: number) {
    return this.sessions.get(id);
  }

  @Get(':id/words')
  @ApiOkResponse({ type: PageDto(SessionWordDto), description: 'Words answered in the session.' })
  @ApiProblems(400, 404)
  words(@Param('id', ParseIdPipe) id: number, @Query() query: PaginationQueryDto) {
    return this.sessions.words(id, query);
  }

  @Post(':id/words/:word_id/review')
  @ApiCreatedResponse({ type: AnswerRecordedDto, description: 'The answer is recorded, all or nothing.' })
  @ApiProblems(400, 404, 413, 415)
  @ApiIdempotencyKey()
  review(
    @Param('id', ParseIdPipe) id: number,
    @Param('word_id', ParseIdPipe) wordId: number,
    @Body() body: AnswerDto,
    @IdempotencyKeyHeader() key?: string,
  ) {
    return this.reviews.recordInSession(id, wordId, body, key);
  }
}

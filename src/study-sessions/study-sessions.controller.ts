import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Environment } from '../core/config.js';
import { ApiProblems } from '../http/problem-document.js';
import { IdAndWordIdParams, IdParams } from '../core/http.js';
import { CreatedAt } from '../http/created.js';
import { PageDto } from '../core/pagination.js';
import { AnswerBatchDto, AnswerDto, AnswerRecordedDto, AnswersRecordedDto } from '../reviews/dto/review.dto.js';
import { ApiIdempotencyKey, IdempotencyKeyHeader } from '../reviews/idempotency-key.header.js';
import {
  CreateStudySessionDto,
  LaunchDto,
  LaunchedDto,
  ListStudySessionsQueryDto,
  SessionsQueryDto,
  SessionWordDto,
  SessionWordsQueryDto,
  StudySessionDto,
} from './dto/study-session.dto.js';
import { StudySessionsService } from './study-sessions.service.js';

const NO_SUCH_GROUP = 'group_id refers to a group that does not exist: 9';

/** Study sessions, wherever they are listed or started: on their own, in a group, from a learning app. */
@Controller()
export class StudySessionsController {
  constructor(
    private readonly sessions: StudySessionsService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  @Get('study_sessions')
  @ApiTags('study sessions')
  @ApiOperation({ summary: 'List study sessions' })
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'A page of study sessions, newest first.' })
  @ApiProblems(400, 404)
  list(@Query() query: ListStudySessionsQueryDto) {
    return this.sessions.listQueried(query);
  }

  @Post('study_sessions')
  @ApiTags('study sessions')
  @ApiOperation({ summary: 'Start a study session' })
  @CreatedAt(StudySessionDto, 'The new study session.')
  @ApiProblems(400, 413, 415, [422, NO_SUCH_GROUP])
  create(@Body() body: CreateStudySessionDto) {
    return this.sessions.create(body);
  }

  @Get('study_sessions/:id')
  @ApiTags('study sessions')
  @ApiOperation({ summary: 'Get a study session' })
  @ApiOkResponse({ type: StudySessionDto, description: 'The study session, with the counts of its answers.' })
  @ApiProblems(400, 404)
  get(@Param() { id }: IdParams) {
    return this.sessions.get(id);
  }

  @Get('study_sessions/:id/words')
  @ApiTags('study sessions')
  @ApiOperation({ summary: 'List the words answered in a study session' })
  @ApiOkResponse({ type: PageDto(SessionWordDto), description: 'A page of the words answered in the session.' })
  @ApiProblems(400, 404)
  words(@Param() { id }: IdParams, @Query() query: SessionWordsQueryDto) {
    return this.sessions.answeredWords(id, query);
  }

  @Post('study_sessions/:id/words/:word_id/review')
  @ApiTags('study sessions')
  @ApiOperation({ summary: 'Record an answer in a study session' })
  @ApiCreatedResponse({ type: AnswerRecordedDto, description: 'The answer is recorded, all or nothing.' })
  @ApiProblems(400, 404, 413, 415)
  @ApiIdempotencyKey()
  review(@Param() { id, word_id }: IdAndWordIdParams, @Body() body: AnswerDto, @IdempotencyKeyHeader() key?: string) {
    return this.sessions.recordAnswer(id, word_id, body, key);
  }

  @Post('study_sessions/:id/answers')
  @ApiTags('study sessions')
  @ApiOperation({ summary: 'Record several answers in a study session' })
  @ApiCreatedResponse({
    type: AnswersRecordedDto,
    description: 'Every answer is recorded, in one transaction: all of them or, on any error, none.',
  })
  @ApiProblems(400, 404, 413, 415)
  @ApiIdempotencyKey()
  recordAnswers(@Param() { id }: IdParams, @Body() body: AnswerBatchDto, @IdempotencyKeyHeader() key?: string) {
    return this.sessions.recordAnswers(id, body.answers, key);
  }

  @Get('groups/:id/study_sessions')
  @ApiTags('groups')
  @ApiOperation({ summary: 'List the study sessions of a group' })
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'Study sessions of the group, newest first.' })
  @ApiProblems(400, 404)
  ofGroup(@Param() { id }: IdParams, @Query() query: SessionsQueryDto) {
    return this.sessions.list({ groupId: id }, query);
  }

  @Get('learning_apps/:id/study_sessions')
  @ApiTags('learning apps')
  @ApiOperation({ summary: 'List the study sessions launched from a learning app' })
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'Sessions launched from this app, newest first.' })
  @ApiProblems(400, 404)
  ofLearningApp(@Param() { id }: IdParams, @Query() query: SessionsQueryDto) {
    return this.sessions.list({ learningAppId: id }, query);
  }

  @Post('learning_apps/:id/launch')
  @ApiTags('learning apps')
  @ApiOperation({ summary: 'Launch a learning app on a group' })
  @ApiCreatedResponse({
    type: LaunchedDto,
    description: 'The new study session, and the URL that opens the app on it.',
  })
  @ApiProblems(400, 404, 413, 415, [422, NO_SUCH_GROUP])
  launch(@Param() { id }: IdParams, @Body() body: LaunchDto, @Req() request: Request) {
    // Without PUBLIC_URL, the address the request was sent to (an HTTP/1.0 request may name no host).
    const origin =
      this.config.get('PUBLIC_URL', { infer: true }) ??
      `${request.protocol}://${request.get('host') ?? `localhost:${this.config.get('PORT', { infer: true })}`}`;
    return this.sessions.launch(id, body.group_id, origin.replace(/\/+$/, ''));
  }
}

import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Environment } from '../core/config.js';
import { ApiProblems } from '../core/errors.js';
import { CreatedAt, IdAndWordIdParams, IdParams } from '../core/http.js';
import { PageDto, PaginationQueryDto } from '../core/pagination.js';
import { AnswerDto, AnswerRecordedDto } from '../reviews/dto/review.dto.js';
import { ApiIdempotencyKey, IdempotencyKeyHeader } from '../reviews/idempotency-key.header.js';
import {
  CreateStudySessionDto,
  LaunchDto,
  LaunchedDto,
  ListStudySessionsQueryDto,
  SessionWordDto,
  StudySessionDto,
} from './dto/study-session.dto.js';
import { StudySessionsService } from './study-sessions.service.js';

/** Study sessions, wherever they are listed or started: on their own, in a group, from a learning app. */
@Controller()
export class StudySessionsController {
  constructor(
    private readonly sessions: StudySessionsService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  @Get('study_sessions')
  @ApiTags('study sessions')
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'Newest first.' })
  @ApiProblems(400, 404)
  list(@Query() query: ListStudySessionsQueryDto) {
    return this.sessions.listQueried(query);
  }

  @Post('study_sessions')
  @ApiTags('study sessions')
  @CreatedAt(StudySessionDto)
  @ApiProblems(400, 413, 415, 422)
  create(@Body() body: CreateStudySessionDto) {
    return this.sessions.create(body);
  }

  @Get('study_sessions/:id')
  @ApiTags('study sessions')
  @ApiOkResponse({ type: StudySessionDto })
  @ApiProblems(400, 404)
  get(@Param() { id }: IdParams) {
    return this.sessions.get(id);
  }

  @Get('study_sessions/:id/words')
  @ApiTags('study sessions')
  @ApiOkResponse({ type: PageDto(SessionWordDto), description: 'Words answered in the session.' })
  @ApiProblems(400, 404)
  words(@Param() { id }: IdParams, @Query() query: PaginationQueryDto) {
    return this.sessions.answeredWords(id, query);
  }

  @Post('study_sessions/:id/words/:word_id/review')
  @ApiTags('study sessions')
  @ApiCreatedResponse({ type: AnswerRecordedDto, description: 'The answer is recorded, all or nothing.' })
  @ApiProblems(400, 404, 413, 415)
  @ApiIdempotencyKey()
  review(@Param() { id, word_id }: IdAndWordIdParams, @Body() body: AnswerDto, @IdempotencyKeyHeader() key?: string) {
    return this.sessions.recordAnswer(id, word_id, body, key);
  }

  @Get('groups/:id/study_sessions')
  @ApiTags('groups')
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'Study sessions of the group, newest first.' })
  @ApiProblems(400, 404)
  ofGroup(@Param() { id }: IdParams, @Query() query: PaginationQueryDto) {
    return this.sessions.list({ groupId: id }, query);
  }

  @Get('learning_apps/:id/study_sessions')
  @ApiTags('learning apps')
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'Sessions launched from this app, newest first.' })
  @ApiProblems(400, 404)
  ofLearningApp(@Param() { id }: IdParams, @Query() query: PaginationQueryDto) {
    return this.sessions.list({ learningAppId: id }, query);
  }

  @Post('learning_apps/:id/launch')
  @ApiTags('learning apps')
  @ApiCreatedResponse({ type: LaunchedDto })
  @ApiProblems(400, 404, 413, 415, 422)
  launch(@Param() { id }: IdParams, @Body() body: LaunchDto, @Req() request: Request) {
    // Without PUBLIC_URL, the address the request was sent to (an HTTP/1.0 request may name no host).
    const origin =
      this.config.get('PUBLIC_URL', { infer: true }) ??
      `${request.protocol}://${request.get('host') ?? `localhost:${this.config.get('PORT', { infer: true })}`}`;
    return this.sessions.launch(id, body.group_id, `${origin.replace(/\/+$/, '')}/api/v1`);
  }
}

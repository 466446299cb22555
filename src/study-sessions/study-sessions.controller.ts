import { posix } from 'node:path';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IdAndWordIdParams, IdParams } from '../core/http.js';
import { ConditionsRefusedOnceFound, PreconditionHeaders, type Preconditions } from '../http/entity-tag.js';
import { PortalOrigin } from '../http/origin.js';
import { CreateOperation, CreateOperationAt, GetOperation, PageOperation, RecordOperation } from '../http/endpoints.js';
import {
  ALL_OR_NONE,
  AnswerBatchDto,
  AnswerDto,
  AnswerRecordedDto,
  AnswersRecordedDto,
} from '../reviews/dto/review.dto.js';
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
import { ApiRateLimited, REFERENCE_DELETED } from '../http/problem-document.js';

const NO_SUCH_GROUP = 'group_id refers to a group that does not exist: 9';

/** Study sessions, wherever they are listed or started: on their own, in a group, from a learning app. */
@ApiRateLimited()
@Controller()
export class StudySessionsController {
  constructor(private readonly sessions: StudySessionsService) {}

  @Get('study_sessions')
  @ApiTags('study sessions')
  @PageOperation('List study sessions', StudySessionDto, 'A page of study sessions, newest first.', 404)
  list(@Query() query: ListStudySessionsQueryDto) {
    return this.sessions.listQueried(query);
  }

  @Post('study_sessions')
  @ApiTags('study sessions')
  @CreateOperation(
    'Start a study session',
    StudySessionDto,
    'The new study session.',
    [422, NO_SUCH_GROUP],
    [409, REFERENCE_DELETED],
  )
  create(@Body() body: CreateStudySessionDto) {
    return this.sessions.create(body);
  }

  @Get('study_sessions/:id')
  @ApiTags('study sessions')
  @GetOperation('Get a study session', StudySessionDto, 'The study session, with the counts of its answers.', 404)
  get(@Param() { id }: IdParams) {
    return this.sessions.get(id);
  }

  @Get('study_sessions/:id/words')
  @ApiTags('study sessions')
  @PageOperation(
    'List the words answered in a study session',
    SessionWordDto,
    'A page of the words answered in the session.',
    404,
  )
  words(@Param() { id }: IdParams, @Query() query: SessionWordsQueryDto) {
    return this.sessions.answeredWords(id, query);
  }

  @Post('study_sessions/:id/words/:word_id/review')
  @ApiTags('study sessions')
  @RecordOperation(
    'Record an answer in a study session',
    AnswerRecordedDto,
    'The answer is recorded, all or nothing.',
    404,
  )
  @ApiIdempotencyKey()
  @ConditionsRefusedOnceFound()
  review(
    @Param() { id, word_id }: IdAndWordIdParams,
    @Body() body: AnswerDto,
    @PreconditionHeaders() preconditions: Preconditions,
    @IdempotencyKeyHeader() key?: string,
  ) {
    return this.sessions.recordAnswer(id, word_id, body, preconditions, key);
  }

  @Post('study_sessions/:id/answers')
  @ApiTags('study sessions')
  @RecordOperation('Record several answers in a study session', AnswersRecordedDto, ALL_OR_NONE, 404)
  @ApiIdempotencyKey()
  @ConditionsRefusedOnceFound()
  recordAnswers(
    @Param() { id }: IdParams,
    @Body() body: AnswerBatchDto,
    @PreconditionHeaders() preconditions: Preconditions,
    @IdempotencyKeyHeader() key?: string,
  ) {
    return this.sessions.recordAnswers(id, body.answers, preconditions, key);
  }

  @Get('groups/:id/study_sessions')
  @ApiTags('groups')
  @PageOperation(
    'List the study sessions of a group',
    StudySessionDto,
    'Study sessions of the group, newest first.',
    404,
  )
  ofGroup(@Param() { id }: IdParams, @Query() query: SessionsQueryDto) {
    return this.sessions.list({ groupId: id }, query);
  }

  @Get('learning_apps/:id/study_sessions')
  @ApiTags('learning apps')
  @PageOperation(
    'List the study sessions launched from a learning app',
    StudySessionDto,
    'Sessions launched from this app, newest first.',
    404,
  )
  ofLearningApp(@Param() { id }: IdParams, @Query() query: SessionsQueryDto) {
    return this.sessions.list({ learningAppId: id }, query);
  }

  @Post('learning_apps/:id/launch')
  @ApiTags('learning apps')
  @CreateOperationAt(
    'Launch a learning app on a group',
    LaunchedDto,
    'The new study session (its URL in Location), and the URL that opens the app on it.',
    // From /api/v1/learning_apps/:id/launch to /api/v1/study_sessions/:session_id.
    (request, launched: LaunchedDto) =>
      posix.join(request.path, '../../../study_sessions', String(launched.study_session.id)),
    404,
    [422, NO_SUCH_GROUP],
    [409, REFERENCE_DELETED],
  )
  @ConditionsRefusedOnceFound()
  launch(
    @Param() { id }: IdParams,
    @Body() body: LaunchDto,
    @PreconditionHeaders() preconditions: Preconditions,
    @PortalOrigin() portal: string,
  ) {
    return this.sessions.launch(id, body.group_id, portal, preconditions);
  }
}

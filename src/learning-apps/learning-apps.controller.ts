import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ConfigService } from '@nestjs/config';
import type { Request } from 'express';
import type { Environment } from '../core/config.js';
import { ApiProblems } from '../core/errors.js';
import { CreatedAt, ParseIdPipe } from '../core/http.js';
import { PageDto, PaginationQueryDto } from '../core/pagination.js';
import { StudySessionDto } from '../study-sessions/dto/study-session.dto.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import {
  CreateLearningAppDto,
  LaunchDto,
  LaunchedDto,
  LearningAppDto,
  ListLearningAppsQueryDto,
  UpdateLearningAppDto,
} from './dto/learning-app.dto.js';
import { LearningAppsService } from './learning-apps.service.js';

@ApiTags('learning apps')
@Controller('learning_apps')
export class LearningAppsController {
  constructor(
    private readonly apps: LearningAppsService,
    private readonly sessions: StudySessionsService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  @Get()
  @ApiOkResponse({ type: PageDto(LearningAppDto), description: 'By name.' })
  @ApiProblems(400)
  list(@Query() query: ListLearningAppsQueryDto) {
    return this.apps.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: LearningAppDto })
  @ApiProblems(400, 404)
  get(@Param('id', ParseIdPipe) id: number) {
    return this.apps.get(id);
  }

  @Post()
  @CreatedAt(LearningAppDto)
  @ApiProblems(400, 409, 413, 415)
  create(@Body() body: CreateLearningAppDto) {
    return this.apps.create(body);
  }

  @Patch(':id')
  @ApiOkResponse({ type: LearningAppDto })
  @ApiProblems(400, 404, 409, 413, 415)
  update(@Param('id', ParseIdPipe) id: number, @Body() body: UpdateLearningAppDto) {
    return this.apps.update(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted; its study sessions stay, without an app.' })
  @ApiProblems(400, 404)
  remove(@Param('id', ParseIdPipe) id: number) {
    return this.apps.remove(id);
  }

  @Get(':id/study_sessions')
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'Sessions launched from this app, newest first.' })
  @ApiProblems(400, 404)
  studySessions(@Param('id', ParseIdPipe) id: number, @Query() query: PaginationQueryDto) {
    return this.sessions.listWhere({ learningAppId: id }, query);
  }

  @Post(':id/launch')
  @ApiCreatedResponse({ type: LaunchedDto })
  @ApiProblems(400, 404, 413, 415, 422)
  launch(@Param('id', ParseIdPipe) id: number, @Body() body: LaunchDto, @Req() request: Request) {
    // Without PUBLIC_URL, the address the request was sent to (an HTTP/1.0 request may name no host).
    const origin =
      this.config.get('PUBLIC_URL', { infer: true }) ??
      `${request.protocol}://${request.get('host') ?? `localhost:${this.config.get('PORT', { infer: true })}`}`;
    return this.apps.launch(id, body.group_id, `${origin.replace(/\/+$/, '')}/api/v1`);
  }
}

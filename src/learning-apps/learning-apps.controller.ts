import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/problem-document.js';
import { IdParams } from '../core/http.js';
import { CreatedAt } from '../http/created.js';
import { PageDto } from '../core/pagination.js';
import {
  CreateLearningAppDto,
  LearningAppDto,
  ListLearningAppsQueryDto,
  UpdateLearningAppDto,
} from './dto/learning-app.dto.js';
import { LearningAppsService } from './learning-apps.service.js';

const DUPLICATE_APP = 'A learning app named "Flashcards" already exists (id 1)';

/** The registered apps; launching one starts a study session (see the study-sessions module). */
@ApiTags('learning apps')
@Controller()
export class LearningAppsController {
  constructor(private readonly apps: LearningAppsService) {}

  @Get('learning_apps')
  @ApiOperation({ summary: 'List learning apps' })
  @ApiOkResponse({ type: PageDto(LearningAppDto), description: 'A page of learning apps, by name.' })
  @ApiProblems(400)
  list(@Query() query: ListLearningAppsQueryDto) {
    return this.apps.list(query);
  }

  @Get('learning_apps/:id')
  @ApiOperation({ summary: 'Get a learning app' })
  @ApiOkResponse({ type: LearningAppDto, description: 'The learning app.' })
  @ApiProblems(400, 404)
  get(@Param() { id }: IdParams) {
    return this.apps.get(id);
  }

  @Post('learning_apps')
  @ApiOperation({ summary: 'Register a learning app' })
  @CreatedAt(LearningAppDto, 'The registered learning app.')
  @ApiProblems(400, [409, DUPLICATE_APP], 413, 415)
  create(@Body() body: CreateLearningAppDto) {
    return this.apps.create(body);
  }

  @Patch('learning_apps/:id')
  @ApiOperation({ summary: 'Update a learning app' })
  @ApiOkResponse({ type: LearningAppDto, description: 'The updated learning app.' })
  @ApiProblems(400, 404, [409, DUPLICATE_APP], 413, 415)
  update(@Param() { id }: IdParams, @Body() body: UpdateLearningAppDto) {
    return this.apps.update(id, body);
  }

  @Delete('learning_apps/:id')
  @ApiOperation({ summary: 'Delete a learning app' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted; its study sessions stay, without an app.' })
  @ApiProblems(400, 404)
  remove(@Param() { id }: IdParams) {
    return this.apps.remove(id);
  }
}

import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../core/errors.js';
import { CreatedAt, IdParams } from '../core/http.js';
import { PageDto } from '../core/pagination.js';
import {
  CreateLearningAppDto,
  LearningAppDto,
  ListLearningAppsQueryDto,
  UpdateLearningAppDto,
} from './dto/learning-app.dto.js';
import { LearningAppsService } from './learning-apps.service.js';

/** The registered apps; launching one starts a study session (see the study-sessions module). */
@ApiTags('learning apps')
@Controller()
export class LearningAppsController {
  constructor(private readonly apps: LearningAppsService) {}

  @Get('learning_apps')
  @ApiOkResponse({ type: PageDto(LearningAppDto), description: 'By name.' })
  @ApiProblems(400)
  list(@Query() query: ListLearningAppsQueryDto) {
    return this.apps.list(query);
  }

  @Get('learning_apps/:id')
  @ApiOkResponse({ type: LearningAppDto })
  @ApiProblems(400, 404)
  get(@Param() { id }: IdParams) {
    return this.apps.get(id);
  }

  @Post('learning_apps')
  @CreatedAt(LearningAppDto)
  @ApiProblems(400, 409, 413, 415)
  create(@Body() body: CreateLearningAppDto) {
    return this.apps.create(body);
  }

  @Patch('learning_apps/:id')
  @ApiOkResponse({ type: LearningAppDto })
  @ApiProblems(400, 404, 409, 413, 415)
  update(@Param() { id }: IdParams, @Body() body: UpdateLearningAppDto) {
    return this.apps.update(id, body);
  }

  @Delete('learning_apps/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted; its study sessions stay, without an app.' })
  @ApiProblems(400, 404)
  remove(@Param() { id }: IdParams) {
    return this.apps.remove(id);
  }
}

import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IdParams } from '../core/http.js';
import { CreateOperation, DeleteOperation, GetOperation, PageOperation, UpdateOperation } from '../http/endpoints.js';
import {
  CreateLearningAppDto,
  LearningAppDto,
  ListLearningAppsQueryDto,
  UpdateLearningAppDto,
} from './dto/learning-app.dto.js';
import { LearningAppsService } from './learning-apps.service.js';
import { ApiRateLimited } from '../http/problem-document.js';
import { ApiPreconditions, PreconditionHeaders, type Preconditions } from '../http/entity-tag.js';
import { PortalOrigin } from '../http/origin.js';

const DUPLICATE_APP = 'A learning app named "Flashcards" already exists (id 1)';

/** The registered apps; launching one starts a study session (see the study-sessions module). */
@ApiTags('learning apps')
@ApiRateLimited()
@Controller()
export class LearningAppsController {
  constructor(private readonly apps: LearningAppsService) {}

  @Get('learning_apps')
  @PageOperation('List learning apps', LearningAppDto, 'A page of learning apps, by name.')
  list(@Query() query: ListLearningAppsQueryDto, @PortalOrigin() portal: string) {
    return this.apps.list(query, portal);
  }

  @Get('learning_apps/:id')
  @GetOperation('Get a learning app', LearningAppDto, 'The learning app.', 404)
  get(@Param() { id }: IdParams, @PortalOrigin() portal: string) {
    return this.apps.get(id, portal);
  }

  @Post('learning_apps')
  @CreateOperation('Register a learning app', LearningAppDto, 'The registered learning app.', [409, DUPLICATE_APP])
  create(@Body() body: CreateLearningAppDto, @PortalOrigin() portal: string) {
    return this.apps.create(body, portal);
  }

  @Patch('learning_apps/:id')
  @UpdateOperation('Update a learning app', LearningAppDto, 'The updated learning app.', [409, DUPLICATE_APP])
  @ApiPreconditions('learning app')
  update(
    @Param() { id }: IdParams,
    @Body() body: UpdateLearningAppDto,
    @PreconditionHeaders() preconditions: Preconditions,
    @PortalOrigin() portal: string,
  ) {
    return this.apps.update(id, body, portal, preconditions);
  }

  @Delete('learning_apps/:id')
  @DeleteOperation('Delete a learning app', 'Deleted; its study sessions stay, without an app.')
  @ApiPreconditions('learning app')
  remove(
    @Param() { id }: IdParams,
    @PreconditionHeaders() preconditions: Preconditions,
    @PortalOrigin() portal: string,
  ) {
    return this.apps.remove(id, portal, preconditions);
  }
}

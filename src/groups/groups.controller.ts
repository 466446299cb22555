import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DestroysData } from '../http/destructive.js';
import { ForceQueryDto, IdAndWordIdParams, IdParams } from '../core/http.js';
import { CreateOperation, DeleteOperation, GetOperation, PageOperation, UpdateOperation } from '../http/endpoints.js';
import { GroupDetailDto, GroupDto } from './dto/group.dto.js';
import { CreateGroupDto, GroupWordIdsDto, ListGroupsQueryDto, UpdateGroupDto } from './dto/group-input.dto.js';
import { GroupsService } from './groups.service.js';
import { ApiRateLimited, REFERENCE_DELETED } from '../http/problem-document.js';
import {
  ApiPreconditions,
  ConditionsRefusedOnceFound,
  PreconditionHeaders,
  type Preconditions,
} from '../http/entity-tag.js';

@ApiTags('groups')
@ApiRateLimited()
@Controller()
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get('groups')
  @PageOperation('List groups', GroupDto, 'A page of groups, sorted as asked.')
  list(@Query() query: ListGroupsQueryDto) {
    return this.groups.list(query);
  }

  @Get('groups/:id')
  @GetOperation('Get a group', GroupDetailDto, 'The group, with its study statistics.', 404)
  get(@Param() { id }: IdParams) {
    return this.groups.get(id);
  }

  @Post('groups')
  @CreateOperation('Create a group', GroupDto, 'The new group.', 409, 422)
  create(@Body() body: CreateGroupDto) {
    return this.groups.create(body);
  }

  @Patch('groups/:id')
  @UpdateOperation('Rename a group', GroupDto, 'The renamed group.', 409)
  @ApiPreconditions('group')
  rename(@Param() { id }: IdParams, @Body() body: UpdateGroupDto, @PreconditionHeaders() preconditions: Preconditions) {
    return this.groups.rename(id, body, preconditions);
  }

  @Delete('groups/:id')
  @DeleteOperation('Delete a group', 'Deleted; its words stay.', [
    409,
    'Group 1 has study sessions; delete it with force=true to remove them too',
  ])
  @DestroysData('with force=true')
  @ApiPreconditions('group')
  remove(
    @Param() { id }: IdParams,
    @Query() query: ForceQueryDto,
    @PreconditionHeaders() preconditions: Preconditions,
  ) {
    return this.groups.remove(id, query.force, preconditions);
  }

  @Post('groups/:id/words')
  @HttpCode(HttpStatus.OK)
  @UpdateOperation('Add words to a group', GroupDto, 'The group, with its new word count.', 422, [
    409,
    REFERENCE_DELETED,
  ])
  @ConditionsRefusedOnceFound()
  addWords(
    @Param() { id }: IdParams,
    @Body() body: GroupWordIdsDto,
    @PreconditionHeaders() preconditions: Preconditions,
  ) {
    return this.groups.addWords(id, body.word_ids, preconditions);
  }

  @Delete('groups/:id/words/:word_id')
  @DeleteOperation('Remove a word from a group', 'The word left the group.')
  @ConditionsRefusedOnceFound()
  removeWord(@Param() { id, word_id }: IdAndWordIdParams, @PreconditionHeaders() preconditions: Preconditions) {
    return this.groups.removeWord(id, word_id, preconditions);
  }
}

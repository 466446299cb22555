import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/problem-document.js';
import { DestroysData } from '../http/destructive.js';
import { ForceQueryDto, IdAndWordIdParams, IdParams } from '../core/http.js';
import { CreatedAt } from '../http/created.js';
import { PageDto } from '../core/pagination.js';
import { GroupDetailDto, GroupDto } from './dto/group.dto.js';
import { CreateGroupDto, GroupWordIdsDto, ListGroupsQueryDto, UpdateGroupDto } from './dto/group-input.dto.js';
import { GroupsService } from './groups.service.js';

@ApiTags('groups')
@Controller()
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get('groups')
  @ApiOperation({ summary: 'List groups' })
  @ApiOkResponse({ type: PageDto(GroupDto), description: 'A page of groups, sorted as asked.' })
  @ApiProblems(400)
  list(@Query() query: ListGroupsQueryDto) {
    return this.groups.list(query);
  }

  @Get('groups/:id')
  @ApiOperation({ summary: 'Get a group' })
  @ApiOkResponse({ type: GroupDetailDto, description: 'The group, with its study statistics.' })
  @ApiProblems(400, 404)
  get(@Param() { id }: IdParams) {
    return this.groups.get(id);
  }

  @Post('groups')
  @ApiOperation({ summary: 'Create a group' })
  @CreatedAt(GroupDto, 'The new group.')
  @ApiProblems(400, 409, 413, 415, 422)
  create(@Body() body: CreateGroupDto) {
    return this.groups.create(body);
  }

  @Patch('groups/:id')
  @ApiOperation({ summary: 'Rename a group' })
  @ApiOkResponse({ type: GroupDto, description: 'The renamed group.' })
  @ApiProblems(400, 404, 409, 413, 415)
  rename(@Param() { id }: IdParams, @Body() body: UpdateGroupDto) {
    return this.groups.rename(id, body);
  }

  @Delete('groups/:id')
  @ApiOperation({ summary: 'Delete a group' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted; its words stay.' })
  @ApiProblems(400, 404, [409, 'Group 1 has study sessions; delete it with force=true to remove them too'])
  @DestroysData('with force=true')
  remove(@Param() { id }: IdParams, @Query() query: ForceQueryDto) {
    return this.groups.remove(id, query.force);
  }

  @Post('groups/:id/words')
  @ApiOperation({ summary: 'Add words to a group' })
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: GroupDto, description: 'The group, with its new word count.' })
  @ApiProblems(400, 404, 413, 415, 422)
  addWords(@Param() { id }: IdParams, @Body() body: GroupWordIdsDto) {
    return this.groups.addWords(id, body.word_ids);
  }

  @Delete('groups/:id/words/:word_id')
  @ApiOperation({ summary: 'Remove a word from a group' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The word left the group.' })
  @ApiProblems(400, 404)
  removeWord(@Param() { id, word_id }: IdAndWordIdParams) {
    return this.groups.removeWord(id, word_id);
  }
}

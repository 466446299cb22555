import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../core/errors.js';
import { CreatedAt, ForceQueryDto, IdAndWordIdParams, IdParams } from '../core/http.js';
import { PageDto } from '../core/pagination.js';
import { GroupDetailDto, GroupDto } from './dto/group.dto.js';
import { CreateGroupDto, GroupWordIdsDto, ListGroupsQueryDto, UpdateGroupDto } from './dto/group-input.dto.js';
import { GroupsService } from './groups.service.js';

@ApiTags('groups')
@Controller()
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get('groups')
  @ApiOkResponse({ type: PageDto(GroupDto) })
  @ApiProblems(400)
  list(@Query() query: ListGroupsQueryDto) {
    return this.groups.list(query);
  }

  @Get('groups/:id')
  @ApiOkResponse({ type: GroupDetailDto })
  @ApiProblems(400, 404)
  get(@Param() { id }: IdParams) {
    return this.groups.get(id);
  }

  @Post('groups')
  @CreatedAt(GroupDto)
  @ApiProblems(400, 409, 413, 415, 422)
  create(@Body() body: CreateGroupDto) {
    return this.groups.create(body);
  }

  @Patch('groups/:id')
  @ApiOkResponse({ type: GroupDto })
  @ApiProblems(400, 404, 409, 413, 415)
  rename(@Param() { id }: IdParams, @Body() body: UpdateGroupDto) {
    return this.groups.rename(id, body);
  }

  @Delete('groups/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted; its words stay.' })
  @ApiProblems(400, 404, 409)
  remove(@Param() { id }: IdParams, @Query() query: ForceQueryDto) {
    return this.groups.remove(id, query.force);
  }

  @Post('groups/:id/words')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: GroupDto })
  @ApiProblems(400, 404, 413, 415, 422)
  addWords(@Param() { id }: IdParams, @Body() body: GroupWordIdsDto) {
    return this.groups.addWords(id, body.word_ids);
  }

  @Delete('groups/:id/words/:word_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The word left the group.' })
  @ApiProblems(400, 404)
  removeWord(@Param() { id, word_id }: IdAndWordIdParams) {
    return this.groups.removeWord(id, word_id);
  }
}

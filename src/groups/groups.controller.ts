import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../core/errors.js';
import { ForceQueryDto } from '../core/force.query.js';
import { CreatedAt, ParseIdPipe } from '../core/http.js';
import { PageDto, PaginationQueryDto } from '../core/pagination.js';
import { StudySessionDto } from '../study-sessions/dto/study-session.dto.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import { WordDto } from '../words/dto/word.dto.js';
import { GroupWordsQueryDto } from '../words/dto/list-words.query.js';
import { WordsService } from '../words/words.service.js';
import { GroupDetailDto, GroupDto, GroupRawWordsDto } from './dto/group.dto.js';
import { CreateGroupDto, GroupWordIdsDto, ListGroupsQueryDto, UpdateGroupDto } from './dto/group-input.dto.js';
import { GroupsService } from './groups.service.js';

@ApiTags('groups')
@Controller('groups')
export class GroupsController {
  constructor(
    private readonly groups: GroupsService,
    private readonly words: WordsService,
    private readonly sessions: StudySessionsService,
  ) {}

  @Get()
  @ApiOkResponse({ type: PageDto(GroupDto) })
  @ApiProblems(400)
  list(@Query() query: ListGroupsQueryDto) {
    return this.groups.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: GroupDetailDto })
  @ApiProblems(400, 404)
  get(@Param('id', ParseIdPipe) id: number) {
    return this.groups.get(id);
  }

  @Get(':id/words')
  @ApiOkResponse({ type: PageDto(WordDto) })
  @ApiProblems(400, 404)
  listWords(@Param('id', ParseIdPipe) id: number, @Query() query: GroupWordsQueryDto) {
    return this.words.listInGroup(id, query);
  }

  @Get(':id/words/raw')
  @ApiOkResponse({ type: GroupRawWordsDto, description: 'Every word of the group, unpaginated, for a launched app.' })
  @ApiProblems(400, 404)
  rawWords(@Param('id', ParseIdPipe) id: number) {
    return this.groups.rawWords(id);
  }

  @Get(':id/study_sessions')
  @ApiOkResponse({ type: PageDto(StudySessionDto), description: 'Study sessions of the group, newest first.' })
  @ApiProblems(400, 404)
  studySessions(@Param('id', ParseIdPipe) id: number, @Query() query: PaginationQueryDto) {
    return this.sessions.listWhere({ groupId: id }, query);
  }

  @Post()
  @CreatedAt(GroupDto)
  @ApiProblems(400, 409, 413, 415, 422)
  create(@Body() body: CreateGroupDto) {
    return this.groups.create(body);
  }

  @Patch(':id')
  @ApiOkResponse({ type: GroupDto })
  @ApiProblems(400, 404, 409, 413, 415)
  rename(@Param('id', ParseIdPipe) id: number, @Body() body: UpdateGroupDto) {
    return this.groups.rename(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted; its words stay.' })
  @ApiProblems(400, 404, 409)
  remove(@Param('id', ParseIdPipe) id: number, @Query() query: ForceQueryDto) {
    return this.groups.remove(id, query.force);
  }

  @Post(':id/words')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: GroupDto })
  @ApiProblems(400, 404, 413, 415, 422)
  addWords(@Param('id', ParseIdPipe) id: number, @Body() body: GroupWordIdsDto) {
    return this.groups.addWords(id, body.word_ids);
  }

  @Delete(':id/words/:word_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The word left the group.' })
  @ApiProblems(400, 404)
  removeWord(@Param('id', ParseIdPipe) id: number, @Param('word_id', ParseIdPipe) wordId: number) {
    return this.groups.removeWord(id, wordId);
  }
}

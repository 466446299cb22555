import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/problem-document.js';
import { DestroysData } from '../http/destructive.js';
import { ForceQueryDto, IdParams } from '../core/http.js';
import { CreatedAt } from '../http/created.js';
import { PageDto } from '../core/pagination.js';
import { GroupRawWordsDto, WordDetailDto, WordDto } from './dto/word.dto.js';
import { CreateWordDto, UpdateWordDto } from './dto/word-input.dto.js';
import { GroupWordsQueryDto, ListWordsQueryDto } from './dto/list-words.query.js';
import { WordsService } from './words.service.js';

const DUPLICATE_WORD = 'A word "แมว" / "cat" already exists (id 42)';

@Controller()
export class WordsController {
  constructor(private readonly words: WordsService) {}

  @Get('words')
  @ApiTags('words')
  @ApiOperation({ summary: 'List words' })
  @ApiOkResponse({ type: PageDto(WordDto), description: 'A page of words, filtered and sorted as asked.' })
  @ApiProblems(400, 404)
  list(@Query() query: ListWordsQueryDto) {
    return this.words.list(query);
  }

  @Get('words/:id')
  @ApiTags('words')
  @ApiOperation({ summary: 'Get a word' })
  @ApiOkResponse({ type: WordDetailDto, description: 'The word, with its groups and its last review.' })
  @ApiProblems(400, 404)
  get(@Param() { id }: IdParams) {
    return this.words.get(id);
  }

  @Post('words')
  @ApiTags('words')
  @ApiOperation({ summary: 'Create a word' })
  @CreatedAt(WordDetailDto, 'The new word.')
  @ApiProblems(400, [409, DUPLICATE_WORD], 413, 415, [422, 'group_ids refers to ids that do not exist: 7, 9'])
  create(@Body() body: CreateWordDto) {
    return this.words.create(body);
  }

  @Patch('words/:id')
  @ApiTags('words')
  @ApiOperation({ summary: 'Update a word' })
  @ApiOkResponse({ type: WordDetailDto, description: 'The updated word.' })
  @ApiProblems(400, 404, [409, DUPLICATE_WORD], 413, 415)
  update(@Param() { id }: IdParams, @Body() body: UpdateWordDto) {
    return this.words.update(id, body);
  }

  @Delete('words/:id')
  @ApiTags('words')
  @ApiOperation({ summary: 'Delete a word' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted; with force=true its review history too.' })
  @ApiProblems(400, 404, [409, 'Word 42 has review history; delete it with force=true to remove the history too'])
  @DestroysData('with force=true')
  remove(@Param() { id }: IdParams, @Query() query: ForceQueryDto) {
    return this.words.remove(id, query.force);
  }

  @Get('groups/:id/words')
  @ApiTags('groups')
  @ApiOperation({ summary: 'List the words of a group' })
  @ApiOkResponse({ type: PageDto(WordDto), description: 'A page of the group’s words, filtered and sorted as asked.' })
  @ApiProblems(400, 404)
  listInGroup(@Param() { id }: IdParams, @Query() query: GroupWordsQueryDto) {
    return this.words.listInGroup(id, query);
  }

  @Get('groups/:id/words/raw')
  @ApiTags('groups')
  @ApiOperation({ summary: 'Get every word of a group' })
  @ApiOkResponse({ type: GroupRawWordsDto, description: 'Every word of the group, unpaginated, for a launched app.' })
  @ApiProblems(400, 404)
  rawWordsOf(@Param() { id }: IdParams) {
    return this.words.rawWordsOf(id);
  }
}

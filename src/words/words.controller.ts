import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../core/errors.js';
import { CreatedAt, ForceQueryDto, IdParams } from '../core/http.js';
import { PageDto } from '../core/pagination.js';
import { GroupRawWordsDto, WordDetailDto, WordDto } from './dto/word.dto.js';
import { CreateWordDto, UpdateWordDto } from './dto/word-input.dto.js';
import { GroupWordsQueryDto, ListWordsQueryDto } from './dto/list-words.query.js';
import { WordsService } from './words.service.js';

@Controller()
export class WordsController {
  constructor(private readonly words: WordsService) {}

  @Get('words')
  @ApiTags('words')
  @ApiOkResponse({ type: PageDto(WordDto) })
  @ApiProblems(400, 404)
  list(@Query() query: ListWordsQueryDto) {
    return this.words.list(query);
  }

  @Get('words/:id')
  @ApiTags('words')
  @ApiOkResponse({ type: WordDetailDto })
  @ApiProblems(400, 404)
  get(@Param() { id }: IdParams) {
    return this.words.get(id);
  }

  @Post('words')
  @ApiTags('words')
  @CreatedAt(WordDetailDto)
  @ApiProblems(400, 409, 413, 415, 422)
  create(@Body() body: CreateWordDto) {
    return this.words.create(body);
  }

  @Patch('words/:id')
  @ApiTags('words')
  @ApiOkResponse({ type: WordDetailDto })
  @ApiProblems(400, 404, 409, 413, 415)
  update(@Param() { id }: IdParams, @Body() body: UpdateWordDto) {
    return this.words.update(id, body);
  }

  @Delete('words/:id')
  @ApiTags('words')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400, 404, 409)
  remove(@Param() { id }: IdParams, @Query() query: ForceQueryDto) {
    return this.words.remove(id, query.force);
  }

  @Get('groups/:id/words')
  @ApiTags('groups')
  @ApiOkResponse({ type: PageDto(WordDto) })
  @ApiProblems(400, 404)
  listInGroup(@Param() { id }: IdParams, @Query() query: GroupWordsQueryDto) {
    return this.words.listInGroup(id, query);
  }

  @Get('groups/:id/words/raw')
  @ApiTags('groups')
  @ApiOkResponse({ type: GroupRawWordsDto, description: 'Every word of the group, unpaginated, for a launched app.' })
  @ApiProblems(400, 404)
  rawWordsOf(@Param() { id }: IdParams) {
    return this.words.rawWordsOf(id);
  }
}

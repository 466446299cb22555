import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DestroysData } from '../http/destructive.js';
import { ForceQueryDto, IdParams } from '../core/http.js';
import { CreateOperation, DeleteOperation, GetOperation, PageOperation, UpdateOperation } from '../http/endpoints.js';
import { GroupRawWordsDto, WordDetailDto, WordDto } from './dto/word.dto.js';
import { CreateWordDto, UpdateWordDto } from './dto/word-input.dto.js';
import { GroupWordsQueryDto, ListWordsQueryDto } from './dto/list-words.query.js';
import { WordsService } from './words.service.js';
import { ApiRateLimited } from '../http/problem-document.js';
import { ApiPreconditions, PreconditionHeaders, type Preconditions } from '../http/entity-tag.js';

const DUPLICATE_WORD = 'A word "แมว" / "cat" already exists (id 42)';
const UNKNOWN_GROUPS = 'group_ids refers to ids that do not exist: 7, 9';

@ApiRateLimited()
@Controller()
export class WordsController {
  constructor(private readonly words: WordsService) {}

  @Get('words')
  @ApiTags('words')
  @PageOperation('List words', WordDto, 'A page of words, filtered and sorted as asked.', 404)
  list(@Query() query: ListWordsQueryDto) {
    return this.words.list(query);
  }

  @Get('words/:id')
  @ApiTags('words')
  @GetOperation('Get a word', WordDetailDto, 'The word, with its groups and its last review.', 404)
  get(@Param() { id }: IdParams) {
    return this.words.get(id);
  }

  @Post('words')
  @ApiTags('words')
  @CreateOperation('Create a word', WordDetailDto, 'The new word.', [409, DUPLICATE_WORD], [422, UNKNOWN_GROUPS])
  create(@Body() body: CreateWordDto) {
    return this.words.create(body);
  }

  @Patch('words/:id')
  @ApiTags('words')
  @UpdateOperation('Update a word', WordDetailDto, 'The updated word.', [409, DUPLICATE_WORD])
  @ApiPreconditions('word')
  update(@Param() { id }: IdParams, @Body() body: UpdateWordDto, @PreconditionHeaders() preconditions: Preconditions) {
    return this.words.update(id, body, preconditions);
  }

  @Delete('words/:id')
  @ApiTags('words')
  @DeleteOperation('Delete a word', 'Deleted; with force=true its review history too.', [
    409,
    'Word 42 has review history; delete it with force=true to remove the history too',
  ])
  @DestroysData('with force=true')
  @ApiPreconditions('word')
  remove(
    @Param() { id }: IdParams,
    @Query() query: ForceQueryDto,
    @PreconditionHeaders() preconditions: Preconditions,
  ) {
    return this.words.remove(id, query.force, preconditions);
  }

  @Get('groups/:id/words')
  @ApiTags('groups')
  @PageOperation(
    'List the words of a group',
    WordDto,
    'A page of the group’s words, filtered and sorted as asked.',
    404,
  )
  listInGroup(@Param() { id }: IdParams, @Query() query: GroupWordsQueryDto) {
    return this.words.listInGroup(id, query);
  }

  @Get('groups/:id/words/raw')
  @ApiTags('groups')
  @GetOperation(
    'Get every word of a group',
    GroupRawWordsDto,
    'Every word of the group in id order, unpaginated, for a launched app.',
    404,
  )
  rawWordsOf(@Param() { id }: IdParams) {
    return this.words.rawWordsOf(id);
  }
}

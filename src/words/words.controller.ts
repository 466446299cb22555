import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../core/errors.js';
import { ForceQueryDto } from '../core/force.query.js';
import { CreatedAt, ParseIdPipe } from '../core/http.js';
import { PageDto } from '../core/pagination.js';
import { WordDetailDto, WordDto } from './dto/word.dto.js';
import { CreateWordDto, UpdateWordDto } from './dto/word-input.dto.js';
import { ListWordsQueryDto } from './dto/list-words.query.js';
import { WordsService } from './words.service.js';

@ApiTags('words')
@Controller('words')
export class WordsController {
  constructor(private readonly words: WordsService) {}

  @Get()
  @ApiOkResponse({ type: PageDto(WordDto) })
  @ApiProblems(400, 404)
  list(@Query() query: ListWordsQueryDto) {
    return this.words.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: WordDetailDto })
  @ApiProblems(400, 404)
  get(@Param('id', ParseIdPipe) id: number) {
    return this.words.get(id);
  }

  @Post()
  @CreatedAt(WordDetailDto)
  @ApiProblems(400, 409, 413, 415, 422)
  create(@Body() body: CreateWordDto) {
    return this.words.create(body);
  }

  @Patch(':id')
  @ApiOkResponse({ type: WordDetailDto })
  @ApiProblems(400, 404, 409, 413, 415)
  update(@Param('id', ParseIdPipe) id: number, @Body() body: UpdateWordDto) {
    return this.words.update(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400, 404, 409)
  remove(@Param('id', ParseIdPipe) id: number, @Query() query: ForceQueryDto) {
    return this.words.remove(id, query.force);
  }
}

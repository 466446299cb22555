import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/problem-document.js';
import { PageDto } from '../core/pagination.js';
import {
  AnswerBatchDto,
  AnswerRecordedDto,
  AnswersRecordedDto,
  CreateReviewDto,
  ListReviewsQueryDto,
  ReviewDto,
} from './dto/review.dto.js';
import { ApiIdempotencyKey, IdempotencyKeyHeader } from './idempotency-key.header.js';
import { ReviewsService } from './reviews.service.js';

@ApiTags('reviews')
@Controller()
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get('reviews')
  @ApiOperation({ summary: 'List reviews' })
  @ApiOkResponse({ type: PageDto(ReviewDto), description: 'A page of the learning record log, newest first.' })
  @ApiProblems(400)
  list(@Query() query: ListReviewsQueryDto) {
    return this.reviews.list(query);
  }

  @Post('reviews')
  @ApiOperation({ summary: 'Record an answer outside a study session' })
  @ApiCreatedResponse({ type: AnswerRecordedDto, description: 'An answer given outside any study session.' })
  @ApiProblems(400, 413, 415)
  @ApiIdempotencyKey()
  create(@Body() { word_id, ...answer }: CreateReviewDto, @IdempotencyKeyHeader() key?: string) {
    return this.reviews.recordOutsideSession(word_id, answer, key);
  }

  @Post('reviews/batch')
  @ApiOperation({ summary: 'Record several answers outside any study session' })
  @ApiCreatedResponse({
    type: AnswersRecordedDto,
    description: 'Every answer is recorded, in one transaction: all of them or, on any error, none.',
  })
  @ApiProblems(400, 413, 415)
  @ApiIdempotencyKey()
  createBatch(@Body() body: AnswerBatchDto, @IdempotencyKeyHeader() key?: string) {
    return this.reviews.recordBatchOutsideSession(body.answers, key);
  }
}

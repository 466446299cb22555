import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageOperation, RecordOperation } from '../http/endpoints.js';
import {
  ALL_OR_NONE,
  AnswerBatchDto,
  AnswerRecordedDto,
  AnswersRecordedDto,
  CreateReviewDto,
  ListReviewsQueryDto,
  ReviewDto,
} from './dto/review.dto.js';
import { ApiIdempotencyKey, IdempotencyKeyHeader } from './idempotency-key.header.js';
import { ReviewsService } from './reviews.service.js';
import { ApiRateLimited } from '../http/problem-document.js';

@ApiTags('reviews')
@ApiRateLimited()
@Controller()
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get('reviews')
  @PageOperation('List reviews', ReviewDto, 'A page of the learning record log, newest first.')
  list(@Query() query: ListReviewsQueryDto) {
    return this.reviews.list(query);
  }

  @Post('reviews')
  @RecordOperation(
    'Record an answer outside a study session',
    AnswerRecordedDto,
    'An answer given outside any study session.',
  )
  @ApiIdempotencyKey()
  create(@Body() { word_id, ...answer }: CreateReviewDto, @IdempotencyKeyHeader() key?: string) {
    return this.reviews.recordOutsideSession(word_id, answer, key);
  }

  @Post('reviews/batch')
  @RecordOperation('Record several answers outside any study session', AnswersRecordedDto, ALL_OR_NONE)
  @ApiIdempotencyKey()
  createBatch(@Body() body: AnswerBatchDto, @IdempotencyKeyHeader() key?: string) {
    return this.reviews.recordBatchOutsideSession(body.answers, key);
  }
}

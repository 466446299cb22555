import { Module } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service.js';
import { ReviewsController } from './reviews.controller.js';
import { ReviewsService } from './reviews.service.js';

@Module({
  controllers: [ReviewsController],
  providers: [ReviewsService, IdempotencyService],
  exports: [ReviewsService, IdempotencyService],
})
export class ReviewsModule {}

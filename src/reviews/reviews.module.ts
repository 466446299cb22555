import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { IdempotencyKey } from './idempotency-key.entity.js';
import { IdempotencyService } from './idempotency.service.js';
import { ReviewItem } from './review-item.entity.js';
import { ReviewsController } from './reviews.controller.js';
import { ReviewsService } from './reviews.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([ReviewItem, IdempotencyKey])],
  controllers: [ReviewsController],
  providers: [ReviewsService, IdempotencyService],
  exports: [ReviewsService],
})
export class ReviewsModule {}

import { Module } from '@nestjs/common';
import { SchedulingModule } from '../scheduling/scheduling.module.js';
import { WordsModule } from '../words/words.module.js';
import { CardsService } from './cards.service.js';
import { IdempotencyService } from './idempotency.service.js';
import { ReviewsController } from './reviews.controller.js';
import { ReviewsService } from './reviews.service.js';

@Module({
  imports: [SchedulingModule, WordsModule],
  controllers: [ReviewsController],
  providers: [ReviewsService, IdempotencyService, CardsService],
  exports: [ReviewsService, IdempotencyService, CardsService],
})
export class ReviewsModule {}

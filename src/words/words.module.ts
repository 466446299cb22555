import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module.js';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { WordsController } from './words.controller.js';
import { WordsService } from './words.service.js';

@Module({
  imports: [GroupsModule, ReviewsModule],
  controllers: [WordsController],
  providers: [WordsService],
  exports: [WordsService],
})
export class WordsModule {}

import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module.js';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { SchedulingModule } from '../scheduling/scheduling.module.js';
import { WordsModule } from '../words/words.module.js';
import { SrsController } from './srs.controller.js';
import { SrsService } from './srs.service.js';

@Module({
  imports: [ReviewsModule, SchedulingModule, WordsModule, GroupsModule],
  controllers: [SrsController],
  providers: [SrsService],
  exports: [SrsService],
})
export class SrsModule {}

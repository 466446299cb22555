import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module.js';
import { LearningAppsModule } from '../learning-apps/learning-apps.module.js';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { WordsModule } from '../words/words.module.js';
import { StudySessionsController } from './study-sessions.controller.js';
import { StudySessionsService } from './study-sessions.service.js';

@Module({
  imports: [WordsModule, GroupsModule, LearningAppsModule, ReviewsModule],
  controllers: [StudySessionsController],
  providers: [StudySessionsService],
  exports: [StudySessionsService],
})
export class StudySessionsModule {}

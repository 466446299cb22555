import { Module } from '@nestjs/common';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { StudySessionsModule } from '../study-sessions/study-sessions.module.js';
import { WordsModule } from '../words/words.module.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardService } from './dashboard.service.js';

@Module({
  imports: [ReviewsModule, StudySessionsModule, WordsModule],
  controllers: [DashboardController],
  providers: [DashboardService],
})
export class DashboardModule {}

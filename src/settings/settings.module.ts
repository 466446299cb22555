import { Module } from '@nestjs/common';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { StudySessionsModule } from '../study-sessions/study-sessions.module.js';
import { SettingsController } from './settings.controller.js';
import { SettingsService } from './settings.service.js';

@Module({
  imports: [StudySessionsModule, ReviewsModule],
  controllers: [SettingsController],
  providers: [SettingsService],
})
export class SettingsModule {}

import { Module } from '@nestjs/common';
import { AnkiModule } from '../anki/anki.module.js';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { StudySessionsModule } from '../study-sessions/study-sessions.module.js';
import { SettingsController } from './settings.controller.js';
import { SettingsService } from './settings.service.js';

@Module({
  imports: [StudySessionsModule, ReviewsModule, AnkiModule],
  controllers: [SettingsController],
  providers: [SettingsService],
})
export class SettingsModule {}

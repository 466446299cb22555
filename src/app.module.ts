import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnvironment } from './core/config.js';
import { DatabaseModule } from './core/database.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { GroupsModule } from './groups/groups.module.js';
import { LearningAppsModule } from './learning-apps/learning-apps.module.js';
import { ReviewsModule } from './reviews/reviews.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { StudySessionsModule } from './study-sessions/study-sessions.module.js';
import { WordsModule } from './words/words.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateEnvironment }),
    DatabaseModule,
    WordsModule,
    GroupsModule,
    LearningAppsModule,
    StudySessionsModule,
    ReviewsModule,
    DashboardModule,
    SettingsModule,
  ],
})
export class AppModule {}

import { MikroOrmModule } from '@mikro-orm/nestjs';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ormConfig } from '../mikro-orm.config.js';
import { type Environment, validateEnvironment } from './core/config.js';
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
    // One connection for every module; each request gets its own forked EntityManager.
    MikroOrmModule.forRootAsync({
      driver: SqliteDriver,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => ormConfig(config.get('DATABASE_PATH', { infer: true })),
    }),
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

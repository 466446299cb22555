import cluster from 'node:cluster';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { ormConfig } from '../mikro-orm.config.js';
import { type Environment, validateEnvironment } from './config.js';
import { SqliteDriver } from './database/sqlite.dialect.js';
import { AnkiModule } from './anki/anki.module.js';
import { BackupsModule } from './backups/backups.module.js';
import { ClusterThrottlerStorage } from './http/cluster-throttler-storage.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { GroupsModule } from './groups/groups.module.js';
import { HealthModule } from './health/health.module.js';
import { loggingOptions } from './http/logging.js';
import { LearningAppsModule } from './learning-apps/learning-apps.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ReviewsModule } from './reviews/reviews.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { SrsModule } from './srs/srs.module.js';
import { StudySessionsModule } from './study-sessions/study-sessions.module.js';
import { WordsModule } from './words/words.module.js';
import { XapiModule } from './xapi/xapi.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateEnvironment }),
    // One connection for every module; each request gets its own forked EntityManager.
    MikroOrmModule.forRootAsync({
      // Either driver's EntityManager is the SqlEntityManager the services inject.
      driver: SqliteDriver,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => ({
        ...ormConfig({
          DATABASE_PATH: config.get('DATABASE_PATH', { infer: true }),
          DATABASE_URL: config.get('DATABASE_URL', { infer: true }),
          DATABASE_POOL_SIZE: config.get('DATABASE_POOL_SIZE', { infer: true }),
          DATABASE_STATEMENT_TIMEOUT_MS: config.get('DATABASE_STATEMENT_TIMEOUT_MS', { infer: true }),
        }),
        // The request context is mounted once, before the routes, by configureApp (src/app.setup.ts).
        registerRequestContext: false,
      }),
    }),
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) =>
        loggingOptions(config.get('LOG_LEVEL', { infer: true })),
    }),
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => {
        const perMinute = config.get('RATE_LIMIT_PER_MINUTE', { infer: true });
        return {
          throttlers: [{ ttl: 60_000, limit: perMinute }],
          skipIf: () => perMinute === 0,
          // One budget per client address, across every endpoint (and every worker of a cluster).
          generateKey: (_context, client) => client,
          storage: cluster.isWorker ? new ClusterThrottlerStorage() : undefined,
        };
      },
    }),
    WordsModule,
    GroupsModule,
    LearningAppsModule,
    StudySessionsModule,
    ReviewsModule,
    SrsModule,
    DashboardModule,
    SettingsModule,
    HealthModule,
    MetricsModule,
    BackupsModule,
    XapiModule,
    AnkiModule,
  ],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class AppModule {}

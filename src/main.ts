import './node-version-guard.js';
import { MikroORM } from '@mikro-orm/core';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { type Environment, logLevelsFrom } from './core/config.js';
import { migrate, seed } from './core/database.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  const config = app.get<ConfigService<Environment, true>>(ConfigService);
  app.useLogger(logLevelsFrom(config.get('LOG_LEVEL', { infer: true })));
  app.enableShutdownHooks();
  configureApp(app);
  const orm = app.get<MikroORM>(MikroORM);
  await migrate(orm);
  await seed(orm);
  await app.listen(config.get('PORT', { infer: true }));
}

await bootstrap();

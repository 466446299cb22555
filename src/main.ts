import './node-version-guard.js';
import { MikroORM } from '@mikro-orm/core';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { type Environment, logLevelsFrom } from './core/config.js';
import { seed } from '../database/seeders/DatabaseSeeder.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    // Silent until the configured log level is known; a failure here is reported below.
    logger: false,
    abortOnError: false,
  });
  const config = app.get<ConfigService<Environment, true>>(ConfigService);
  app.useLogger(new ConsoleLogger({ logLevels: logLevelsFrom(config.get('LOG_LEVEL', { infer: true })) }));
  app.enableShutdownHooks();
  await configureApp(app);
  const orm = app.get<MikroORM>(MikroORM);
  await orm.migrator.up();
  await seed(orm);
  const port = config.get('PORT', { infer: true });
  await app.listen(port);
  new Logger('LangPortal').log(
    `Serving http://localhost:${port}/api/v1 (API docs at http://localhost:${port}/api/docs)`,
  );
}

try {
  await bootstrap();
} catch (error) {
  // A start-up failure (most often the configuration) is reported as its message alone.
  process.stderr.write(`Lang Portal could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

import './node-version-guard.js';
import './load-env.js';
import { existsSync } from 'node:fs';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { databaseName, type Environment, validateEnvironment } from './config.js';
import { migrate } from './database/migrate.js';
import { SrsService } from './srs/srs.service.js';
import { explain } from './start-up-failure.js';

// `npm run srs:optimize` fits FSRS to the log; `npm run srs:rebuild` recomputes every card (after new SRS_* settings).
const command = process.argv[2];
if (command !== 'optimize' && command !== 'rebuild') {
  process.stderr.write('Usage: srs-cli.js optimize|rebuild\n');
  process.exit(2);
}
let app: INestApplicationContext | undefined;
let config: Environment | undefined;
try {
  // A failure to reach or open the database names the setting to check, as the server's does.
  config = validateEnvironment(process.env);
  // A mistyped DATABASE_PATH names no portal: SQLite would make a new one, migrated and seeded, whose cards this
  // reported recomputed. As a backup does, this needs the database there.
  if (!config.DATABASE_URL && !existsSync(config.DATABASE_PATH)) {
    throw new Error(`there is no database at ${config.DATABASE_PATH}: check DATABASE_PATH, or start the portal once`);
  }
  // Imported once the settings are valid: its ConfigModule checks them as it is imported, and a failure there, with
  // no application to take it, was a second report with a stack. Silent until created for the same reason.
  const { AppModule } = await import('./app.module.js');
  app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  app.useLogger(['error']);
  const orm = app.get<MikroORM>(MikroORM);
  const database = databaseName(config);
  // Refused, as start-up and db:migrate refuse it: a database a newer portal migrated, which this code would rewrite.
  await migrate(orm, database);
  const srs = app.get(SrsService);
  await RequestContext.create(orm.em, async () => {
    if (command === 'rebuild') {
      await srs.rebuild();
      process.stdout.write('Every card was recomputed from the review log.\n');
      return;
    }
    const result = await srs.optimize();
    const figures = (name: string, { log_loss, rmse }: { log_loss: number; rmse: number }) =>
      `${name}: log-loss ${log_loss.toFixed(4)}, RMSE ${rmse.toFixed(4)}`;
    process.stdout.write(
      `${result.reviews} training reviews\n${figures('default parameters', result.defaults)}\n${figures('fitted parameters', result.fitted)}\n` +
        (result.adopted
          ? 'The fitted parameters are now in use; every card was rebuilt with them.\n'
          : 'The fit predicts this log no better than the defaults: not adopted, the parameters in use are unchanged.\n'),
    );
  });
} catch (error) {
  process.stderr.write(`srs ${command} failed: ${explain(error, config)}\n`);
  process.exitCode = 1;
} finally {
  await app?.close();
}

import './node-version-guard.js';
import './load-env.js';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { databaseName, type Environment } from './config.js';
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
  // Silent until created: a failure (a bad setting) is the one line below, not also Nest's report with its stack.
  app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  app.useLogger(['error']);
  const orm = app.get<MikroORM>(MikroORM);
  const settings = app.get<ConfigService<Environment, true>>(ConfigService);
  // A failure to reach or open the database names the setting to check, as the server's does.
  config = {
    DATABASE_PATH: settings.get('DATABASE_PATH', { infer: true }),
    DATABASE_URL: settings.get('DATABASE_URL', { infer: true }),
  } as Environment;
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

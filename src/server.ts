import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { seed } from '../database/seeders/DatabaseSeeder.js';
import { AppModule } from './app.module.js';
import { configureApp, portalHttpAdapter } from './app.setup.js';
import { DATABASE_PREPARED, databaseName, type Environment } from './config.js';
import { explain } from './start-up-failure.js';
import { quietStartup } from './http/logging.js';
import { listeningOrigin } from './http/origin.js';
import { dialect } from './database/dialect.js';
import { migrate } from './database/migrate.js';
import { CardsService } from './reviews/cards.service.js';
import { IdempotencyService } from './reviews/idempotency.service.js';
import { messageOf } from './core/errors.js';

const logger = new Logger('LangPortal');

/** Stops on SIGTERM/SIGINT: no new connections, requests in flight finish (up to the grace period), the database closes. */
function stopGracefully(app: NestExpressApplication, graceMs: number): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // Kept, not once: a listener removed would let a second signal kill the process mid-request. A cluster worker
    // gets two: Ctrl-C, or systemd's SIGTERM, reaches every process of the group, and the primary forwards SIGTERM.
    process.on(signal, () => {
      if (stopping) {
        return;
      }
      stopping = true;
      logger.log(`${signal}: stopping; requests in flight have ${graceMs} ms to finish`);
      const server = app.getHttpServer();
      const deadline = setTimeout(() => {
        logger.warn('Grace period over: closing the connections still open');
        server.closeAllConnections();
      }, graceMs);
      deadline.unref();
      app
        .close()
        .then(() => {
          logger.log('Stopped');
          process.exit(0);
        })
        .catch((error: unknown) => {
          logger.error(`Stopping failed: ${explain(error)}`);
          process.exit(1);
        });
    });
  }
}

/**
 * Fails as listening would (a port in use, a HOST not this machine's), before the database is prepared: a portal
 * started on the port of one that runs (a new version beside the old) migrated the database that one serves, then
 * stopped.
 */
async function assertCanListen(port: number, host: string): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, host, resolve));
  await new Promise((resolve) => probe.close(resolve));
}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, portalHttpAdapter(), {
    bufferLogs: true,
    abortOnError: false,
    // Until the application's own logger takes over: a start-up failure is then reported by its message alone
    // (below), not also by Nest's console logger with its stack.
    logger: false,
  });
  app.useLogger(quietStartup(app.get(PinoLogger)));
  const config = app.get<ConfigService<Environment, true>>(ConfigService);
  const env = {
    PORT: config.get('PORT', { infer: true }),
    HOST: config.get('HOST', { infer: true }),
    DATABASE_PATH: config.get('DATABASE_PATH', { infer: true }),
    DATABASE_URL: config.get('DATABASE_URL', { infer: true }),
  } as Environment;
  try {
    const orm = app.get<MikroORM>(MikroORM);
    // In a cluster (src/cluster.ts) the first worker prepares the database before the others are started.
    const prepared = process.env[DATABASE_PREPARED] === '1';
    if (!prepared) {
      await assertCanListen(env.PORT, env.HOST);
      // Servers started together on one database prepare it one at a time; the later ones find it ready.
      await dialect.exclusively(orm, async () => {
        const applied = await migrate(orm, databaseName(env));
        logger.log(
          applied.length > 0
            ? `Database ${databaseName(env)}: applied ${applied.join(', ')}`
            : `Database ${databaseName(env)}: up to date`,
        );
        // Cards left stale (answers deleted, or answered before cards existed) are computed before serving.
        await RequestContext.create(orm.em, () => app.get(CardsService).refreshStale());
        const seeded = await seed(orm);
        logger.log(
          seeded > 0 ? `Seeded ${seeded} words, their groups and the example learning app` : 'Kept the existing data',
        );
      });
    }
    // Only claims of processes that no longer run are freed, so a worker (re)starting beside live ones runs it too.
    const released = await app.get(IdempotencyService).releaseClaimsOfStoppedServers();
    if (released > 0) {
      logger.log(`Freed ${released} Idempotency-Key claims left by a server that stopped mid-request`);
    }
    // Generating the document from the controllers takes ~0.1 s of every start; the build wrote it from this code.
    await configureApp(app, JSON.parse(await readFile(new URL('../openapi.json', import.meta.url), 'utf8')));
    app.getHttpServer().keepAliveTimeout = config.get('KEEP_ALIVE_TIMEOUT_MS', { infer: true });
    stopGracefully(app, config.get('SHUTDOWN_GRACE_MS', { infer: true }));
    await app.listen(env.PORT, env.HOST);
  } catch (error) {
    throw new Error(explain(error, env), { cause: error });
  }
  const address = listeningOrigin(env.HOST, env.PORT);
  logger.log(`Serving ${address}/api/v1 (API docs at ${address}/api/docs)`);
}

try {
  await bootstrap();
} catch (error) {
  // A start-up failure (most often the configuration) is reported as its message alone.
  process.stderr.write(`Lang Portal could not start: ${messageOf(error)}\n`);
  process.exit(1);
}

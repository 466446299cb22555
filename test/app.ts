import { jest } from '@jest/globals';
import { MikroORM as ORM } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/sql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module.js';
import { configureApp, portalHttpAdapter } from '../src/app.setup.js';
import { type Environment, validateEnvironment } from '../src/config.js';
import { clearDatabase } from './api.js';
import { ContractCheck } from './contract.js';
import { freshDatabase } from './postgres.js';

export interface TestApp {
  app: NestExpressApplication;
  /** What the app answered against its OpenAPI document (test/contract.ts). */
  contract: ContractCheck;
  http: NestExpressApplication['getHttpServer'] extends () => infer S ? S : never;
  orm: MikroORM;
}

/**
 * The real application on a fresh in-memory database, migrated and empty; `config` overrides settings
 * that test/setup-env.ts leaves unset.
 */
export async function createTestApp(config: Partial<Environment> = {}): Promise<TestApp> {
  const database = process.env.TEST_DATABASE_URL && !config.DATABASE_URL ? { DATABASE_URL: await freshDatabase() } : {};
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(ConfigService)
    // The configuration the server would read: test/setup-env.ts's environment, these settings, the defaults.
    .useValue(new ConfigService({ ...validateEnvironment(process.env), ...database, ...config }))
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(portalHttpAdapter(), {
    logger: ['error', 'warn'],
  });
  const contract = new ContractCheck();
  contract.install(app);
  contract.describe(await configureApp(app));
  const orm = app.get<MikroORM>(ORM);
  await orm.migrator.up();
  return { app, contract, http: app.getHttpServer(), orm };
}

/** Closes the app, and fails the test file if an answer of the app broke its OpenAPI document (test/contract.ts). */
export async function closeTestApp(t: TestApp): Promise<void> {
  await t.app.close();
  expect(t.contract.violations).toEqual([]);
}

/**
 * A fresh application for the test file: created before its first test and closed after its last.
 * The returned object is filled in by then, so clients built on it at load time work in the tests.
 */
export function useTestApp(config: Partial<Environment> = {}): TestApp {
  const t = {} as TestApp;
  beforeAll(async () => {
    Object.assign(t, await createTestApp(config));
  });
  afterAll(() => closeTestApp(t));
  return t;
}

/** A fresh application for the test file (see useTestApp), its database emptied before each test. */
export function useEmptyTestApp(config: Partial<Environment> = {}): TestApp {
  const t = useTestApp(config);
  beforeEach(() => clearDatabase(t));
  return t;
}

/**
 * Stops the clock at `now`: Date and Date.now stand still (until the test sets them), while timers, ticks and
 * performance run as they do, for the app's I/O and timeouts. `jest.useRealTimers()` starts it again.
 */
export function stopClockAt(now: number | Date): void {
  jest.useFakeTimers({
    doNotFake: [
      'nextTick',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
    now,
  });
}

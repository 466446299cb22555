import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MikroORM } from '@mikro-orm/sql';
import { ormConfig } from '../mikro-orm.config.js';
import { validateEnvironment } from '../src/config.js';

/**
 * The PostgreSQL run of the suite (TEST_DATABASE_URL names a server the tests may create databases on): the
 * schema is migrated once into a template database, by the first test that needs it, and each test
 * application gets a copy of it, fresh and its own (CREATE DATABASE ... TEMPLATE copies files: milliseconds).
 * test/global-teardown.mjs drops them at the end of the run.
 */
// This run's, set by test/global-setup.mjs.
const PREFIX = process.env.TEST_DATABASE_PREFIX ?? 'lang_portal_test_';
const TEMPLATE = `${PREFIX}template`;
// Any number: the key of the lock under which the template is created.
const TEMPLATE_LOCK = 7_201_126;

/** The URL of `database` on the test server. */
function databaseUrl(database: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `work` with a connection to the test server's own database. */
async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates and migrates the template unless another process of the run did (one at a time), then a copy named `name`. */
async function copyOfTemplate(client: pg.Client, name: string): Promise<void> {
  await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [TEMPLATE]);
    if (rowCount === 0) {
      await client.query(`create database ${PREFIX}migrating`);
      const orm = await MikroORM.init({
        ...ormConfig({ ...validateEnvironment(process.env), DATABASE_URL: databaseUrl(`${PREFIX}migrating`) }),
        logger: () => undefined,
      });
      await orm.migrator.up();
      await orm.close();
      // Renamed once complete: a template that exists is a migrated one.
      await client.query(`alter database ${PREFIX}migrating rename to ${TEMPLATE}`);
    }
    await client.query(`create database ${name} template ${TEMPLATE}`);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
}

/** A new database copied from the migrated template; its URL. */
export async function freshDatabase(): Promise<string> {
  const name = `${PREFIX}${randomBytes(6).toString('hex')}`;
  await onServer((client) => copyOfTemplate(client, name));
  return databaseUrl(name);
}

/** A new database with nothing in it, not even the schema (for what migrates its target itself); its URL. */
export async function emptyDatabase(): Promise<string> {
  const name = `${PREFIX}${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`create database ${name}`));
  return databaseUrl(name);
}

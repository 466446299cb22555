import { NotFoundException } from '@nestjs/common';
import { Migrator } from '@mikro-orm/migrations';
import { SeedManager } from '@mikro-orm/seeder';
import type { Options } from '@mikro-orm/sql';
import { migrations } from './database/migrations/index.js';
import { postgresqlMigrations } from './database/migrations/postgresql/index.js';
import { DatabaseSeeder } from './database/seeders/DatabaseSeeder.js';
import { dialect, isPostgresqlUrl } from './src/database/dialect.js';
import { PostgreSqlDriver, postgresqlConnection } from './src/database/postgresql.dialect.js';
import { SqliteDriver, sqliteConnection } from './src/database/sqlite.dialect.js';
import { type Environment, validateEnvironment } from './src/config.js';
import { ENTITIES } from './src/entities.js';
import { WORD_SEARCH_TABLES } from './src/words/search.sqlite.js';

/** "StudySession" → "Study session", as a not-found message names the resource. */
const resourceName = (entity: string) =>
  entity.replace(/(?<=.)([A-Z])/g, (letter: string) => ` ${letter.toLowerCase()}`);

/** What the configuration reads of the environment (see .env.example). */
export type DatabaseEnvironment = Pick<
  Environment,
  'DATABASE_PATH' | 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DATABASE_STATEMENT_TIMEOUT_MS'
>;

/** The options of each database: its driver, connection and migrations. */
function databaseOptions(env: DatabaseEnvironment): Partial<Options> {
  if (env.DATABASE_URL) {
    return {
      driver: PostgreSqlDriver,
      clientUrl: env.DATABASE_URL,
      pool: { min: 0, max: env.DATABASE_POOL_SIZE },
      driverOptions: postgresqlConnection(env.DATABASE_STATEMENT_TIMEOUT_MS),
      migrations: { path: 'database/migrations/postgresql', migrationsList: postgresqlMigrations },
    };
  }
  return {
    driver: SqliteDriver,
    dbName: env.DATABASE_PATH,
    driverOptions: sqliteConnection(env.DATABASE_PATH),
    migrations: { path: 'database/migrations', migrationsList: migrations },
    // The full-text index of words is SQLite's, not an entity's: created by its migration, kept by triggers;
    // so are the query planner's statistics (ANALYZE, PRAGMA optimize).
    schemaGenerator: { skipTables: [WORD_SEARCH_TABLES, /^sqlite_stat\d$/] },
  };
}

/**
 * The one MikroORM configuration, used by the server, the tests and the `mikro-orm` CLI: PostgreSQL when
 * `DATABASE_URL` names it, else the SQLite file at `DATABASE_PATH`. Migrations and seeders are listed, not discovered, so
 * that the compiled server and the tests (which run the TypeScript sources) load exactly the same ones.
 */
export function ormConfig(env: DatabaseEnvironment = validateEnvironment(process.env)): Options {
  if (isPostgresqlUrl(env.DATABASE_URL) !== (dialect.name === 'postgresql')) {
    // The entities' SQL (generated columns, triggers) is that of the database the environment named at start-up.
    throw new Error(`The database must be the ${dialect.name} one the environment's DATABASE_URL names`);
  }
  const options = databaseOptions(env);
  return {
    ...options,
    entities: ENTITIES,
    extensions: [Migrator, SeedManager],
    migrations: {
      ...options.migrations,
      pathTs: options.migrations!.path,
      snapshot: false,
      emit: 'ts',
      // The server says in one line which migrations it applied.
      silent: true,
    },
    seeder: { path: 'database/seeders', seedersList: [DatabaseSeeder] },
    allowGlobalContext: false,
    // A resource named in the path that does not exist is a 404.
    findOneOrFailHandler: (entity, where) =>
      new NotFoundException(
        `${resourceName(entity)} ${typeof where === 'object' ? (where as { id: unknown }).id : where} not found`,
      ),
  };
}

// The CLI's configuration, built when the CLI asks for it: the server imports this file too, and reports a bad
// environment itself (src/server.ts) instead of failing while its modules load.
export default () => ormConfig();

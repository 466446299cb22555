import { NotFoundException } from '@nestjs/common';
import { Migrator } from '@mikro-orm/migrations';
import { SeedManager } from '@mikro-orm/seeder';
import { defineConfig, type Options } from '@mikro-orm/sqlite';
import { migrations } from './database/migrations/index.js';
import { DatabaseSeeder } from './database/seeders/DatabaseSeeder.js';
import { sqliteConnection } from './src/database/dialect.js';
import { ENTITIES } from './src/entities.js';
import { WORD_SEARCH_TABLES } from './src/words/search.js';

/** "StudySession" → "Study session", as a not-found message names the resource. */
const resourceName = (entity: string) =>
  entity.replace(/(?<=.)([A-Z])/g, (letter: string) => ` ${letter.toLowerCase()}`);

/**
 * The one MikroORM configuration, used by the server, the tests and the `mikro-orm` CLI.
 * Migrations and seeders are listed, not discovered, so that the compiled server and the tests
 * (which run the TypeScript sources) load exactly the same ones.
 */
export function ormConfig(dbName = process.env.DATABASE_PATH || 'database/lang-portal.sqlite'): Options {
  return defineConfig({
    dbName,
    driverOptions: sqliteConnection(dbName),
    entities: ENTITIES,
    extensions: [Migrator, SeedManager],
    migrations: {
      path: 'database/migrations',
      pathTs: 'database/migrations',
      migrationsList: migrations,
      snapshot: false,
      emit: 'ts',
      // The server says in one line which migrations it applied.
      silent: true,
    },
    seeder: { path: 'database/seeders', seedersList: [DatabaseSeeder] },
    // The full-text index of words is SQLite's, not an entity's: created by its migration, kept by triggers;
    // so are the query planner's statistics (ANALYZE, PRAGMA optimize).
    schemaGenerator: { skipTables: [WORD_SEARCH_TABLES, /^sqlite_stat\d$/] },
    allowGlobalContext: false,
    // A resource named in the path that does not exist is a 404.
    findOneOrFailHandler: (entity, where) =>
      new NotFoundException(
        `${resourceName(entity)} ${typeof where === 'object' ? (where as { id: unknown }).id : where} not found`,
      ),
  });
}

export default ormConfig();

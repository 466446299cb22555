import { Migrator } from '@mikro-orm/migrations';
import { SeedManager } from '@mikro-orm/seeder';
import { defineConfig, type Options } from '@mikro-orm/sqlite';
import { migrations } from './database/migrations/index.js';
import { DatabaseSeeder } from './database/seeders/DatabaseSeeder.js';
import { ENTITIES } from './src/entities.js';

/**
 * The one MikroORM configuration, used by the server, the tests and the `mikro-orm` CLI.
 * Migrations and seeders are listed, not discovered, so that the compiled server and the tests
 * (which run the TypeScript sources) load exactly the same ones.
 */
export function ormConfig(dbName = process.env.DATABASE_PATH || 'database/lang-portal.sqlite'): Options {
  return defineConfig({
    dbName,
    entities: ENTITIES,
    extensions: [Migrator, SeedManager],
    migrations: {
      path: 'database/migrations',
      pathTs: 'database/migrations',
      migrationsList: migrations,
      snapshot: false,
      emit: 'ts',
    },
    seeder: { path: 'database/seeders', seedersList: [DatabaseSeeder] },
    allowGlobalContext: false,
  });
}

export default ormConfig();

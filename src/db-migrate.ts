import './node-version-guard.js';
import './load-env.js';
import { MikroORM } from '@mikro-orm/core';
import { ormConfig } from '../mikro-orm.config.js';
import { databaseName, type Environment, validateEnvironment } from './config.js';
import { dialect } from './database/dialect.js';
import { migrate } from './database/migrate.js';
import { explain } from './start-up-failure.js';

// `npm run db:migrate`: applies pending migrations, as `npm start` does before it serves. The mikro-orm CLI did it
// before, and answered a bad setting with its usage text and a stack trace (which showed DATABASE_URL's password);
// this checks the environment as the server does and reports any failure in one line, as the server does.
let config: Environment | undefined;
try {
  config = validateEnvironment(process.env);
  const name = databaseName(config);
  const orm = await MikroORM.init(ormConfig(config));
  try {
    // A server starting on the same database meanwhile waits, as servers started together do (src/server.ts).
    const applied = await dialect.exclusively(orm, () => migrate(orm, name));
    process.stdout.write(
      applied.length > 0 ? `Database ${name}: applied ${applied.join(', ')}\n` : `Database ${name}: up to date\n`,
    );
  } finally {
    await orm.close();
  }
} catch (error) {
  process.stderr.write(`Migration failed: ${explain(error, config)}\n`);
  process.exitCode = 1;
}

// The mikro-orm CLI's configuration (db:seed, migration:create): mikro-orm.config.ts, once .env is read as npm start
// reads it. The server and the tests read mikro-orm.config.ts itself, their environment already set.
import './src/load-env.js';

export { default } from './mikro-orm.config.js';

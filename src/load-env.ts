import { loadEnvFile } from './env-file.js';
import { messageOf } from './core/errors.js';

/**
 * Imported first by every command-line script (db:*, srs:*, the mikro-orm CLI), so that `.env` is read as `npm start`
 * reads it (src/env-file.ts: a byte order mark ignored, an unreadable file one message) and before the database's
 * dialect is chosen from DATABASE_URL as its module loads. Node's --env-file kept a byte order mark in the first name.
 */
try {
  loadEnvFile();
} catch (error) {
  process.stderr.write(`${messageOf(error)}\n`);
  process.exit(1);
}

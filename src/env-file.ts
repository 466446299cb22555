import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { messageOf } from './core/errors.js';

/**
 * Loads `.env` from the working folder, under the real environment (as Nest's ConfigModule reads it): before any
 * module that reads the environment as it loads (the database's dialect, from DATABASE_URL) is imported. A file that
 * cannot be read (kept private by another user than the server's) throws an error saying so.
 */
export function loadEnvFile(): void {
  const file = join(process.cwd(), '.env');
  if (existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(
        `${file} cannot be read (${messageOf(error)}): let the user running the server read it, or remove it`,
        { cause: error },
      );
    }
    // Node's parser (process.loadEnvFile) keeps a byte order mark, as Windows editors save UTF-8, in the first name:
    // that setting was lost here, while ConfigModule's parser read it, so the two disagreed (the database's dialect,
    // the cluster's PORT).
    const variables = parseEnv(text.replace(/^\uFEFF/, ''));
    for (const [name, value] of Object.entries(variables)) {
      process.env[name] ??= value;
    }
  }
}

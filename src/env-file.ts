import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Loads `.env` from the working folder, under the real environment (as Nest's ConfigModule reads it): before any
 * module that reads the environment as it loads (the database's dialect, from DATABASE_URL) is imported.
 */
export function loadEnvFile(): void {
  const file = join(process.cwd(), '.env');
  if (existsSync(file)) {
    // Node's parser (process.loadEnvFile) keeps a byte order mark, as Windows editors save UTF-8, in the first name:
    // that setting was lost here, while ConfigModule's parser read it, so the two disagreed (the database's dialect,
    // the cluster's PORT).
    const variables = parseEnv(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    for (const [name, value] of Object.entries(variables)) {
      process.env[name] ??= value;
    }
  }
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Loads `.env` from the working folder, under the real environment (as Nest's ConfigModule reads it): before any
 * module that reads the environment as it loads (the database's dialect, from DATABASE_URL) is imported.
 */
export function loadEnvFile(): void {
  const file = join(process.cwd(), '.env');
  if (existsSync(file)) {
    process.loadEnvFile(file);
  }
}

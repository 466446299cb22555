import './node-version-guard.js';
import './load-env.js';
import { mediaDirectory } from './anki/media.js';
import { describeMedia, isInUse, problemWithBackup, restore } from './backups/backup.js';
import { validateEnvironment } from './config.js';
import { messageOf } from './core/errors.js';

// `npm run db:restore -- FILE`: replaces the database with a backup, once the file is checked.
async function main(file: string | undefined): Promise<string> {
  if (!file) {
    throw new Error('name the backup to restore: npm run db:restore -- database/backups/lang-portal-….sqlite');
  }
  const config = validateEnvironment(process.env);
  if (config.DATABASE_URL) {
    throw new Error(
      'DATABASE_URL names PostgreSQL: restore a pg_dump with pg_restore (see README, "Moving to PostgreSQL")',
    );
  }
  const problem = problemWithBackup(file);
  if (problem) {
    throw new Error(`${file} cannot be restored: ${problem}`);
  }
  if (isInUse(config.DATABASE_PATH)) {
    throw new Error(`${config.DATABASE_PATH} is open in a running portal: stop it first, then restore`);
  }
  const media = restore(file, config.DATABASE_PATH, mediaDirectory(config));
  return `Restored ${config.DATABASE_PATH} from ${file}${describeMedia(media, 'put back')}; start the portal with npm start`;
}

try {
  process.stdout.write(`${await main(process.argv[2])}\n`);
} catch (error) {
  process.stderr.write(`Restore failed: ${messageOf(error)}\n`);
  process.exitCode = 1;
}

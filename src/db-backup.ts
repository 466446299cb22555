import './node-version-guard.js';
import './load-env.js';
import { mediaDirectory } from './anki/media.js';
import { backUp, describeMedia } from './backups/backup.js';
import { validateEnvironment } from './config.js';
import { messageOf } from './core/errors.js';

// `npm run db:backup`: a consistent copy of the database, taken while the server may be running.
try {
  const config = validateEnvironment(process.env);
  if (config.DATABASE_URL) {
    throw new Error('DATABASE_URL names PostgreSQL: back it up with pg_dump (see README, "Moving to PostgreSQL")');
  }
  const { file, media } = await backUp(config.DATABASE_PATH, config.BACKUP_KEEP, mediaDirectory(config));
  process.stdout.write(`Backup written: ${file}${describeMedia(media, 'copied')}\n`);
} catch (error) {
  process.stderr.write(`Backup failed: ${messageOf(error)}\n`);
  process.exitCode = 1;
}

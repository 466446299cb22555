import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import type { Environment } from '../config.js';
import { mediaDirectory } from '../anki/media.js';
import { backUp, describeMedia } from './backup.js';
import { messageOf } from '../core/errors.js';

/** Backups the server takes itself on `BACKUP_CRON`'s schedule. */
@Injectable()
export class BackupsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Backups');

  constructor(
    private readonly config: ConfigService<Environment, true>,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const schedule = this.config.get('BACKUP_CRON', { infer: true });
    if (!schedule) {
      return;
    }
    const job = CronJob.from({ cronTime: schedule, onTick: () => this.backUp() });
    this.scheduler.addCronJob('backup', job);
    job.start();
    this.logger.log(`Backups scheduled: ${schedule}`);
  }

  private async backUp(): Promise<void> {
    try {
      const path = this.config.get('DATABASE_PATH', { infer: true });
      const mediaFolder = mediaDirectory({
        DATABASE_PATH: path,
        MEDIA_PATH: this.config.get('MEDIA_PATH', { infer: true }),
      });
      const { file, media } = await backUp(path, this.config.get('BACKUP_KEEP', { infer: true }), mediaFolder);
      // Audio lost is worth a warning: the files were deleted from the media folder by hand.
      this.logger[media.missing.length > 0 ? 'warn' : 'log'](
        `Backup written: ${file}${describeMedia(media, 'copied')}`,
      );
    } catch (error) {
      this.logger.error(`Backup failed: ${messageOf(error)}`);
    }
  }
}

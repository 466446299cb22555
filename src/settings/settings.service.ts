import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/sql';
import { Injectable } from '@nestjs/common';
import { DatabaseSeeder } from '../../database/seeders/DatabaseSeeder.js';
import { restartIds } from '../database/dialect.js';
import { ReviewsService } from '../reviews/reviews.service.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';

@Injectable()
export class SettingsService {
  constructor(
    private readonly orm: MikroORM,
    private readonly em: EntityManager,
    private readonly sessions: StudySessionsService,
    private readonly reviews: ReviewsService,
  ) {}

  /**
   * Forgets all learning history, and with it every counter; words, groups and apps stay. Idempotency
   * keys outlive it (they are kept 24 hours): a retry after it gets its first response again, not a second answer.
   */
  async resetHistory(): Promise<void> {
    await this.em.transactional(async () => {
      // The answers first, all at once: deleted with their sessions, they would be deleted one by one.
      await this.reviews.clear();
      await this.sessions.clear();
    });
  }

  /** Back to a fresh install: every table of the schema emptied, ids restarted, seed data loaded; all or nothing. */
  async fullReset(): Promise<void> {
    await this.em.transactional(async (em) => {
      // The log first, all at once: on SQLite the schema's clear deletes it row by row, running its triggers for
      // each answer (67 s of the large portal's reset).
      await this.reviews.emptyLog();
      await this.orm.schema.clear();
      await restartIds(em);
      await new DatabaseSeeder().run(em);
    });
  }
}

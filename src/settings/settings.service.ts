import { setTimeout } from 'node:timers/promises';
import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/sql';
import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { DatabaseSeeder } from '../../database/seeders/DatabaseSeeder.js';
import { AnkiService } from '../anki/anki.service.js';
import { lockEveryTableAtOnce, restartIds } from '../database/dialect.js';
import { ReviewsService } from '../reviews/reviews.service.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';

/** How many times a full reset tries to take every table, and how long it waits between tries. */
const RESET_ATTEMPTS = 50;
const RESET_RETRY_MS = 100;

/** The 503's detail when other transactions kept a table the reset empties for every try. */
export const FULL_RESET_BUSY = 'Other requests kept the portal busy: send the reset again';

/** Another transaction used a table a full reset empties: it is rolled back, and tried again. */
class TablesInUse extends Error {}

@Injectable()
export class SettingsService {
  constructor(
    private readonly orm: MikroORM,
    private readonly em: EntityManager,
    private readonly sessions: StudySessionsService,
    private readonly reviews: ReviewsService,
    private readonly anki: AnkiService,
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

  /**
   * Back to a fresh install: every table of the schema emptied, ids restarted, seed data loaded, the imported audio
   * deleted; all or nothing.
   */
  async fullReset(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.em.transactional(async (em) => {
          // The log first, all at once: on SQLite the schema's clear deletes it row by row, running its triggers for
          // each answer (67 s of the large portal's reset).
          await this.reviews.emptyLog();
          // Then every other table, only if no other transaction uses one. Waiting for one while holding the words
          // deadlocked with a request that had read a table and then waited for a word (adding members to a group
          // it had read, creating a word it had checked): such a request goes on once the reset lets the words go.
          if (!(await lockEveryTableAtOnce(em))) {
            throw new TablesInUse();
          }
          await this.orm.schema.clear();
          await restartIds(em);
          await new DatabaseSeeder().run(em);
          // Last: a failure before it leaves the old data and their audio together.
          await this.anki.forgetMedia();
        });
        return;
      } catch (error) {
        if (!(error instanceof TablesInUse)) {
          throw error;
        }
        if (attempt === RESET_ATTEMPTS) {
          throw new ServiceUnavailableException(FULL_RESET_BUSY);
        }
        await setTimeout(RESET_RETRY_MS);
      }
    }
  }
}

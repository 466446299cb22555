import { EntityManager, type EntityName } from '@mikro-orm/sqlite';
import { Injectable } from '@nestjs/common';
import { DatabaseSeeder } from '../../database/seeders/DatabaseSeeder.js';
import { Group } from '../groups/group.entity.js';
import { WordGroup } from '../groups/word-group.entity.js';
import { LearningApp } from '../learning-apps/learning-app.entity.js';
import { IdempotencyKey } from '../reviews/idempotency-key.entity.js';
import { ReviewItem } from '../reviews/review-item.entity.js';
import { StudyActivity } from '../study-sessions/study-activity.entity.js';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';

// Children before parents, so that no delete depends on a cascade. Idempotency keys outlive a history
// reset (they are kept 24 hours): a retry after it gets its first response again, not a second answer.
const HISTORY: EntityName<any>[] = [ReviewItem, StudyActivity, StudySession];
const EVERYTHING: EntityName<any>[] = [...HISTORY, IdempotencyKey, WordGroup, LearningApp, Group, Word];

@Injectable()
export class SettingsService {
  constructor(private readonly em: EntityManager) {}

  /** Forgets all learning history; words, groups and apps stay. */
  async resetHistory(): Promise<void> {
    await this.em.transactional(async (em) => {
      for (const entity of HISTORY) {
        await em.nativeDelete(entity, {});
      }
      await em.nativeUpdate(Word, {}, { correctCount: 0, wrongCount: 0 });
    });
  }

  /** Back to a fresh install: everything deleted, ids restarted, seed data loaded; all or nothing. */
  async fullReset(): Promise<void> {
    await this.em.transactional(async (em) => {
      for (const entity of EVERYTHING) {
        await em.nativeDelete(entity, {});
      }
      const tables = EVERYTHING.map((entity) => em.getMetadata(entity).tableName);
      await em.execute(`delete from sqlite_sequence where name in (${tables.map(() => '?').join(', ')})`, tables);
      await new DatabaseSeeder().run(em);
    });
  }
}

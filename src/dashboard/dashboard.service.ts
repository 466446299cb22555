import { EntityManager } from '@mikro-orm/sqlite';
import { Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config.js';
import { successRate } from '../core/stats.js';
import type { StudySessionDto } from '../study-sessions/dto/study-session.dto.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import type { QuickStatsDto, StudyProgressDto } from './dto/dashboard.dto.js';
import { studyStreak } from './streak.js';

// Every time zone's offset is a whole number of quarter hours, so all instants of one UTC quarter hour
// fall on the same local day: the streak needs one row per active quarter hour, not one per review.
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class DashboardService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: StudySessionsService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  async lastStudySession(): Promise<StudySessionDto> {
    const session = await this.sessions.latest();
    if (!session) {
      throw new NotFoundException('There is no study session yet');
    }
    return session;
  }

  async studyProgress(): Promise<StudyProgressDto> {
    const [row] = await this.em.execute<{ studied: number; available: number }[]>(
      `select (select count(distinct word_id) from words_review_items) as studied,
              (select count(*) from words) as available`,
    );
    return { total_words_studied: row.studied, total_available_words: row.available };
  }

  async quickStats(now = new Date()): Promise<QuickStatsDto> {
    const [row] = await this.em.execute<{ correct: number; reviews: number; sessions: number; groups: number }[]>(
      `select (select coalesce(sum(correct), 0) from words_review_items) as correct,
              (select count(*) from words_review_items) as reviews,
              (select count(*) from study_sessions) as sessions,
              (select count(distinct group_id) from study_sessions) as groups`,
    );
    return {
      success_rate: successRate(row.correct, row.reviews),
      total_study_sessions: row.sessions,
      total_active_groups: row.groups,
      study_streak_days: await this.streak(now),
    };
  }

  /**
   * Streaks are short and the log is long: read the active quarter hours of the last days only, and
   * further back only while the streak reaches as far as what was read.
   */
  private async streak(now: Date): Promise<number> {
    const timeZone = this.config.get('APP_TIMEZONE', { infer: true });
    const [{ first }] = await this.em.execute<{ first: number | null }[]>(
      'select min(reviewed_at) as first from words_review_items',
    );
    for (let days = 32; ; days *= 4) {
      // Two days of slack: a local day may start up to a day before its UTC date.
      const since = now.getTime() - (days + 2) * DAY_MS;
      const quarters = await this.em.execute<{ quarter: number }[]>(
        `select distinct reviewed_at / ${QUARTER_HOUR_MS} as quarter from words_review_items where reviewed_at >= ?`,
        [since],
      );
      const streak = studyStreak(
        quarters.map(({ quarter }) => new Date(quarter * QUARTER_HOUR_MS)),
        now,
        timeZone,
      );
      if (streak < days || first === null || first >= since) {
        return streak;
      }
    }
  }
}

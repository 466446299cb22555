import { Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config.js';
import { ReviewsService, successRate } from '../reviews/reviews.service.js';
import type { StudySessionDto } from '../study-sessions/dto/study-session.dto.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import { WordsService } from '../words/words.service.js';
import type { QuickStatsDto, StudyProgressDto } from './dto/dashboard.dto.js';
import { studyStreak } from './streak.js';

const DAY_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class DashboardService {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly sessions: StudySessionsService,
    private readonly words: WordsService,
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
    const { studiedWords } = await this.reviews.totals();
    return { total_words_studied: studiedWords, total_available_words: await this.words.count() };
  }

  async quickStats(now = new Date()): Promise<QuickStatsDto> {
    const totals = await this.reviews.totals();
    return {
      success_rate: successRate(totals.correct, totals.reviews),
      total_study_sessions: await this.sessions.count(),
      total_active_groups: await this.sessions.activeGroupCount(),
      study_streak_days: await this.streak(now, totals.first),
    };
  }

  /**
   * Streaks are short and the log is long: read the active quarter hours of the last days only, and
   * further back only while the streak reaches as far as what was read. Every time zone's offset is a
   * whole number of quarter hours, so one UTC quarter hour falls on one local day.
   */
  private async streak(now: Date, first: Date | null): Promise<number> {
    const timeZone = this.config.get('APP_TIMEZONE', { infer: true });
    for (let days = 32; ; days *= 4) {
      // Two days of slack: a local day may start up to a day before its UTC date.
      const since = new Date(now.getTime() - (days + 2) * DAY_MS);
      const streak = studyStreak(await this.reviews.activeQuarterHours(since), now, timeZone);
      if (streak < days || first === null || first >= since) {
        return streak;
      }
    }
  }
}

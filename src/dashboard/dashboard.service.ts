import { Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DAY_MS, dayIn, dayPlus, startOfDayIn } from '../core/calendar.js';
import type { Environment } from '../config.js';
import { CardsService } from '../reviews/cards.service.js';
import { successRate } from '../core/success-rate.js';
import { ReviewsService } from '../reviews/reviews.service.js';
import type { StudySessionDto } from '../study-sessions/dto/study-session.dto.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import { WordsService } from '../words/words.service.js';
import type {
  ForecastDto,
  QuickStatsDto,
  RetentionDto,
  RetentionFigureDto,
  StudyProgressDto,
} from './dto/dashboard.dto.js';
import { walkStreak } from './streak.js';

@Injectable()
export class DashboardService {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly cards: CardsService,
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
      study_streak_days: await walkStreak((days) => this.reviews.answeredIn(days), now, this.timeZone()),
      mastered_words: await this.cards.masteredCount(),
      due_today: await this.cards.dueBefore(this.dayStarts(now, 2)[1]),
    };
  }

  /** Cards due on each of the next `days` days (in APP_TIMEZONE), today counting the overdue ones. */
  async forecast(days: number, now = new Date()): Promise<ForecastDto> {
    const starts = this.dayStarts(now, days + 1);
    const dueBefore = await this.cards.dueBeforeEach(starts.slice(1));
    return {
      days: dueBefore.map((due, index) => ({
        date: dayIn(this.timeZone(), starts[index]),
        due: due - (index === 0 ? 0 : dueBefore[index - 1]),
      })),
      total: dueBefore.at(-1)!,
    };
  }

  /** True retention: the share of right answers given to words in review state, over the last 7, 30 and 365 days. */
  async retention(now = new Date()): Promise<RetentionDto> {
    const periods = [7, 30, 365];
    const figures = await this.cards.retention(periods.map((days) => new Date(now.getTime() - days * DAY_MS)));
    const figure = ({ reviews, correct }: { reviews: number; correct: number }): RetentionFigureDto => ({
      retention: reviews === 0 ? null : correct / reviews,
      reviews,
    });
    return {
      last_7_days: figure(figures[0]),
      last_30_days: figure(figures[1]),
      last_365_days: figure(figures[2]),
      request_retention: this.config.get('SRS_REQUEST_RETENTION', { infer: true }),
    };
  }

  /** The first instants of `count` consecutive days in APP_TIMEZONE, today first. */
  private dayStarts(now: Date, count: number): Date[] {
    const timeZone = this.timeZone();
    const today = dayIn(timeZone, now);
    return Array.from({ length: count }, (_, index) => startOfDayIn(timeZone, dayPlus(today, index)));
  }

  private timeZone(): string {
    return this.config.get('APP_TIMEZONE', { infer: true });
  }
}

import { EntityManager } from '@mikro-orm/sql';
import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { dayIn, startOfDayIn } from '../core/calendar.js';
import type { Environment } from '../config.js';
import { GroupsService } from '../groups/groups.service.js';
import { CardsService } from '../reviews/cards.service.js';
import { type Answer, MINIMUM_TRAINING_REVIEWS } from '../scheduling/scheduler.js';
import { SchedulingService } from '../scheduling/scheduling.service.js';
import { WordsService } from '../words/words.service.js';
import { cardDto } from './card.js';
import type { OptimizationDto, QueueDto, QueueQueryDto, SrsParametersDto, WordScheduleDto } from './dto/srs.dto.js';

/** Spaced repetition as the learner meets it: what to study now, one word's schedule, and fitting FSRS to the log. */
@Injectable()
export class SrsService {
  constructor(
    private readonly em: EntityManager,
    private readonly cards: CardsService,
    private readonly scheduling: SchedulingService,
    private readonly words: WordsService,
    private readonly groups: GroupsService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  /** Due words, least likely to be recalled first, then new words up to what is left of today's allowance. */
  async queue(query: QueueQueryDto, now = new Date()): Promise<QueueDto> {
    if (query.group_id !== undefined) {
      await this.groups.findGroup(query.group_id);
    }
    const due = await this.cards.due(
      now,
      query.limit,
      query.group_id === undefined ? undefined : this.groups.memberIds(query.group_id),
    );
    const timeZone = this.config.get('APP_TIMEZONE', { infer: true });
    const introducedToday = await this.cards.introducedSince(startOfDayIn(timeZone, dayIn(timeZone, now)));
    const remaining = Math.max(0, this.config.get('SRS_NEW_WORDS_PER_DAY', { infer: true }) - introducedToday);
    const unstudied =
      due.length < query.limit && remaining > 0
        ? await this.words.unstudied(Math.min(remaining, query.limit - due.length), query.group_id)
        : [];
    const words = new Map((await this.words.findWords(due.map((card) => card.wordId))).map((word) => [word.id, word]));
    // Read one after the other: a word deleted since its card was read has no row any more, and is left out, as after
    // the delete; a word whose history a reset forgot since is new too, and is given once, by its card, read first.
    const fresh = unstudied.filter((word) => !words.has(word.id));
    return {
      items: [
        ...due
          .filter((card) => words.has(card.wordId))
          .map((card) => ({
            ...words.get(card.wordId)!,
            card: cardDto(card.memory, card.retrievability, now),
          })),
        ...fresh.map((word) => ({ ...word, card: cardDto(null, 0, now) })),
      ],
      new_words_remaining_today: remaining - fresh.length,
    };
  }

  /** The word's card, when each answer would bring it back, and its history with the card after each answer. */
  async schedule(wordId: number, now = new Date()): Promise<WordScheduleDto> {
    // The history first, then the word: a word deleted in between (its history with it) is a 404, not a new card.
    const history = await this.cards.history(wordId);
    await this.words.findWord(wordId);
    const outlook = await this.cards.outlook(history.memory, now);
    const scheduler = await this.scheduling.scheduler();
    return {
      word_id: wordId,
      card: cardDto(history.memory, outlook.retrievability, now),
      next_due: { right: outlook.right.toISOString(), wrong: outlook.wrong.toISOString() },
      history: history.answers.map((answer) => ({
        id: answer.id,
        correct: answer.correct,
        reviewed_at: answer.reviewedAt.toISOString(),
        card: cardDto(answer.after, scheduler.retrievability(answer.after, answer.reviewedAt), now),
      })),
    };
  }

  parameters(): Promise<SrsParametersDto> {
    return this.scheduling.parametersInUse();
  }

  /**
   * Fits FSRS's parameters to the log (the answers of the most recently answered words, SRS_OPTIMIZE_MAX_ANSWERS at
   * most); puts them in use, and rebuilds every card with them, only when they predict those answers better than the
   * defaults.
   */
  async optimize(): Promise<OptimizationDto> {
    const wordIds = await this.cards.recentlyAnsweredWords(
      this.config.get('SRS_OPTIMIZE_MAX_ANSWERS', { infer: true }),
    );
    const histories = await this.cards.histories(wordIds);
    const fit = await this.scheduling.fit([...histories.values()]);
    const { parameters, defaults, fitted } = fit;
    if (!parameters || !defaults || !fitted) {
      throw new UnprocessableEntityException(
        `Fitting needs at least ${MINIMUM_TRAINING_REVIEWS} reviews that follow an earlier day's review of the same word, ` +
          `spread enough for the optimizer; the log has ${fit.reviews}` +
          (fit.reviews < MINIMUM_TRAINING_REVIEWS ? `: ${MINIMUM_TRAINING_REVIEWS - fit.reviews} more are needed` : ''),
      );
    }
    const adopted = fitted.log_loss < defaults.log_loss;
    if (adopted) {
      await this.em.transactional(async () => {
        // The log is fitted outside any transaction (it takes seconds), then checked with every word locked against
        // answers: one that lost answers meanwhile (a reset, a forced delete) would keep parameters fitted to answers
        // it forgot, and a full reset, which answers "as after a fresh install", would keep them.
        await this.words.lockAll();
        if (!isStillLogged(histories, await this.cards.histories(wordIds))) {
          throw new ConflictException(
            'Answers were deleted while the parameters were being fitted (a reset, a forced delete): optimize again',
          );
        }
        await this.scheduling.adopt({ ...fit, parameters, defaults, fitted });
        await this.cards.staleAll();
      });
      // Recomputed after the commit, as `rebuild` does.
      await this.cards.refreshStale();
    }
    return { adopted, reviews: fit.reviews, parameters, defaults, fitted };
  }

  /**
   * Recomputes every card from the log with the current settings and parameters: marked stale at once, then a chunk of
   * words per transaction, so that answers and other requests go on meanwhile (one transaction held the large portal's
   * only SQLite connection for 40 s); a card read waits for it, and a rebuild cut short is finished by the next start.
   */
  async rebuild(): Promise<void> {
    await this.em.transactional(() => this.cards.staleAll());
    await this.cards.refreshStale();
  }
}

/**
 * Whether every answer of `fitted` is in `log`, whatever came besides: a count of the log would miss answers deleted
 * while as many others came.
 */
function isStillLogged(fitted: Map<number, Answer[]>, log: Map<number, Answer[]>): boolean {
  const keyOf = (answer: Answer) => `${answer.reviewedAt.getTime()}:${answer.correct}`;
  return [...fitted].every(([wordId, history]) => {
    const left = new Map<string, number>();
    for (const answer of log.get(wordId) ?? []) {
      left.set(keyOf(answer), (left.get(keyOf(answer)) ?? 0) + 1);
    }
    return history.every((answer) => {
      const count = left.get(keyOf(answer)) ?? 0;
      left.set(keyOf(answer), count - 1);
      return count > 0;
    });
  });
}

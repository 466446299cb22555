import type { FSRSBindingItem, ModelEvaluation } from '@open-spaced-repetition/binding';
import {
  type Card,
  createEmptyCard,
  dateDiffInDays,
  default_w,
  type FSRS,
  fsrs,
  generatorParameters,
  Rating,
  State,
  type StepUnit,
} from 'ts-fsrs';

/**
 * The only code that knows ts-fsrs (the FSRS-6 scheduler) and the FSRS optimizer: the rest of the portal
 * speaks of answers (right or wrong) and cards in its own terms.
 */

export const CARD_STATES = ['new', 'learning', 'review', 'relearning'] as const;
export type CardStateName = (typeof CARD_STATES)[number];

/** A card's state as stored: ts-fsrs's `State` numbers (0 new, 1 learning, 2 review, 3 relearning). */
export const REVIEW_STATE = State.Review;

/** What FSRS knows of a word's memory after its answers so far. */
export interface Memory {
  due: Date;
  stability: number;
  difficulty: number;
  elapsedDays: number;
  scheduledDays: number;
  learningSteps: number;
  reps: number;
  lapses: number;
  state: number;
  lastReview: Date;
}

export interface Answer {
  correct: boolean;
  reviewedAt: Date;
}

export interface SchedulerSettings {
  requestRetention: number;
  maximumIntervalDays: number;
  learningSteps: string[];
  enableFuzz: boolean;
  parameters: number[];
}

export const DEFAULT_PARAMETERS: readonly number[] = default_w;

// Right is Good and wrong is Again: the portal's answers have no Hard or Easy.
const ratingOf = (correct: boolean) => (correct ? Rating.Good : Rating.Again);

/**
 * ts-fsrs counts the days between two dates with Date.UTC, which takes a year below 100 for 19xx: a card and an
 * instant before the year 100 are given to it 400 years later (the Gregorian calendar repeats every 400 years, its
 * days and leap years alike), and what it answers is brought back. How far a card and an instant go: 0 for any other.
 */
const CALENDAR_CYCLE_MS = 146_097 * 24 * 60 * 60 * 1000;
const YEAR_100 = Date.parse('0100-01-01T00:00:00Z');
const cycleFor = (memory: Memory | null, instant: Date) =>
  instant.getTime() < YEAR_100 || (memory !== null && memory.lastReview.getTime() < YEAR_100) ? CALENDAR_CYCLE_MS : 0;
const moved = (date: Date, by: number) => (by === 0 ? date : new Date(date.getTime() + by));

function cardOf(memory: Memory, cycle = 0): Card {
  return {
    due: moved(memory.due, cycle),
    stability: memory.stability,
    difficulty: memory.difficulty,
    elapsed_days: memory.elapsedDays,
    scheduled_days: memory.scheduledDays,
    learning_steps: memory.learningSteps,
    reps: memory.reps,
    lapses: memory.lapses,
    state: memory.state,
    last_review: moved(memory.lastReview, cycle),
  };
}

function memoryOf(card: Card, reviewedAt: Date, cycle: number): Memory {
  return {
    due: moved(card.due, -cycle),
    stability: card.stability,
    difficulty: card.difficulty,
    elapsedDays: card.elapsed_days,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state,
    lastReview: card.last_review ? moved(card.last_review, -cycle) : reviewedAt,
  };
}

/** FSRS with one set of settings and parameters. */
export class Scheduler {
  private readonly fsrs: FSRS;
  /**
   * The same scheduler without fuzz, for previews: ts-fsrs seeds the fuzz with the instant of the answer, so a
   * fuzzed preview was a new draw at every request (a review card's "right" days apart from one read to the next).
   */
  private readonly unfuzzed: FSRS;

  constructor(settings: SchedulerSettings) {
    const parameters = generatorParameters({
      request_retention: settings.requestRetention,
      maximum_interval: settings.maximumIntervalDays,
      learning_steps: settings.learningSteps as StepUnit[],
      enable_fuzz: settings.enableFuzz,
      enable_short_term: true,
      w: settings.parameters,
    });
    this.fsrs = fsrs(parameters);
    this.unfuzzed = fsrs({ ...parameters, enable_fuzz: false });
  }

  /** The memory after one more answer; `memory` null for a word never answered. */
  answer(memory: Memory | null, answer: Answer): Memory {
    const cycle = cycleFor(memory, answer.reviewedAt);
    const reviewedAt = moved(answer.reviewedAt, cycle);
    const card = memory ? cardOf(memory, cycle) : createEmptyCard(reviewedAt);
    return memoryOf(this.fsrs.next(card, reviewedAt, ratingOf(answer.correct)).card, answer.reviewedAt, cycle);
  }

  /** The memory after each of a word's answers, given oldest first. */
  replay(answers: Answer[]): Memory[] {
    const memories: Memory[] = [];
    for (const answer of answers) {
      memories.push(this.answer(memories.at(-1) ?? null, answer));
    }
    return memories;
  }

  /** The probability (0–1) of recalling the word at `now`; 0 for a word never answered. */
  retrievability(memory: Memory | null, now: Date): number {
    const cycle = cycleFor(memory, now);
    return memory ? this.fsrs.get_retrievability(cardOf(memory, cycle), moved(now, cycle), false) : 0;
  }

  /** When the word would be due after a right and after a wrong answer at `now`, before fuzz. */
  preview(memory: Memory | null, now: Date): { right: Date; wrong: Date } {
    const cycle = cycleFor(memory, now);
    const card = memory ? cardOf(memory, cycle) : createEmptyCard(moved(now, cycle));
    const outcomes = this.unfuzzed.repeat(card, moved(now, cycle));
    return {
      right: moved(outcomes[Rating.Good].card.due, -cycle),
      wrong: moved(outcomes[Rating.Again].card.due, -cycle),
    };
  }
}

/** How well a set of parameters predicts a review log: lower is better. */
export interface Evaluation {
  log_loss: number;
  rmse: number;
}

export interface Fit {
  /** Null when the log is too short to fit: the optimizer would keep the defaults. */
  parameters: number[] | null;
  /** The reviews the fit learns from: those that follow an earlier day's review of the same word. */
  reviews: number;
  defaults: Evaluation | null;
  fitted: Evaluation | null;
}

/**
 * Below this many training reviews the portal does not ask the optimizer (fsrs-rs itself keeps the
 * defaults below a few dozen, how many depending on their spread).
 */
export const MINIMUM_TRAINING_REVIEWS = 64;

/** ts-fsrs's whole days from `last` to `current`, each moved as `cycleFor` moves an instant before the year 100. */
function daysBetween(last: Date, current: Date): number {
  const cycle = last.getTime() < YEAR_100 || current.getTime() < YEAR_100 ? CALENDAR_CYCLE_MS : 0;
  return dateDiffInDays(moved(last, cycle), moved(current, cycle));
}

type Optimizer = typeof import('@open-spaced-repetition/binding');

/**
 * The optimizer's training items: one per review after a word's first day, holding the word's reviews
 * up to it with the whole days between them (FSRS's long-term model counts days, not hours).
 */
function trainingItems(optimizer: Optimizer, histories: Answer[][]): FSRSBindingItem[] {
  const { FSRSBindingItem, FSRSBindingReview } = optimizer;
  const items: FSRSBindingItem[] = [];
  for (const history of histories) {
    const reviews = history.map(
      (answer, index) =>
        new FSRSBindingReview(
          ratingOf(answer.correct),
          index === 0 ? 0 : daysBetween(history[index - 1].reviewedAt, answer.reviewedAt),
        ),
    );
    for (let end = 2; end <= reviews.length; end += 1) {
      if (reviews[end - 1].deltaT > 0) {
        items.push(new FSRSBindingItem(reviews.slice(0, end)));
      }
    }
  }
  return items;
}

const evaluationOf = ({ logLoss, rmseBins }: ModelEvaluation): Evaluation => ({ log_loss: logLoss, rmse: rmseBins });

const isDefault = (parameters: number[]) =>
  parameters.every((value, index) => Math.abs(value - DEFAULT_PARAMETERS[index]) < 1e-6);

/** Fits the 21 parameters to words' histories (each oldest first) and evaluates both sets on them. */
export async function fitParameters(histories: Answer[][]): Promise<Fit> {
  // The optimizer, a native addon, is loaded by the first fit, not by every start of the server (~10 ms of it).
  const optimizer: Optimizer = await import('@open-spaced-repetition/binding');
  const { computeParameters, FSRSBinding } = optimizer;
  const items = trainingItems(optimizer, histories);
  const fitted =
    items.length < MINIMUM_TRAINING_REVIEWS ? null : await computeParameters(items, { enableShortTerm: true });
  if (!fitted || isDefault(fitted)) {
    return { parameters: null, reviews: items.length, defaults: null, fitted: null };
  }
  return {
    parameters: fitted,
    reviews: items.length,
    defaults: evaluationOf(new FSRSBinding([...DEFAULT_PARAMETERS]).evaluate(items)),
    fitted: evaluationOf(new FSRSBinding(fitted).evaluate(items)),
  };
}

import { EntityManager, raw } from '@mikro-orm/sql';
import { setImmediate } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import { chunksOf } from '../core/chunks.js';
import { asInteger, daysSince, instantOf, quarterHour } from '../database/dialect.js';
import { countOf } from '../database/tables.js';
import { type Answer, type Memory, REVIEW_STATE, type Scheduler } from '../scheduling/scheduler.js';
import { SchedulingService } from '../scheduling/scheduling.service.js';
import { WordsService } from '../words/words.service.js';
import { AnswerQuarterHour } from './answer-summary.entity.js';
import { Card } from './card.entity.js';
import { type RecordTables, ROWS_PER_INSERT } from './record-tables.js';
import { ReviewItem } from './review-item.entity.js';

/** A card as other modules see it: the word it schedules and FSRS's memory of it. */
export interface WordCard {
  wordId: number;
  memory: Memory;
}

/** A word's card, with the card after each of its answers. */
export interface CardHistory {
  memory: Memory | null;
  answers: (Answer & { id: number; after: Memory })[];
}

/** An answer of a bulk import (`ReviewsService.importHistory`): `reviewedAt` in epoch ms; `cardState` set by the replay. */
export interface ImportedAnswer {
  wordId: number;
  correct: boolean;
  reviewedAt: number;
  ankiRevlogId: number;
  cardState?: number;
}

/** How many stale cards are recomputed at a time: bounds the memory a full rebuild takes. */
const REBUILD_CHUNK = 500;
const NEW_STATE = 0;
const MASTERED_STABILITY_DAYS = 21;

/** A card as it is read and written without the entity: plain values. */
type StoredCard = Memory & { word: number; firstReview: Date; stale: boolean };

/** A card as read by Kysely, in either database's terms. */
const storedCardOf = (row: Selectable<RecordTables['cards']>): StoredCard => ({
  word: row.word_id,
  due: instantOf(row.due)!,
  stability: row.stability,
  difficulty: row.difficulty,
  elapsedDays: row.elapsed_days,
  scheduledDays: row.scheduled_days,
  learningSteps: row.learning_steps,
  reps: row.reps,
  lapses: row.lapses,
  state: row.state,
  lastReview: instantOf(row.last_review)!,
  firstReview: instantOf(row.first_review)!,
  stale: Boolean(row.stale),
});

// A copy, not the card: other modules and the scheduler get FSRS's fields alone, and cannot change the card.
const memoryOf = (card: Memory): Memory => ({
  due: card.due,
  stability: card.stability,
  difficulty: card.difficulty,
  elapsedDays: card.elapsedDays,
  scheduledDays: card.scheduledDays,
  learningSteps: card.learningSteps,
  reps: card.reps,
  lapses: card.lapses,
  state: card.state,
  lastReview: card.lastReview,
});

/**
 * FSRS cards: one per answered word, each a function of the word's review log. An answer moves its
 * word's card in the transaction that records it; an answer older than the card's last review, a
 * deleted answer (the database marks the card stale) or new settings make it recomputed from the log.
 */
@Injectable()
export class CardsService {
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly scheduling: SchedulingService,
    private readonly words: WordsService,
  ) {}

  /**
   * How new answers move their words' cards, read before the answers are written (in the caller's transaction,
   * their words locked): each answer's card state, written with it rather than updated after, and `write`, which
   * moves the cards once the answers are in the log.
   */
  async follow(
    answers: (Answer & { wordId: number })[],
  ): Promise<{ states: (number | null)[]; write: () => Promise<void> }> {
    const inTimeOrder = answers.map((_, index) => index);
    inTimeOrder.sort((a, b) => answers[a].reviewedAt.getTime() - answers[b].reviewedAt.getTime() || a - b);
    const answersByWord = Map.groupBy(inTimeOrder, (index) => answers[index].wordId);
    // Plain rows in, one upsert out: no entity and no unit of work on the path of every answer.
    const rows = await this.em
      .getKysely<RecordTables>()
      .selectFrom('cards')
      .selectAll()
      .where('word_id', 'in', [...answersByWord.keys()])
      .execute();
    const cards = new Map(rows.map((row) => [row.word_id, storedCardOf(row)]));
    const scheduler = await this.scheduling.scheduler();
    // A late answer's word is recomputed from the log once the answer is in it, its card state with it.
    const states: (number | null)[] = answers.map(() => null);
    const late: number[] = [];
    const moved: StoredCard[] = [];
    for (const [wordId, indexes] of answersByWord) {
      const card = cards.get(wordId);
      if (card && (card.stale || answers[indexes[0]].reviewedAt < card.lastReview)) {
        late.push(wordId);
        continue;
      }
      let memory = card ? memoryOf(card) : null;
      for (const index of indexes) {
        states[index] = memory?.state ?? NEW_STATE;
        memory = scheduler.answer(memory, answers[index]);
      }
      // A new card's first review: the upsert keeps a stored card's.
      moved.push({ word: wordId, ...memory!, firstReview: answers[indexes[0]].reviewedAt, stale: false });
    }
    const write = async () => {
      for (const cards of chunksOf(moved, ROWS_PER_INSERT)) {
        await this.em
          .getKysely<RecordTables>()
          .insertInto('cards')
          .values(
            cards.map((card) => ({
              word_id: card.word,
              due: card.due,
              stability: card.stability,
              difficulty: card.difficulty,
              elapsed_days: card.elapsedDays,
              scheduled_days: card.scheduledDays,
              learning_steps: card.learningSteps,
              reps: card.reps,
              lapses: card.lapses,
              state: card.state,
              last_review: card.lastReview,
              first_review: card.firstReview,
              stale: card.stale,
            })),
          )
          // The card's memory moves; its first review stays.
          .onConflict((conflict) =>
            conflict.column('word_id').doUpdateSet((excluded) => ({
              due: excluded.ref('excluded.due'),
              stability: excluded.ref('excluded.stability'),
              difficulty: excluded.ref('excluded.difficulty'),
              elapsed_days: excluded.ref('excluded.elapsed_days'),
              scheduled_days: excluded.ref('excluded.scheduled_days'),
              learning_steps: excluded.ref('excluded.learning_steps'),
              reps: excluded.ref('excluded.reps'),
              lapses: excluded.ref('excluded.lapses'),
              state: excluded.ref('excluded.state'),
              last_review: excluded.ref('excluded.last_review'),
            })),
          )
          .execute();
      }
      await this.recompute(late, scheduler);
    };
    return { states, write };
  }

  /**
   * The cards as plain rows, for the checks and counts every card read makes: MikroORM's `find` and `count` built
   * their query anew each time (with the queue's page from the due index, its CPU 8.2-9.3 -> 6.5-6.8 ms).
   */
  private cardRows() {
    return this.em.getKysely<RecordTables>().selectFrom('cards');
  }

  /**
   * Recomputes every stale card from the log, a chunk of words per transaction. Reads outside a transaction share one
   * run in this process, begun after they asked: each running its own recomputed the same cards again (three clients
   * reading the dashboard during a rebuild of the large portal's cards made it take 73 s instead of 42).
   */
  async refreshStale(): Promise<void> {
    // A transaction runs its own: the shared run may wait for the connection it holds (SQLite's only one).
    if (this.em.isInTransaction()) {
      return this.recomputeStale();
    }
    // A run under way may have looked for stale cards before this call: the next one is joined.
    await this.refreshing?.catch(() => undefined);
    this.refreshing ??= this.recomputeStale().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async recomputeStale(): Promise<void> {
    for (;;) {
      const stale = await this.cardRows().select('word_id').where('stale', '=', true).limit(REBUILD_CHUNK).execute();
      if (stale.length === 0) {
        return;
      }
      // Every card read checks for stale cards: the scheduler is loaded only when there are some, by `recompute` once it
      // holds their words, after any adoption of parameters (which locks every word) has committed.
      await this.em.transactional(() => this.recompute(stale.map((card) => card.word_id)));
      this.em.clear();
      // Requests waiting for SQLite's one connection go before the next chunk, which would otherwise take it again at
      // once: during a rebuild of the large portal's cards a GET /words/:id waited 48 s for all of them.
      await setImmediate();
    }
  }

  /**
   * Marks every card to be recomputed from the log, as after new settings or parameters, in the caller's transaction;
   * `refreshStale` recomputes them once it is committed (and every read of cards before it reads).
   */
  async staleAll(): Promise<void> {
    // Every word before every card, as a reset and a forced group delete take them: an answer or a delete holding
    // a word would otherwise wait for a card this holds, while this waits for the word (a deadlock on PostgreSQL).
    await this.words.lockAll();
    await this.em.nativeUpdate(Card, {}, { stale: true });
  }

  /** The words' cards and their log rows' card states computed anew from the log, in the caller's transaction. */
  private async recompute(wordIds: number[], scheduler?: Scheduler): Promise<void> {
    if (wordIds.length === 0) {
      return;
    }
    // An answer to one of the words waits for this transaction, or this one for it and then reads its answer
    // in the log: on PostgreSQL two of these, or one and an answer, would otherwise write cards from different logs.
    await this.words.lock(wordIds);
    // Loaded before the lock, parameters adopted meanwhile (their cards marked stale) would be missed: the cards
    // written here, no longer stale, would keep the parameters they replaced.
    scheduler ??= await this.scheduling.scheduler();
    // Plain rows, and only the changed states written, not every answer as an entity hydrated and compared at a flush:
    // `srs:rebuild` of 212,000 answers 15.2 -> 6.0 s, peak RSS 653 -> 339 MB.
    const rows = await this.em
      .getKysely<RecordTables>()
      .selectFrom('words_review_items')
      .select(['id', 'word_id', 'correct', 'reviewed_at', 'card_state'])
      .where('word_id', 'in', wordIds)
      .orderBy('word_id')
      .orderBy('reviewed_at')
      .orderBy('id')
      .execute();
    const cards: StoredCard[] = [];
    const changedStates = new Map<number, number[]>();
    for (const [wordId, history] of Map.groupBy(rows, (row) => row.word_id)) {
      let memory: Memory | null = null;
      for (const row of history) {
        const state = memory?.state ?? NEW_STATE;
        if (row.card_state !== state) {
          const ids = changedStates.get(state) ?? [];
          ids.push(row.id);
          changedStates.set(state, ids);
        }
        memory = scheduler.answer(memory, { correct: Boolean(row.correct), reviewedAt: instantOf(row.reviewed_at)! });
      }
      cards.push({ word: wordId, ...memory!, firstReview: instantOf(history[0].reviewed_at)!, stale: false });
    }
    await this.writeStates(changedStates);
    await this.em.nativeDelete(Card, { word: { $in: wordIds } });
    if (cards.length > 0) {
      await this.em.insertMany(Card, cards);
    }
  }

  /** Sets answers' card states, by state: a statement per state and chunk of answers, not one per answer. */
  private async writeStates(idsByState: Map<number, number[]>): Promise<void> {
    for (const [cardState, ids] of idsByState) {
      for (const chunk of chunksOf(ids, ROWS_PER_INSERT)) {
        await this.em
          .getKysely<RecordTables>()
          .updateTable('words_review_items')
          .set({ card_state: cardState })
          .where('id', 'in', chunk)
          .execute();
      }
    }
  }

  /**
   * Cards of the words a bulk of imported answers is about, replayed over each word's whole log (its stored
   * answers and these, oldest first), in the caller's transaction. Sets each new answer's `cardState`, and
   * returns `write`, which stores the cards and the changed states of stored answers once the new ones are written.
   */
  async replayImported(answers: ImportedAnswer[]): Promise<{ words: number; write: () => Promise<void> }> {
    const scheduler = await this.scheduling.scheduler();
    const byWord = Map.groupBy(answers, (answer) => answer.wordId);
    const wordIds = [...byWord.keys()];
    const cards: StoredCard[] = [];
    const changedStates = new Map<number, number[]>();
    for (const chunk of chunksOf(wordIds, REBUILD_CHUNK)) {
      const stored = await this.em
        .createQueryBuilder(ReviewItem, 'r')
        .select(['id', 'word', 'correct', 'reviewedAt', 'cardState'])
        .where({ word: { $in: chunk } })
        .execute<
          {
            id: number;
            word_id: number;
            correct: number | boolean;
            reviewed_at: number | string;
            card_state: number | null;
          }[]
        >('all', false);
      const storedByWord = Map.groupBy(stored, (row) => row.word_id);
      for (const wordId of chunk) {
        // Stored answers before new ones at the same instant: they have the smaller ids.
        const log: {
          at: number;
          order: number;
          correct: boolean;
          stored?: (typeof stored)[number];
          answer?: ImportedAnswer;
        }[] = [
          ...(storedByWord.get(wordId) ?? []).map((row) => ({
            at: instantOf(row.reviewed_at)!.getTime(),
            order: row.id,
            correct: Boolean(row.correct),
            stored: row,
          })),
          ...byWord.get(wordId)!.map((answer, index) => ({
            at: answer.reviewedAt,
            order: Number.MAX_SAFE_INTEGER - byWord.get(wordId)!.length + index,
            correct: answer.correct,
            answer,
          })),
        ].sort((a, b) => a.at - b.at || a.order - b.order);
        let memory: Memory | null = null;
        for (const entry of log) {
          const state = memory?.state ?? NEW_STATE;
          if (entry.answer) {
            entry.answer.cardState = state;
          } else if (entry.stored!.card_state !== state) {
            const ids = changedStates.get(state) ?? [];
            ids.push(entry.stored!.id);
            changedStates.set(state, ids);
          }
          memory = scheduler.answer(memory, { correct: entry.correct, reviewedAt: new Date(entry.at) });
        }
        cards.push({ word: wordId, ...memory!, firstReview: new Date(log[0].at), stale: false });
      }
    }
    return {
      words: cards.length,
      write: async () => {
        await this.writeStates(changedStates);
        for (const chunk of chunksOf(cards, REBUILD_CHUNK)) {
          await this.em.nativeDelete(Card, { word: { $in: chunk.map((card) => card.word) } });
          await this.em.insertMany(Card, chunk);
        }
      },
    };
  }

  /** The card of a word (null before its first answer) and the card after each of its answers. */
  async history(wordId: number): Promise<CardHistory> {
    await this.refreshStale();
    const rows = await this.em.find(ReviewItem, { word: wordId }, { orderBy: [{ reviewedAt: 'asc' }, { id: 'asc' }] });
    const scheduler = await this.scheduling.scheduler();
    const memories = scheduler.replay(rows);
    return {
      memory: memories.at(-1) ?? null,
      answers: rows.map((row, index) => ({
        id: row.id,
        correct: row.correct,
        reviewedAt: row.reviewedAt,
        after: memories[index],
      })),
    };
  }

  /** What each answer would make the card due at, and its recall probability now. */
  async outlook(memory: Memory | null, now: Date): Promise<{ right: Date; wrong: Date; retrievability: number }> {
    const scheduler = await this.scheduling.scheduler();
    return { ...scheduler.preview(memory, now), retrievability: scheduler.retrievability(memory, now) };
  }

  /**
   * Cards due at `now`, least likely to be recalled first (ties: longest due, then word id), of some words if
   * given (a subquery of word ids). Recall falls as the whole days since the last review grow against the
   * stability, so that ratio orders them in SQL exactly as FSRS's retrievability would.
   */
  async due(
    now: Date,
    limit: number,
    among?: SelectQueryBuilder<object, never, { word_id: number }>,
  ): Promise<(WordCard & { retrievability: number })[]> {
    await this.refreshStale();
    const cards = this.em.getKysely<RecordTables>().selectFrom('cards as c');
    // The instant is bound, not written into the text: one compiled statement serves every request.
    const byRecall = <Row>(query: SelectQueryBuilder<RecordTables & { c: RecordTables['cards'] }, 'c', Row>) =>
      query
        .orderBy(sql`${daysSince('c.last_review', now)} / c.stability`, 'desc')
        .orderBy('c.due')
        .orderBy('c.word_id');
    const due = cards.where('c.due', '<=', now).select('c.word_id');
    // The page's ids first, from the due index (which holds them on SQLite, word_id being the rowid), then only its
    // cards: read in one statement, SQLite's planner scanned the whole table at a limit of 20 (5.7-6.1 -> 4.2-4.4 ms).
    const page = byRecall(among ? due.where('c.word_id', 'in', among) : due).limit(limit);
    const rows = await byRecall(cards.selectAll('c').where('c.word_id', 'in', page)).execute();
    const scheduler = await this.scheduling.scheduler();
    return rows.map((row) => {
      const memory = memoryOf(storedCardOf(row));
      return { wordId: row.word_id, memory, retrievability: scheduler.retrievability(memory, now) };
    });
  }

  /** How many words were answered for the first time since `since`. */
  introducedSince(since: Date): Promise<number> {
    return countOf(this.cardRows().where('first_review', '>=', since));
  }

  /** How many cards are due before `end` (overdue ones included). */
  async dueBefore(end: Date): Promise<number> {
    await this.refreshStale();
    return countOf(this.cardRows().where('due', '<', end));
  }

  /** How many cards are due before each of the instants, given in ascending order (overdue ones included). */
  async dueBeforeEach(ends: Date[]): Promise<number[]> {
    await this.refreshStale();
    // Each span between two instants counted in the due index, all in one statement: no card of the window
    // (~59,000 of a large portal's 30 days) is read into JavaScript.
    const table = this.em.getMetadata(Card).tableName;
    const spans = ends.map(
      (_, index) =>
        `(select count(*) from ${table} where ${index === 0 ? '' : 'due >= ? and '}due < ?) as span${index}`,
    );
    const [counts] = await this.em.execute<Record<string, number>[]>(
      `select ${spans.join(', ')}`,
      ends.flatMap((end, index) => (index === 0 ? [end] : [ends[index - 1], end])),
    );
    let due = 0;
    return ends.map((_, index) => (due += counts[`span${index}`]));
  }

  /** Cards in review state whose stability is three weeks or more. */
  async masteredCount(): Promise<number> {
    await this.refreshStale();
    return countOf(this.cardRows().where('state', '=', REVIEW_STATE).where('stability', '>=', MASTERED_STABILITY_DAYS));
  }

  /**
   * Answers given to cards in review state since each of the instants: FSRS's true retention. Whole
   * quarter hours come from their summary rows, the part of a quarter hour before them from the log.
   */
  async retention(since: Date[]): Promise<{ reviews: number; correct: number }[]> {
    await this.refreshStale();
    return Promise.all(
      since.map(async (start) => {
        const firstWhole = Math.ceil(start.getTime() / quarterHour.start(1).getTime());
        const whole = await this.em
          .createQueryBuilder(AnswerQuarterHour, 'q')
          .select([
            raw('coalesce(sum(q.review_answers), 0) as reviews'),
            raw('coalesce(sum(q.review_correct), 0) as correct'),
          ])
          .where({ quarter: { $gte: firstWhole } })
          .execute<{ reviews: number; correct: number }>('get', false);
        const edge = await this.em
          .createQueryBuilder(ReviewItem, 'r')
          .select([raw('count(r.id) as reviews'), raw(`coalesce(sum(${asInteger('r.correct')}), 0) as correct`)])
          .where({ cardState: REVIEW_STATE, reviewedAt: { $gte: start, $lt: quarterHour.start(firstWhole) } })
          .execute<{ reviews: number; correct: number }>('get', false);
        return { reviews: whole.reviews + edge.reviews, correct: whole.correct + edge.correct };
      }),
    );
  }

  /**
   * The most recently answered words whose answers, all of each word's (FSRS follows a word from its first answer),
   * come to at most `maxAnswers`: what the optimizer learns from. A card's reps count its word's answers.
   */
  async recentlyAnsweredWords(maxAnswers: number): Promise<number[]> {
    // A stale card's reps and last review still count the answers deleted since.
    await this.refreshStale();
    const cards = await this.cardRows()
      .select(['word_id', 'reps'])
      .orderBy('last_review', 'desc')
      .orderBy('word_id', 'desc')
      .execute();
    const wordIds: number[] = [];
    let answers = 0;
    for (const card of cards) {
      if (answers + card.reps <= maxAnswers) {
        wordIds.push(card.word_id);
        answers += card.reps;
      }
    }
    return wordIds;
  }

  /** These words' answers, oldest first, by word id. */
  async histories(wordIds: number[]): Promise<Map<number, Answer[]>> {
    const histories = new Map<number, Answer[]>();
    for (const chunk of chunksOf(wordIds, REBUILD_CHUNK)) {
      const rows = await this.em
        .getKysely<RecordTables>()
        .selectFrom('words_review_items')
        .select(['word_id', 'correct', 'reviewed_at'])
        .where('word_id', 'in', chunk)
        .orderBy('word_id')
        .orderBy('reviewed_at')
        .orderBy('id')
        .execute();
      for (const [wordId, history] of Map.groupBy(rows, (row) => row.word_id)) {
        histories.set(
          wordId,
          history.map((row) => ({ correct: Boolean(row.correct), reviewedAt: instantOf(row.reviewed_at)! })),
        );
      }
    }
    return histories;
  }

  /** Forgets every card (the answers they came from are being forgotten). */
  async clear(): Promise<void> {
    await this.em.nativeDelete(Card, {});
  }
}

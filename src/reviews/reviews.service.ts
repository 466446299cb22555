import { EntityManager } from '@mikro-orm/sql';
import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { sql } from 'kysely';
import { asInteger, danglingReferences, dialect, instantOf, quarterHour } from '../database/dialect.js';
import { countOf } from '../database/tables.js';
import { chunksOf } from '../core/chunks.js';
import { millisecondAtOrAfter } from '../core/calendar.js';
import { offsetOf, type Order, type OrderKey, page, type Page, type PaginationQueryDto } from '../core/pagination.js';
import { WordsService } from '../words/words.service.js';
import type {
  AnswerDto,
  AnswerRecordedDto,
  AnswersRecordedDto,
  ListReviewsQueryDto,
  ReviewDto,
} from './dto/review.dto.js';
import { AnswerQuarterHour, AnswerTotals } from './answer-summary.entity.js';
import { CardsService, type ImportedAnswer } from './cards.service.js';
import { IdempotencyService } from './idempotency.service.js';
import { type RecordTables, ROWS_PER_INSERT } from './record-tables.js';
import { COUNTERS_WITHOUT_ANSWERS, ReviewItem } from './review-item.entity.js';
import { StudyActivity } from './study-activity.entity.js';

/** The study session answers were given in (they may not be older than it), and its group. */
export interface AnswerSession {
  id: number;
  groupId: number;
  startedAt: Date;
  /** Why the session takes no such answer (its word is none, or not of its group), checked with the others in order. */
  refuses?: (answer: WordAnswer) => string | undefined;
}

/** The instants from `start` up to, not including, `end`. */
export interface Span {
  start: Date;
  end: Date;
}

/** An answer about a word, as a batch carries it. */
export type WordAnswer = AnswerDto & { word_id: number };

/** Imported answers written per statement. */
const IMPORT_CHUNK = 500;

/** The log's answers given from `since` to `until`, both included, either open. */
const answersIn = (em: EntityManager, since?: Date, until?: Date) =>
  em
    .getKysely<RecordTables>()
    .selectFrom('words_review_items as r')
    .$if(since !== undefined, (answers) => answers.where('r.reviewed_at', '>=', since!))
    .$if(until !== undefined, (answers) => answers.where('r.reviewed_at', '<=', until!));

/** What makes two answers the same request for `Idempotency-Key`: one instant written two ways is one. */
function fingerprintOf(answer: AnswerDto): object {
  return { correct: answer.correct, reviewedAt: answer.reviewed_at && new Date(answer.reviewed_at).toISOString() };
}

/** SQL for the aggregates of a set of answers, the review log being `r` in the query. */
const ANSWER_AGGREGATES = {
  correct: `coalesce(sum(${asInteger('r.correct')}), 0)`,
  total: 'count(r.id)',
};

// How the words of a session sort by their answers there; unsorted, in the order first answered: by reviewed_at, when
// the answer was given, which an app that was offline sends after answers given later.
const SESSION_WORD_ORDER = {
  first_answered: 'min(r.reviewed_at)',
  session_correct_count: ANSWER_AGGREGATES.correct,
  session_wrong_count: `${ANSWER_AGGREGATES.total} - ${ANSWER_AGGREGATES.correct}`,
};
export type SessionWordSort = Exclude<keyof typeof SESSION_WORD_ORDER, 'first_answered'>;

/**
 * The learning record: every answer (the review log, and each session's study activities), recorded
 * here only, and the aggregates other modules read from it. Word counters follow the log in the
 * database.
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly em: EntityManager,
    private readonly idempotency: IdempotencyService,
    private readonly cards: CardsService,
    private readonly words: WordsService,
  ) {}

  /** `POST /reviews`: an answer given outside any session. */
  recordOutsideSession(wordId: number, answer: AnswerDto, idempotencyKey?: string): Promise<AnswerRecordedDto> {
    return this.record('POST /reviews', idempotencyKey, { wordId }, { ...answer, word_id: wordId }, async () => null);
  }

  /** `POST /reviews/batch`: answers given outside any session, all recorded or none. */
  recordBatchOutsideSession(answers: WordAnswer[], idempotencyKey?: string): Promise<AnswersRecordedDto> {
    return this.recordBatch('POST /reviews/batch', idempotencyKey, {}, answers, async () => null);
  }

  /**
   * Records one answer in one transaction, honouring `Idempotency-Key`. `session` runs in that transaction (once
   * the key is claimed and the word locked) and names the session the answer belongs to (checking it), or throws.
   */
  record(
    endpoint: string,
    idempotencyKey: string | undefined,
    request: object,
    answer: WordAnswer,
    session: () => Promise<AnswerSession | null>,
  ): Promise<AnswerRecordedDto> {
    return this.idempotency.run(endpoint, idempotencyKey, { ...request, ...fingerprintOf(answer) }, async () => {
      const [recorded] = await this.write(session, [answer], (message) => message);
      return recorded;
    });
  }

  /**
   * Records answers in one transaction, all or none, honouring `Idempotency-Key`: the cost of a batch is a
   * few statements, not one round of them per answer. `session` runs in that transaction (once the key is
   * claimed and the words locked) and names the session the answers belong to (checking them), or throws.
   */
  recordBatch(
    endpoint: string,
    idempotencyKey: string | undefined,
    request: object,
    answers: WordAnswer[],
    session: () => Promise<AnswerSession | null>,
  ): Promise<AnswersRecordedDto> {
    const fingerprint = {
      ...request,
      answers: answers.map((answer) => ({ wordId: answer.word_id, ...fingerprintOf(answer) })),
    };
    return this.idempotency.run(endpoint, idempotencyKey, fingerprint, async () => ({
      answers: await this.write(session, answers, (message, index) => `answers[${index}]: ${message}`),
    }));
  }

  /**
   * Writes answers in the caller's transaction, once `checked` has named their session: their study activities,
   * review log rows and the words' cards, and, by the database, counters.
   */
  private async write(
    checked: () => Promise<AnswerSession | null>,
    answers: WordAnswer[],
    about: (message: string, index: number) => string,
  ): Promise<AnswerRecordedDto[]> {
    // The words first, in id order, before what the answers refer to is checked. The answers' triggers would lock
    // them one by one in answer order, and concurrent batches answering the same words in other orders would wait
    // for each other; every delete that reaches answers (a word's, a group's, a reset) takes them first too, so
    // none waits for an answer while holding what that answer waits for (PostgreSQL ends one of them as a
    // deadlock), and what the checks find stays until the commit (a forced delete between them made a 500).
    await this.words.lock(answers.map((answer) => answer.word_id).filter((id) => id <= dialect.largestId));
    const session = await checked();
    // The first answer refused, in the order given, is the one a 422 names.
    const recorded = answers.map((answer, index) => {
      const refused = session?.refuses?.(answer);
      if (refused) {
        throw new UnprocessableEntityException(about(refused, index));
      }
      const reviewedAt = answer.reviewed_at ? new Date(answer.reviewed_at) : new Date();
      if (session && reviewedAt < session.startedAt) {
        throw new UnprocessableEntityException(
          about(
            `reviewed_at ${reviewedAt.toISOString()} is before study session ${session.id} started (${session.startedAt.toISOString()})`,
            index,
          ),
        );
      }
      // An id beyond the id column's range refers to no word, and the column could not hold it to say so.
      if (answer.word_id > dialect.largestId) {
        throw new UnprocessableEntityException(
          about(`word_id refers to a word that does not exist: ${answer.word_id}`, index),
        );
      }
      return { wordId: answer.word_id, correct: answer.correct, reviewedAt };
    });
    const cards = await this.cards.follow(recorded);
    // Inserted as plain rows, outside the unit of work: nothing reads them back as entities.
    const insert = async () => {
      const record = this.em.getKysely<RecordTables>();
      const createdAt = new Date();
      if (session) {
        const activities = recorded.map(({ wordId, correct }) => ({
          session_id: session.id,
          word_id: wordId,
          correct,
          created_at: createdAt,
        }));
        for (const rows of chunksOf(activities, ROWS_PER_INSERT)) {
          await record.insertInto('study_activities').values(rows).execute();
        }
      }
      const answers = recorded.map(({ wordId, correct, reviewedAt }, index) => ({
        word_id: wordId,
        study_session_id: session?.id ?? null,
        group_id: session?.groupId ?? null,
        correct,
        reviewed_at: reviewedAt,
        card_state: cards.states[index],
        created_at: createdAt,
      }));
      // Every row's id: where the words' keys are deferred, `danglingReferences` checks the rows written.
      const ids: number[] = [];
      for (const rows of chunksOf(answers, ROWS_PER_INSERT)) {
        const inserted = await record.insertInto('words_review_items').values(rows).returning('id').execute();
        ids.push(...inserted.map((row) => row.id));
      }
      return ids;
    };
    // The study session checked its answers' words already; the others are checked by the foreign key, once the
    // rows are written (no word can go between a look-up and the write), so that the refusal names them.
    let dangling: number[] = [];
    if (session) {
      await insert();
    } else {
      dangling = await danglingReferences(
        this.em,
        ReviewItem,
        'word',
        recorded.map((answer) => answer.wordId),
        insert,
      );
    }
    if (dangling.length > 0) {
      const index = recorded.findIndex((answer) => answer.wordId === dangling[0]);
      throw new UnprocessableEntityException(
        about(`word_id refers to a word that does not exist: ${dangling[0]}`, index),
      );
    }
    await cards.write();
    return recorded.map(({ wordId, correct, reviewedAt }) => ({
      success: true,
      word_id: wordId,
      study_session_id: session?.id ?? null,
      correct,
      created_at: reviewedAt.toISOString(),
    }));
  }

  /**
   * Imported history (an Anki review log), in the caller's transaction: answers whose revlog id is stored
   * already are left out; the others are written in chunks, their words' cards replayed once over each
   * whole log. Counters and summaries follow by the database, as for any answer.
   */
  async importHistory(
    answers: ImportedAnswer[],
    dryRun: boolean,
  ): Promise<{ imported: number; known: number; cards: number }> {
    // The revlog ids stored already, in one pass over the unique index: ids are review times, a narrow range.
    let [min, max] = [Infinity, -Infinity];
    for (const answer of answers) {
      min = Math.min(min, answer.ankiRevlogId);
      max = Math.max(max, answer.ankiRevlogId);
    }
    const known = new Set<number>();
    if (answers.length > 0) {
      const rows = await this.em
        .createQueryBuilder(ReviewItem, 'r')
        .select(['ankiRevlogId'])
        .where({ ankiRevlogId: { $gte: min, $lte: max } })
        .execute<{ anki_revlog_id: number }[]>('all', false);
      for (const row of rows) {
        known.add(Number(row.anki_revlog_id));
      }
    }
    const seen = new Set<number>();
    const fresh = answers
      .filter(
        (answer) => !known.has(answer.ankiRevlogId) && !seen.has(answer.ankiRevlogId) && seen.add(answer.ankiRevlogId),
      )
      .sort((a, b) => a.reviewedAt - b.reviewedAt || a.ankiRevlogId - b.ankiRevlogId);
    if (dryRun || fresh.length === 0) {
      return {
        imported: fresh.length,
        known: answers.length - fresh.length,
        cards: new Set(fresh.map((a) => a.wordId)).size,
      };
    }
    const cards = await this.cards.replayImported(fresh);
    const createdAt = new Date();
    // Word by word, each word's in time order: a statement's answers update each of their words' rows once (on
    // PostgreSQL a new entry in each of its 20 indexes), and a word's answers fall in one or two statements, not in as
    // many as the reviews it has (an Anki package of 4,000 notes and 100,000 reviews on PostgreSQL: 16 -> 6.9 s).
    const byWord = fresh.toSorted((a, b) => a.wordId - b.wordId);
    for (const chunk of chunksOf(byWord, IMPORT_CHUNK)) {
      await this.em.insertMany(
        ReviewItem,
        chunk.map((answer) => ({
          word: answer.wordId,
          studySession: null,
          correct: answer.correct,
          reviewedAt: new Date(answer.reviewedAt),
          cardState: answer.cardState,
          ankiRevlogId: answer.ankiRevlogId,
          createdAt,
        })),
      );
    }
    await cards.write();
    return { imported: fresh.length, known: answers.length - fresh.length, cards: cards.words };
  }

  /** Newest first, ties by id descending. */
  async list(query: ListReviewsQueryDto): Promise<Page<ReviewDto>> {
    const since = query.since === undefined ? undefined : millisecondAtOrAfter(query.since);
    const until = query.until === undefined ? undefined : new Date(query.until);
    const answers = answersIn(this.em, since, until)
      .$if(query.word_id !== undefined, (answers) => answers.where('r.word_id', '=', query.word_id!))
      .$if(query.correct !== undefined, (answers) => answers.where('r.correct', '=', query.correct!));
    // The page's ids first, from the log's index in time order: without `word_id`, the answers a page skips are not
    // read (page 2,000 of the wrong answers: SQLite 4.8 -> 3.6 ms, the statement; PostgreSQL, vacuumed, 0.9 s ->
    // 21 ms over HTTP). Then its answers as plain rows, not entities: the log's hottest read.
    const ids = answers
      .select('r.id')
      .orderBy('r.reviewed_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(query.per_page)
      .offset(offsetOf(query));
    const onPage = answersIn(this.em)
      .select(['r.id', 'r.word_id', 'r.correct', 'r.reviewed_at', 'r.study_session_id'])
      .where('r.id', 'in', ids)
      .as('p');
    const rows = await this.words.textsOf(onPage).orderBy('p.reviewed_at', 'desc').orderBy('p.id', 'desc').execute();
    const total = await this.sizeOf(query, answers, since, until);
    const items = rows.map((row) => ({
      id: row.id,
      word_id: row.word_id,
      thai: row.thai,
      english: row.english,
      correct: Boolean(row.correct),
      reviewed_at: instantOf(row.reviewed_at)!.toISOString(),
      study_session_id: row.study_session_id,
    }));
    return page(items, total, query);
  }

  /**
   * How many answers of the log the filters of a page keep. The size of the log, and of its right or wrong answers,
   * are the totals row (counting the 400,000 wrong answers of the large portal took 56–60 ms a request); a span of
   * time is summed up mostly from the quarter hours'; a word's answers, or the right or wrong ones of a span, are
   * counted.
   */
  private async sizeOf(
    query: ListReviewsQueryDto,
    answers: ReturnType<typeof answersIn>,
    since?: Date,
    until?: Date,
  ): Promise<number> {
    const spanned = since !== undefined || until !== undefined;
    if (query.word_id !== undefined || (query.correct !== undefined && spanned)) {
      return countOf(answers);
    }
    if (spanned) {
      return this.sizeOfSpan(since, until);
    }
    const { reviews, correct } = await this.totals();
    return query.correct === undefined ? reviews : query.correct ? correct : reviews - correct;
  }

  /**
   * How many answers were given from `since` to `until` (both included, either open): the quarter hours wholly
   * within the span from their summary rows, the rest of the span, less than a quarter hour at either end, from
   * the log. A year of the large portal's log is ~1,000,000 answers, which took 26 ms to count.
   */
  private async sizeOfSpan(since?: Date, until?: Date): Promise<number> {
    const quarterMs = quarterHour.start(1).getTime();
    const first = since && Math.ceil(since.getTime() / quarterMs);
    const end = until && Math.floor(until.getTime() / quarterMs);
    if (first !== undefined && end !== undefined && first >= end) {
      return countOf(answersIn(this.em, since, until));
    }
    const whole = await this.em
      .getKysely<RecordTables>()
      .selectFrom('answer_quarter_hours')
      .select((quarters) => quarters.fn.sum<number | null>('answers').as('answers'))
      .$if(first !== undefined, (quarters) => quarters.where('quarter', '>=', first!))
      .$if(end !== undefined, (quarters) => quarters.where('quarter', '<', end!))
      .executeTakeFirstOrThrow();
    const before =
      first === undefined
        ? 0
        : await countOf(answersIn(this.em, since).where('r.reviewed_at', '<', quarterHour.start(first)));
    const after = end === undefined ? 0 : await countOf(answersIn(this.em, quarterHour.start(end), until));
    return (whole.answers ?? 0) + before + after;
  }

  /**
   * One page of the words answered in a session, with their counts there: in the order first answered, by those
   * counts, or by the keys of another order that name the word as `r.word_id` (the words module's, which reads
   * its own table).
   */
  async sessionWords(
    sessionId: number,
    query: PaginationQueryDto & { order: Order },
    by?: SessionWordSort | ((wordId: 'r.word_id') => OrderKey[]),
  ): Promise<{ total: number; words: { wordId: number; correct: number; wrong: number }[] }> {
    const answers = this.em
      .getKysely<RecordTables>()
      .selectFrom('words_review_items as r')
      .where('r.study_session_id', '=', sessionId);
    const { total } = await answers
      .select(sql<number>`count(distinct r.word_id)`.as('total'))
      .executeTakeFirstOrThrow();
    const keys: OrderKey[] =
      typeof by === 'function'
        ? by('r.word_id')
        : [
            [sql.raw(SESSION_WORD_ORDER[by ?? 'first_answered']), query.order],
            [sql.ref('r.word_id'), 'asc'],
          ];
    const rows = await keys
      .reduce(
        (sorted, [key, direction]) => sorted.orderBy(key, direction),
        answers
          .select([
            'r.word_id',
            sql.raw<number>(ANSWER_AGGREGATES.correct).as('correct'),
            sql.raw<number>(ANSWER_AGGREGATES.total).as('answers'),
          ])
          .groupBy('r.word_id'),
      )
      .limit(query.per_page)
      .offset(offsetOf(query))
      .execute();
    return {
      total: Number(total),
      words: rows.map((row) => ({
        wordId: row.word_id,
        correct: Number(row.correct),
        wrong: Number(row.answers) - Number(row.correct),
      })),
    };
  }

  count(): Promise<number> {
    return this.em.count(ReviewItem, {});
  }

  /** Totals over the whole log: a summary row. */
  async totals(): Promise<{ correct: number; reviews: number; studiedWords: number }> {
    const summary = await this.em
      .getKysely<RecordTables>()
      .selectFrom('answer_totals')
      .select(['answers', 'correct', 'studied_words as studiedWords'])
      .where('id', '=', 1)
      .executeTakeFirst();
    return {
      correct: summary?.correct ?? 0,
      reviews: summary?.answers ?? 0,
      studiedWords: summary?.studiedWords ?? 0,
    };
  }

  /**
   * Which of these spans of time (of whole UTC quarter hours) hold at least one answer: one indexed probe
   * of the quarter-hour summary each, in one statement, so the cost grows with the spans, not with the log.
   */
  async answeredIn(spans: Span[]): Promise<boolean[]> {
    if (spans.length === 0) {
      return [];
    }
    const table = this.em.getMetadata(AnswerQuarterHour).tableName;
    // One row of bounds per span and one correlated probe: far less to parse and plan than a query per span.
    // PostgreSQL types a list of parameters by its first row.
    const bounds = spans.map((_, index) =>
      index === 0 ? '(0, cast(? as integer), cast(? as integer))' : `(${index}, ?, ?)`,
    );
    const rows = await this.em.execute<{ span: number }[]>(
      `select s.column1 as span from (values ${bounds.join(', ')}) as s
        where exists (select 1 from ${table} q where q.quarter >= s.column2 and q.quarter < s.column3 and q.answers > 0)`,
      spans.flatMap(({ start, end }) => [quarterHour.of(start), quarterHour.of(end)]),
    );
    const answered = new Set(rows.map((row) => Number(row.span)));
    return spans.map((_, index) => answered.has(index));
  }

  /**
   * Forgets every answer and the cards made of them, and sets the counters as no answers make them, in the caller's
   * transaction (a reset's). Counted out one by one by the log's triggers, the 2,000,000 answers of the large portal
   * took 94 s on SQLite (the server answering nothing meanwhile) and more than 11 minutes on PostgreSQL
   * (`POST /reset_history`); 5 s and 11 s so.
   */
  async clear(): Promise<void> {
    await this.emptyLog();
    await this.cards.clear();
    for (const statement of COUNTERS_WITHOUT_ANSWERS) {
      await this.em.execute(statement);
    }
  }

  /**
   * Empties the log, its activities and its summaries without running the log's triggers, which leaves the counters
   * they keep as they were: for `clear`, and for a caller that empties those tables next (a full reset).
   */
  async emptyLog(): Promise<void> {
    // An answer locks its words before it writes the log: taken first here too, the locks leave no answer half
    // written when the log is emptied, and no answer waiting for this transaction while holding what it waits for.
    await this.words.lockAll();
    await dialect.emptyWithoutTriggers(
      this.em,
      [StudyActivity, ReviewItem, AnswerQuarterHour, AnswerTotals].map((entity) => entity.meta.tableName),
    );
  }
}

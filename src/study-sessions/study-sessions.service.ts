import { randomUUID } from 'node:crypto';
import { QueryOrder } from '@mikro-orm/core';
import type { FilterObject } from '@mikro-orm/core';
import { EntityManager, type QueryOrderMap, raw } from '@mikro-orm/sql';
import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { instantOf } from '../database/dialect.js';
import { GroupsService } from '../groups/groups.service.js';
import { LearningAppsService } from '../learning-apps/learning-apps.service.js';
import type { AnswerDto, AnswerRecordedDto, AnswersRecordedDto } from '../reviews/dto/review.dto.js';
import {
  ANSWER_AGGREGATES,
  type AnswerSession,
  ReviewsService,
  type SessionSummary,
  type WordAnswer,
} from '../reviews/reviews.service.js';
import { WordsService } from '../words/words.service.js';
import type {
  CreateStudySessionDto,
  LaunchedDto,
  ListStudySessionsQueryDto,
  SESSION_SORTS,
  SessionsQueryDto,
  SessionWordDto,
  SessionWordsQueryDto,
  StudySessionDto,
} from './dto/study-session.dto.js';
import { StudySession } from './study-session.entity.js';

export interface SessionFilter {
  groupId?: number;
  learningAppId?: number;
}

// What each sort of a session list orders by: its own column, or an aggregate of its answers (`r`).
const SESSION_ORDER: Record<(typeof SESSION_SORTS)[number], string> = {
  start_time: 's.created_at',
  end_time: ANSWER_AGGREGATES('r').last,
  review_items_count: ANSWER_AGGREGATES('r').total,
  correct_count: ANSWER_AGGREGATES('r').correct,
  id: 's.id',
};

/** The portal's single learner, as an xAPI Agent (the `actor` of a launch). */
export const portalLearner = (origin: string) => ({
  objectType: 'Agent',
  name: 'Lang Portal learner',
  account: { homePage: origin, name: 'learner' },
});

// Sorts by a column of the session itself.
const OWN_COLUMN_SORTS = new Set<string>(['start_time', 'id']);

/** A session as `sessionRows` reads it. */
interface SessionRow {
  id: number;
  group_id: number;
  group_name: string;
  learning_app_id: number | null;
  learning_app_name: string | null;
  created_at: number | string | Date;
}

const NO_ANSWERS: SessionSummary = { end_time: null, review_items_count: 0, correct_count: 0, wrong_count: 0 };

@Injectable()
export class StudySessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly words: WordsService,
    private readonly groups: GroupsService,
    private readonly apps: LearningAppsService,
    private readonly reviews: ReviewsService,
  ) {}

  /** A session of an existing group (and app): checked and written in one transaction, so no delete slips between. */
  async create(input: CreateStudySessionDto): Promise<StudySessionDto> {
    const id = await this.em.transactional(async (em) => {
      if (!(await this.groups.exists(input.group_id))) {
        throw new UnprocessableEntityException(`group_id refers to a group that does not exist: ${input.group_id}`);
      }
      if (input.learning_app_id && !(await this.apps.exists(input.learning_app_id))) {
        throw new UnprocessableEntityException(
          `learning_app_id refers to a learning app that does not exist: ${input.learning_app_id}`,
        );
      }
      const session = em.create(StudySession, { group: input.group_id, learningApp: input.learning_app_id ?? null });
      await em.flush();
      return session.id;
    });
    return this.get(id);
  }

  /**
   * A new study session of the group for the app, and the URL that opens the app on it. An xAPI app's
   * session gets a registration, and its URL what a cmi5 launch gives: the LRS's endpoint, the one-time
   * fetch URL of the session's credential (served by the xapi module), the registration, the activity id of
   * the app and the portal's learner as an Agent.
   */
  async launch(appId: number, groupId: number, origin: string): Promise<LaunchedDto> {
    return this.em.transactional(async (em) => {
      const app = await this.apps.findApp(appId);
      const session = await this.create({ group_id: groupId, learning_app_id: appId });
      const id = session.id;
      const registration = app.launchMethod === 'xapi' ? randomUUID() : null;
      if (registration) await em.nativeUpdate(StudySession, { id }, { registration });
      const params: Record<string, string> = {
        session_id: String(id),
        group_id: String(groupId),
        api_base: `${origin}/api/v1`,
      };
      if (registration) {
        Object.assign(params, {
          endpoint: `${origin}/xapi/`,
          fetch: `${origin}/xapi/fetch/${registration}`,
          registration,
          activityId: `${origin}/api/v1/learning_apps/${appId}`,
          actor: JSON.stringify(portalLearner(origin)),
        });
      }
      return { study_session: session, launch_url: await this.apps.launchUrl(appId, params) };
    });
  }

  /**
   * The study session an xAPI launch gave this registration, as the record takes it, and which of these
   * words are in its group (a statement about any other word is not one of its answers); null if none.
   */
  async launchedSession(
    registration: string,
    wordIds: number[] = [],
  ): Promise<{ session: AnswerSession; members: Set<number> } | null> {
    const session = await this.em.findOne(StudySession, { registration: registration.toLowerCase() });
    if (!session) return null;
    return {
      session: { id: session.id, startedAt: session.createdAt },
      members: wordIds.length > 0 ? await this.groups.membersAmong(session.group.id, wordIds) : new Set(),
    };
  }

  /** One page of sessions in the order asked (ties by id, the same way); a filter naming a group or app that does not exist is a 404. */
  async list(filter: SessionFilter, query: SessionsQueryDto): Promise<Page<StudySessionDto>> {
    if (filter.groupId !== undefined) {
      await this.groups.findGroupDto(filter.groupId);
    }
    if (filter.learningAppId !== undefined) {
      await this.apps.findApp(filter.learningAppId);
    }
    const where = {
      ...(filter.groupId !== undefined && { group: filter.groupId }),
      ...(filter.learningAppId !== undefined && { learningApp: filter.learningAppId }),
    };
    // The answer counts are sorted along StudySession.reviews, in the same statement as the page of ids; a
    // session's own column is sorted by its index, without aggregating every session's answers first.
    const ids = this.em.createQueryBuilder(StudySession, 's').select('s.id');
    if (!OWN_COLUMN_SORTS.has(query.sort_by)) {
      ids.leftJoin('s.reviews', 'r').groupBy('s.id');
    }
    // A session without answers has no end_time: it sorts before every end, where SQLite puts nulls
    // (PostgreSQL would put them after).
    const direction = OWN_COLUMN_SORTS.has(query.sort_by)
      ? query.order
      : query.order === 'asc'
        ? QueryOrder.asc_nulls_first
        : QueryOrder.desc_nulls_last;
    const rows = await ids
      .where(where)
      .orderBy([{ [raw(SESSION_ORDER[query.sort_by])]: direction }, { id: query.order }])
      .limit(query.per_page)
      .offset(offsetOf(query))
      .execute<{ id: number }[]>('all', false);
    const sessions = new Map(
      (await this.sessionRows({ id: { $in: rows.map((row) => row.id) } })).map((session) => [session.id, session]),
    );
    const total = await this.em.createQueryBuilder(StudySession, 's').where(where).getCount();
    return page(await this.toDtos(rows.map((row) => sessions.get(row.id)!)), total, query);
  }

  listQueried(query: ListStudySessionsQueryDto): Promise<Page<StudySessionDto>> {
    return this.list({ groupId: query.group_id, learningAppId: query.learning_app_id }, query);
  }

  async get(id: number): Promise<StudySessionDto> {
    const [session] = await this.sessionRows({ id });
    if (!session) {
      throw this.em.config.get('findOneOrFailHandler')(StudySession.meta.className, id);
    }
    return (await this.toDtos([session]))[0];
  }

  async latest(): Promise<StudySessionDto | undefined> {
    const sessions = await this.sessionRows({}, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: 1 });
    return (await this.toDtos(sessions))[0];
  }

  /** Words answered in the session, in the order they were first answered, with their session counts. */
  async answeredWords(id: number, query: SessionWordsQueryDto): Promise<Page<SessionWordDto>> {
    await this.existing(id);
    const { total, words: answered } = await this.reviews.sessionWords(id, query);
    const words = new Map(
      (await this.words.findWords(answered.map((word) => word.wordId))).map((word) => [word.id, word]),
    );
    const items = answered.map(({ wordId, correct, wrong }) => ({
      ...words.get(wordId)!,
      session_correct_count: correct,
      session_wrong_count: wrong,
    }));
    return page(items, total, query);
  }

  /** `POST /study_sessions/:id/words/:word_id/review`: the word must belong to the session's group. */
  recordAnswer(
    sessionId: number,
    wordId: number,
    answer: AnswerDto,
    idempotencyKey?: string,
  ): Promise<AnswerRecordedDto> {
    const endpoint = 'POST /study_sessions/:id/words/:word_id/review';
    return this.reviews.record(endpoint, idempotencyKey, { sessionId, wordId }, answer, async () => {
      const session = await this.existing(sessionId);
      // A member of the group is a word that exists: whether it exists is asked only of a word that is not one.
      if (!(await this.groups.hasMember(session.groupId, wordId))) {
        await this.words.findWord(wordId);
        throw new UnprocessableEntityException(
          `Word ${wordId} is not in group ${session.groupId} of study session ${sessionId}`,
        );
      }
      return { wordId, session };
    });
  }

  /**
   * `POST /study_sessions/:id/answers`: answers of the session, all recorded or none; each word must exist
   * and belong to the session's group (else 422 naming the answer). A few statements, whatever the count.
   */
  recordAnswers(sessionId: number, answers: WordAnswer[], idempotencyKey?: string): Promise<AnswersRecordedDto> {
    const endpoint = 'POST /study_sessions/:id/answers';
    return this.reviews.recordBatch(endpoint, idempotencyKey, { sessionId }, answers, async () => {
      const session = await this.existing(sessionId);
      const wordIds = [...new Set(answers.map((answer) => answer.word_id))];
      const members = await this.groups.membersAmong(session.groupId, wordIds);
      // A member exists; only the others are looked up, to say which of the two checks each one fails.
      const outsiders = wordIds.filter((wordId) => !members.has(wordId));
      const known = outsiders.length > 0 ? await this.words.existing(outsiders) : new Set<number>();
      answers.forEach(({ word_id }, index) => {
        if (!members.has(word_id) && !known.has(word_id)) {
          throw new UnprocessableEntityException(
            `answers[${index}]: word_id refers to a word that does not exist: ${word_id}`,
          );
        }
        if (!members.has(word_id)) {
          throw new UnprocessableEntityException(
            `answers[${index}]: word ${word_id} is not in group ${session.groupId} of study session ${sessionId}`,
          );
        }
      });
      return session;
    });
  }

  /** The session (404 if none) as a plain row: this runs for every answer and every page of a session's words. */
  private async existing(id: number): Promise<AnswerSession & { groupId: number }> {
    const session = await this.em
      .createQueryBuilder(StudySession)
      .select(['id', 'group', 'createdAt'])
      .where({ id })
      .execute<{ id: number; group: number; createdAt: Date } | undefined>('get');
    if (!session) {
      throw this.em.config.get('findOneOrFailHandler')(StudySession.meta.className, id);
    }
    return { id: session.id, groupId: session.group, startedAt: session.createdAt };
  }

  count(): Promise<number> {
    return this.em.count(StudySession, {});
  }

  /** Groups with at least one study session. */
  async activeGroupCount(): Promise<number> {
    return this.em.createQueryBuilder(StudySession).getCount('group', true);
  }

  /** Deletes every study session; their answers go with them (on delete cascade). */
  async clear(): Promise<void> {
    await this.em.nativeDelete(StudySession, {});
  }

  /**
   * Sessions as plain rows with the names of their group and app, joined along StudySession's relations as the
   * populated entities were: the identity map and hydration cost more than the statement.
   */
  private sessionRows(
    where: FilterObject<StudySession>,
    { orderBy = [], limit }: { orderBy?: QueryOrderMap<StudySession>[]; limit?: number } = {},
  ): Promise<SessionRow[]> {
    return this.em
      .createQueryBuilder(StudySession, 's')
      .join('s.group', 'g')
      .leftJoin('s.learningApp', 'a')
      .select([
        's.id',
        'g.id as group_id',
        'g.name as group_name',
        'a.id as learning_app_id',
        'a.name as learning_app_name',
        's.createdAt',
      ])
      .where(where)
      .orderBy(orderBy)
      .limit(limit)
      .execute<SessionRow[]>('all', false);
  }

  /** Session rows with their answer counts and end time, read from the record store for the whole page at once. */
  private async toDtos(sessions: SessionRow[]): Promise<StudySessionDto[]> {
    const summaries = await this.reviews.sessionSummaries(sessions.map((session) => session.id));
    return sessions.map((session) => ({
      id: session.id,
      group_id: session.group_id,
      group_name: session.group_name,
      learning_app_id: session.learning_app_id ?? null,
      learning_app_name: session.learning_app_name ?? null,
      start_time: instantOf(session.created_at)!.toISOString(),
      ...(summaries.get(session.id) ?? NO_ANSWERS),
    }));
  }
}

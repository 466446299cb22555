import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/sql';
import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { SelectQueryBuilder } from 'kysely';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { instantOf } from '../database/dialect.js';
import { countOf, type TablesOf } from '../database/tables.js';
import { type Preconditions, refuseConditions } from '../http/entity-tag.js';
import { GroupsService } from '../groups/groups.service.js';
import { LearningAppsService } from '../learning-apps/learning-apps.service.js';
import type { AnswerDto, AnswerRecordedDto, AnswersRecordedDto } from '../reviews/dto/review.dto.js';
import { type AnswerSession, ReviewsService, type WordAnswer } from '../reviews/reviews.service.js';
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

/** The sessions as Kysely reads them on the paths of every answer and every list. */
type SessionTables = TablesOf<typeof StudySession>;
type Sessions<Row = object> = SelectQueryBuilder<SessionTables & { s: SessionTables['study_sessions'] }, 's', Row>;

/** A session as `withNames` reads it. */
interface SessionRow {
  id: number;
  group_id: number;
  group_name: string;
  learning_app_id: number | null;
  learning_app_name: string | null;
  created_at: number | string | Date;
  review_items_count: number;
  correct_count: number;
  last_reviewed_at: number | string | Date | null;
}

export interface SessionFilter {
  groupId?: number;
  learningAppId?: number;
}

// The column each sort of a session list orders by: the session's own, its answer counters among them.
const SESSION_ORDER = {
  start_time: 's.created_at',
  end_time: 's.last_reviewed_at',
  review_items_count: 's.review_items_count',
  correct_count: 's.correct_count',
  id: 's.id',
} as const satisfies Record<(typeof SESSION_SORTS)[number], string>;

/** Sessions in a list's order: by its sort's column, ties by id the same way. */
function ordered<Row>(sessions: Sessions<Row>, query: SessionsQueryDto): Sessions<Row> {
  return (
    sessions
      // A session without answers has no end_time: it sorts before every end, where SQLite puts nulls
      // (PostgreSQL would put them after). The other columns are never null: a plain order, which their indexes give.
      .orderBy(SESSION_ORDER[query.sort_by], (by) =>
        query.sort_by !== 'end_time'
          ? by[query.order]()
          : query.order === 'asc'
            ? by.asc().nullsFirst()
            : by.desc().nullsLast(),
      )
      .orderBy('s.id', query.order)
  );
}

/** The portal's single learner, as an xAPI Agent (the `actor` of a launch). */
const portalLearner = (origin: string) => ({
  objectType: 'Agent',
  name: 'Lang Portal learner',
  account: { homePage: origin, name: 'learner' },
});

@Injectable()
export class StudySessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly words: WordsService,
    private readonly groups: GroupsService,
    private readonly apps: LearningAppsService,
    private readonly reviews: ReviewsService,
  ) {}

  /**
   * A session of an existing group (and app): checked and written in one transaction, their rows locked first, so
   * no delete slips between (on PostgreSQL one did: the session's foreign key failed, a 500). The app is locked
   * before the group, as a launch locks them.
   */
  async create(input: CreateStudySessionDto): Promise<StudySessionDto> {
    return this.em.transactional(async (em) => {
      if (input.learning_app_id) {
        await this.apps.lock(input.learning_app_id);
      }
      await this.groups.lock(input.group_id);
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
      // Read in the transaction: after its commit, a reset or forced group delete may have removed the session.
      return this.get(session.id);
    });
  }

  /**
   * A new study session of the group for the app, and the URL that opens the app on it. An xAPI app's
   * session gets a registration, and its URL what a cmi5 launch gives: the LRS's endpoint, the one-time
   * fetch URL of the session's credential (served by the xapi module), the registration, the activity id of
   * the app and the portal's learner as an Agent.
   */
  async launch(appId: number, groupId: number, origin: string, preconditions: Preconditions): Promise<LaunchedDto> {
    return this.em.transactional(async (em) => {
      // Locked before it is read: deleted meanwhile, it is a 404 here, not a 422 of the session's check.
      await this.apps.lock(appId);
      const app = await this.apps.findApp(appId);
      refuseConditions(preconditions);
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
      return { study_session: session, launch_url: await this.apps.launchUrl(appId, origin, params) };
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
      session: { id: session.id, groupId: session.group.id, startedAt: session.createdAt },
      members: await this.groups.membersAmong(session.group.id, wordIds),
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
    const sessions = this.sessions()
      .$if(filter.groupId !== undefined, (sessions) => sessions.where('s.group_id', '=', filter.groupId!))
      .$if(filter.learningAppId !== undefined, (sessions) =>
        sessions.where('s.learning_app_id', '=', filter.learningAppId!),
      );
    const onPage = <Row>(chosen: Sessions<Row>) => ordered(chosen, query).limit(query.per_page).offset(offsetOf(query));
    // A filtered list is found by its group's or app's index and sorted whole: its page is found first and named
    // after, as every session sorted would be named (an app's 5,000: the statement 3.2 ms, 1.2 ms this way).
    // Unfiltered, SQLite's indexes give each order and only the page is read: naming it apart cost ~0.08 ms more.
    const rows =
      filter.groupId !== undefined || filter.learningAppId !== undefined
        ? await ordered(
            this.withNames(this.sessions().where('s.id', 'in', onPage(sessions.select('s.id')))),
            query,
          ).execute()
        : await onPage(this.withNames(sessions)).execute();
    return page(rows.map(toDto), await countOf(sessions), query);
  }

  listQueried(query: ListStudySessionsQueryDto): Promise<Page<StudySessionDto>> {
    return this.list({ groupId: query.group_id, learningAppId: query.learning_app_id }, query);
  }

  async get(id: number): Promise<StudySessionDto> {
    const session = await this.withNames(this.sessions().where('s.id', '=', id)).executeTakeFirst();
    if (!session) {
      throw this.em.config.get('findOneOrFailHandler')(StudySession.meta.className, id);
    }
    return toDto(session);
  }

  async latest(): Promise<StudySessionDto | undefined> {
    const session = await this.withNames(this.sessions())
      .orderBy('s.created_at', 'desc')
      .orderBy('s.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return session && toDto(session);
  }

  /** Words answered in the session, in the order they were first answered, with their session counts. */
  async answeredWords(id: number, query: SessionWordsQueryDto): Promise<Page<SessionWordDto>> {
    await this.existing(id);
    const { sort_by: sortBy, order } = query;
    // By the counts in the session, the record's order; by a word list's sort, the words module's.
    const { total, words: answered } = await this.reviews.sessionWords(
      id,
      query,
      sortBy === undefined || sortBy === 'session_correct_count' || sortBy === 'session_wrong_count'
        ? sortBy
        : (wordId) => this.words.orderOf(sortBy, order, wordId),
    );
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
    preconditions: Preconditions,
    idempotencyKey?: string,
  ): Promise<AnswerRecordedDto> {
    const endpoint = 'POST /study_sessions/:id/words/:word_id/review';
    const request = { sessionId, wordId };
    return this.reviews.record(endpoint, idempotencyKey, request, { ...answer, word_id: wordId }, async () => {
      const session = await this.existing(sessionId);
      // A member of the group is a word that exists: whether it exists is asked only of a word that is not one.
      if (!(await this.groups.hasMember(session.groupId, wordId))) {
        await this.words.findWord(wordId);
        throw new UnprocessableEntityException(
          `Word ${wordId} is not in group ${session.groupId} of study session ${sessionId}`,
        );
      }
      refuseConditions(preconditions);
      return session;
    });
  }

  /**
   * `POST /study_sessions/:id/answers`: answers of the session, all recorded or none; each word must exist
   * and belong to the session's group (else 422 naming the answer). A few statements, whatever the count.
   */
  recordAnswers(
    sessionId: number,
    answers: WordAnswer[],
    preconditions: Preconditions,
    idempotencyKey?: string,
  ): Promise<AnswersRecordedDto> {
    const endpoint = 'POST /study_sessions/:id/answers';
    return this.reviews.recordBatch(endpoint, idempotencyKey, { sessionId }, answers, async () => {
      const session = await this.existing(sessionId);
      refuseConditions(preconditions);
      const wordIds = [...new Set(answers.map((answer) => answer.word_id))];
      const members = await this.groups.membersAmong(session.groupId, wordIds);
      // A member exists; only the others are looked up, to say which of the two checks each one fails.
      const outsiders = wordIds.filter((wordId) => !members.has(wordId));
      const known = outsiders.length > 0 ? await this.words.existing(outsiders) : new Set<number>();
      const refuses = ({ word_id }: WordAnswer) => {
        if (members.has(word_id)) {
          return undefined;
        }
        return known.has(word_id)
          ? `word ${word_id} is not in group ${session.groupId} of study session ${sessionId}`
          : `word_id refers to a word that does not exist: ${word_id}`;
      };
      return { ...session, refuses };
    });
  }

  /** The session (404 if none) as a plain row: this runs for every answer and every page of a session's words. */
  private async existing(id: number): Promise<AnswerSession> {
    const session = await this.em
      .getKysely<SessionTables>()
      .selectFrom('study_sessions')
      .select(['id', 'group_id', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!session) {
      throw this.em.config.get('findOneOrFailHandler')(StudySession.meta.className, id);
    }
    return { id: session.id, groupId: session.group_id, startedAt: instantOf(session.created_at)! };
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
   * Sessions as plain rows with the names of their group and app, in one statement: each name a subquery of the
   * module that owns it. The identity map and hydration of populated entities cost more than the statement.
   */
  private withNames(sessions: Sessions) {
    return sessions.select((session) => [
      's.id',
      's.group_id',
      this.groups.nameOf(session.ref('s.group_id')).as('group_name'),
      's.learning_app_id',
      this.apps.nameOf(session.ref('s.learning_app_id')).as('learning_app_name'),
      's.created_at',
      's.review_items_count',
      's.correct_count',
      's.last_reviewed_at',
    ]);
  }

  /** The sessions, as `s`. */
  private sessions(): Sessions {
    return this.em.getKysely<SessionTables>().selectFrom('study_sessions as s');
  }
}

/** A session row as the API shows it: its answer counters are the database's (see the entity). */
function toDto(session: SessionRow): StudySessionDto {
  return {
    id: session.id,
    group_id: session.group_id,
    group_name: session.group_name,
    learning_app_id: session.learning_app_id,
    learning_app_name: session.learning_app_name,
    start_time: instantOf(session.created_at)!.toISOString(),
    end_time: instantOf(session.last_reviewed_at)?.toISOString() ?? null,
    review_items_count: session.review_items_count,
    correct_count: session.correct_count,
    wrong_count: session.review_items_count - session.correct_count,
  };
}

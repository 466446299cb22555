import { EntityManager } from '@mikro-orm/sqlite';
import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { notFound } from '../core/errors.js';
import { offsetOf, page, type Page, type PaginationQueryDto } from '../core/pagination.js';
import { isoOrNull } from '../core/stats.js';
import { Group } from '../groups/group.entity.js';
import { LearningApp } from '../learning-apps/learning-app.entity.js';
import { toWordDto } from '../words/dto/word.dto.js';
import { Word } from '../words/word.entity.js';
import type {
  CreateStudySessionDto,
  ListStudySessionsQueryDto,
  SessionWordDto,
  StudySessionDto,
} from './dto/study-session.dto.js';
import { StudySession } from './study-session.entity.js';

interface SessionRow {
  id: number;
  group_id: number;
  group_name: string;
  learning_app_id: number | null;
  learning_app_name: string | null;
  start_time: number;
  end_time: number | null;
  review_items_count: number;
  correct_count: number;
}

export interface SessionFilter {
  id?: number;
  groupId?: number;
  learningAppId?: number;
}

/** The SQL `where` clause (and its parameters) selecting the study sessions of a filter. */
function sessionConditions(filter: SessionFilter): [string, number[]] {
  const columns = { id: filter.id, group_id: filter.groupId, learning_app_id: filter.learningAppId };
  const set = Object.entries(columns).filter((entry): entry is [string, number] => entry[1] !== undefined);
  return [
    set.length > 0 ? `where ${set.map(([column]) => `${column} = ?`).join(' and ')}` : '',
    set.map(([, value]) => value),
  ];
}

@Injectable()
export class StudySessionsService {
  constructor(private readonly em: EntityManager) {}

  async create(input: CreateStudySessionDto, em: EntityManager = this.em): Promise<StudySessionDto> {
    const group = await em.findOne(Group, input.group_id);
    if (!group) {
      throw new UnprocessableEntityException(`group_id refers to a group that does not exist: ${input.group_id}`);
    }
    const learningApp = input.learning_app_id ? await em.findOne(LearningApp, input.learning_app_id) : null;
    if (input.learning_app_id && !learningApp) {
      throw new UnprocessableEntityException(
        `learning_app_id refers to a learning app that does not exist: ${input.learning_app_id}`,
      );
    }
    const session = em.create(StudySession, { group, learningApp });
    await em.flush();
    return (await this.rows(em, { id: session.id }))[0];
  }

  async list(query: ListStudySessionsQueryDto): Promise<Page<StudySessionDto>> {
    return this.listWhere({ groupId: query.group_id, learningAppId: query.learning_app_id }, query);
  }

  /** Sessions newest first; a filter naming a group or app that does not exist is a 404. */
  async listWhere(filter: SessionFilter, query: PaginationQueryDto): Promise<Page<StudySessionDto>> {
    if (filter.groupId !== undefined) {
      await this.em.findOneOrFail(Group, filter.groupId, { failHandler: notFound('Group', filter.groupId) });
    }
    if (filter.learningAppId !== undefined) {
      await this.em.findOneOrFail(LearningApp, filter.learningAppId, {
        failHandler: notFound('Learning app', filter.learningAppId),
      });
    }
    const [where, params] = sessionConditions(filter);
    const [{ total }] = await this.em.execute<{ total: number }[]>(
      `select count(*) as total from study_sessions ${where}`,
      params,
    );
    const items = await this.rows(this.em, { ...filter, limit: query.per_page, offset: offsetOf(query) });
    return page(items, total, query);
  }

  async get(id: number): Promise<StudySessionDto> {
    const [session] = await this.rows(this.em, { id });
    if (!session) {
      throw notFound('Study session', id)();
    }
    return session;
  }

  async latest(): Promise<StudySessionDto | undefined> {
    const [session] = await this.rows(this.em, { limit: 1, offset: 0 });
    return session;
  }

  /** Words answered in the session, in the order they were first answered, with their session counts. */
  async words(id: number, query: PaginationQueryDto): Promise<Page<SessionWordDto>> {
    await this.em.findOneOrFail(StudySession, id, { failHandler: notFound('Study session', id) });
    const [{ total }] = await this.em.execute<{ total: number }[]>(
      'select count(distinct word_id) as total from words_review_items where study_session_id = ?',
      [id],
    );
    const counts = await this.em.execute<{ word_id: number; correct: number; answers: number }[]>(
      `select word_id, sum(correct) as correct, count(*) as answers from words_review_items
        where study_session_id = ? group by word_id order by min(id) limit ? offset ?`,
      [id, query.per_page, offsetOf(query)],
    );
    const words = new Map(
      (await this.em.find(Word, { id: { $in: counts.map((count) => count.word_id) } })).map((word) => [word.id, word]),
    );
    const items = counts.map((count) => ({
      ...toWordDto(words.get(count.word_id)!),
      session_correct_count: count.correct,
      session_wrong_count: count.answers - count.correct,
    }));
    return page(items, total, query);
  }

  /**
   * Session rows with their answer counts and end time, aggregated in SQL over one page of sessions
   * (newest first, ties by id descending).
   */
  private async rows(
    em: EntityManager,
    filter: SessionFilter & { limit?: number; offset?: number },
  ): Promise<StudySessionDto[]> {
    const [where, params] = sessionConditions(filter);
    const rows = await em.execute<SessionRow[]>(
      `select s.id, s.group_id, g.name as group_name, s.learning_app_id, a.name as learning_app_name,
              s.created_at as start_time, max(r.reviewed_at) as end_time, count(r.id) as review_items_count,
              coalesce(sum(r.correct), 0) as correct_count
         from (select * from study_sessions ${where}
                order by created_at desc, id desc limit ? offset ?) s
         join groups g on g.id = s.group_id
         left join learning_apps a on a.id = s.learning_app_id
         left join words_review_items r on r.study_session_id = s.id
        group by s.id
        order by s.created_at desc, s.id desc`,
      [...params, filter.limit ?? -1, filter.offset ?? 0],
    );
    return rows.map((row) => ({
      ...row,
      start_time: isoOrNull(row.start_time)!,
      end_time: isoOrNull(row.end_time),
      wrong_count: row.review_items_count - row.correct_count,
    }));
  }
}

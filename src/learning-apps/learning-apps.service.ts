import { EntityManager } from '@mikro-orm/sqlite';
import { Injectable } from '@nestjs/common';
import { assertNameIsFree } from '../core/database.js';
import { notFound } from '../core/errors.js';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import {
  type CreateLearningAppDto,
  type LaunchedDto,
  type LearningAppDto,
  type ListLearningAppsQueryDto,
  toLearningAppDto,
  type UpdateLearningAppDto,
} from './dto/learning-app.dto.js';
import { LearningApp } from './learning-app.entity.js';

/**
 * `url` with `params` added to its query. The query it already has is kept as written (going through
 * `searchParams` would re-encode all of it, e.g. `%20` as `+`); only earlier values of the added names go.
 */
function withQueryParams(url: string, params: Record<string, string>): string {
  const result = new URL(url);
  const added = new URLSearchParams(params);
  const kept = result.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !added.has([...new URLSearchParams(pair).keys()][0] ?? ''));
  result.search = [...kept, added.toString()].join('&');
  return result.toString();
}

@Injectable()
export class LearningAppsService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: StudySessionsService,
  ) {}

  async list(query: ListLearningAppsQueryDto): Promise<Page<LearningAppDto>> {
    const [apps, total] = await this.em.findAndCount(
      LearningApp,
      {},
      { orderBy: [{ name: 'asc' }, { id: 'asc' }], limit: query.per_page, offset: offsetOf(query) },
    );
    return page(apps.map(toLearningAppDto), total, query);
  }

  async get(id: number): Promise<LearningAppDto> {
    return toLearningAppDto(await this.findApp(id));
  }

  async create(input: CreateLearningAppDto): Promise<LearningAppDto> {
    return this.em.transactional(async (em) => {
      await assertNameIsFree(em, LearningApp, 'learning app', input.name);
      const app = em.create(LearningApp, {
        name: input.name,
        description: input.description ?? '',
        launchUrl: input.launch_url,
        thumbnailUrl: input.thumbnail_url ?? null,
      });
      await em.flush();
      return toLearningAppDto(app);
    });
  }

  async update(id: number, input: UpdateLearningAppDto): Promise<LearningAppDto> {
    return this.em.transactional(async (em) => {
      const app = await this.findApp(id, em);
      if (input.name !== undefined) {
        await assertNameIsFree(em, LearningApp, 'learning app', input.name, id);
      }
      em.assign(
        app,
        {
          name: input.name,
          description: input.description,
          launchUrl: input.launch_url,
          thumbnailUrl: input.thumbnail_url,
        },
        { ignoreUndefined: true },
      );
      await em.flush();
      return toLearningAppDto(app);
    });
  }

  /** Its study sessions stay, without an app (on delete set null). */
  async remove(id: number): Promise<void> {
    await this.em.transactional(async (em) => {
      await this.findApp(id, em);
      await em.nativeDelete(LearningApp, { id });
    });
  }

  /** A new study session of the group for this app, and the URL that opens the app on it. */
  async launch(id: number, groupId: number, apiBase: string): Promise<LaunchedDto> {
    return this.em.transactional(async (em) => {
      const app = await this.findApp(id, em);
      const session = await this.sessions.create({ group_id: groupId, learning_app_id: id }, em);
      const launchUrl = withQueryParams(app.launchUrl, {
        session_id: String(session.id),
        group_id: String(groupId),
        api_base: apiBase,
      });
      return { study_session: session, launch_url: launchUrl };
    });
  }

  findApp(id: number, em: EntityManager = this.em): Promise<LearningApp> {
    return em.findOneOrFail(LearningApp, id, { failHandler: notFound('Learning app', id) });
  }
}

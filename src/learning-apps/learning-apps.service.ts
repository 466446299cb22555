import { EntityManager } from '@mikro-orm/sql';
import { Injectable } from '@nestjs/common';
import type { Expression } from 'kysely';
import { assertNameIsFree } from '../core/names.js';
import { lockRows } from '../database/dialect.js';
import type { TablesOf } from '../database/tables.js';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { assertPreconditions, type Preconditions } from '../http/entity-tag.js';
import {
  type CreateLearningAppDto,
  type LearningAppDto,
  launchUrlOf,
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

/** The apps as a client sees them that reaches the portal at the address `portal` (see `launchUrlOf`). */
@Injectable()
export class LearningAppsService {
  constructor(private readonly em: EntityManager) {}

  async list(query: ListLearningAppsQueryDto, portal: string): Promise<Page<LearningAppDto>> {
    const [apps, total] = await this.em.findAndCount(
      LearningApp,
      {},
      { orderBy: [{ name: 'asc' }, { id: 'asc' }], limit: query.per_page, offset: offsetOf(query) },
    );
    return page(
      apps.map((app) => toLearningAppDto(app, portal)),
      total,
      query,
    );
  }

  async get(id: number, portal: string): Promise<LearningAppDto> {
    return toLearningAppDto(await this.findApp(id), portal);
  }

  async create(input: CreateLearningAppDto, portal: string): Promise<LearningAppDto> {
    return this.em.transactional(async (em) => {
      await assertNameIsFree(em, LearningApp, 'learning app', input.name);
      const app = em.create(LearningApp, {
        name: input.name,
        description: input.description ?? '',
        launchUrl: input.launch_url,
        thumbnailUrl: input.thumbnail_url ?? null,
        launchMethod: input.launch_method ?? 'plain',
      });
      await em.flush();
      return toLearningAppDto(app, portal);
    });
  }

  async update(
    id: number,
    input: UpdateLearningAppDto,
    portal: string,
    preconditions: Preconditions = {},
  ): Promise<LearningAppDto> {
    return this.em.transactional(async (em) => {
      // Locked before it is compared: a write between the comparison and the update would be lost.
      await this.lock(id);
      await assertPreconditions(preconditions, 'learning app', () => this.get(id, portal));
      const app = await this.findApp(id);
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
          launchMethod: input.launch_method,
        },
        { ignoreUndefined: true },
      );
      await em.flush();
      return toLearningAppDto(app, portal);
    });
  }

  /** Its study sessions stay, without an app (on delete set null). */
  async remove(id: number, portal: string, preconditions: Preconditions = {}): Promise<void> {
    await this.em.transactional(async (em) => {
      // Locked before it is read: a delete that came first is seen here (404), not deleted again and answered 204.
      await this.lock(id);
      await assertPreconditions(preconditions, 'learning app', () => this.get(id, portal));
      await this.findApp(id);
      await em.nativeDelete(LearningApp, { id });
    });
  }

  /** The URL that opens the app on a study session: its launch_url with these parameters added. */
  async launchUrl(id: number, portal: string, params: Record<string, string>): Promise<string> {
    return withQueryParams(launchUrlOf(await this.findApp(id), portal), params);
  }

  /**
   * The name of the app whose id `appId` is (null for none), as a subquery of another module's statement (a
   * session's row).
   */
  nameOf(appId: Expression<number | null>) {
    return this.em
      .getKysely<TablesOf<typeof LearningApp>>()
      .selectFrom('learning_apps')
      .select('name')
      .where('id', '=', appId)
      .$asScalar();
  }

  async exists(id: number): Promise<boolean> {
    return (await this.em.count(LearningApp, { id })) > 0;
  }

  /**
   * Locks the app's row until the transaction ends (where rows have locks): a study session started from it
   * meanwhile is written before a delete, which waits, and a delete that came first is seen by `exists`.
   */
  lock(id: number): Promise<void> {
    return lockRows(this.em, LearningApp, [id]);
  }

  findApp(id: number): Promise<LearningApp> {
    return this.em.findOneOrFail(LearningApp, id);
  }
}

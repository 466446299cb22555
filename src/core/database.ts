import type { EntityManager, EntityName, FilterQuery, MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM as SqliteMikroORM, raw, SqliteDriver } from '@mikro-orm/sqlite';
import { ConflictException, Module, type OnModuleInit, UnprocessableEntityException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ormConfig } from '../../mikro-orm.config.js';
import { DatabaseSeeder } from '../../database/seeders/DatabaseSeeder.js';
import type { Environment } from './config.js';

/** The one MikroORM connection, shared by every module; a request gets its own forked EntityManager. */
@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      driver: SqliteDriver,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => ormConfig(config.get('DATABASE_PATH', { infer: true })),
    }),
  ],
})
export class DatabaseModule implements OnModuleInit {
  constructor(private readonly orm: SqliteMikroORM) {}

  /** Connection settings that SQLite does not keep in the database file. */
  async onModuleInit(): Promise<void> {
    const database = await this.orm.em.getConnection().getNativeClient();
    database.pragma('journal_mode = WAL');
    // SQLite's lower() folds only A–Z; word search is case-insensitive in every script.
    database.function('unicode_lower', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? text.toLowerCase() : text,
    );
  }
}

/** Applies pending migrations. */
export async function migrate(orm: MikroORM): Promise<void> {
  await orm.migrator.up();
}

/** Loads the seed data into an empty database (a fresh install). */
export async function seed(orm: MikroORM): Promise<void> {
  await orm.em.fork().transactional((em: EntityManager) => new DatabaseSeeder().run(em));
}

/** Loads the entities with these ids; one that does not exist makes the whole request unprocessable (422). */
export async function findAllOrUnprocessable<T extends { id: number }>(
  em: EntityManager,
  entity: EntityName<T>,
  ids: number[],
  field: string,
): Promise<T[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) {
    return [];
  }
  const found = await em.find(entity, { id: { $in: unique } } as unknown as FilterQuery<T>);
  if (found.length !== unique.length) {
    const known = new Set(found.map((item) => item.id));
    const unknown = unique.filter((id) => !known.has(id));
    throw new UnprocessableEntityException(`${field} refers to ids that do not exist: ${unknown.join(', ')}`);
  }
  return found;
}

/** Filter: `column` equals `text` case-insensitively in every script (`unicode_lower`, see DatabaseModule). */
export function sameText<T extends object>(column: string, text: string): FilterQuery<T> {
  return { [raw((alias) => `unicode_lower(${alias}.${column}) = ?`, [text.toLowerCase()])]: [] } as FilterQuery<T>;
}

/** Names are unique case-insensitively: 409 when another `resource` row already has this name. */
export async function assertNameIsFree<T extends { id: number; name: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  resource: string,
  name: string,
  exceptId?: number,
): Promise<void> {
  const existing = await em.findOne(entity, {
    $and: [sameText<T>('name', name)],
    ...(exceptId && { id: { $ne: exceptId } }),
  } as FilterQuery<T>);
  if (existing) {
    throw new ConflictException(`A ${resource} named "${existing.name}" already exists (id ${existing.id})`);
  }
}

import type { EntityManager, EntityName, FilterQuery, MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { Module, UnprocessableEntityException } from '@nestjs/common';
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
export class DatabaseModule {}

/** Applies pending migrations and puts a file database in WAL mode. */
export async function migrate(orm: MikroORM): Promise<void> {
  const connection = orm.em.getConnection();
  await connection.execute('pragma journal_mode = wal');
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

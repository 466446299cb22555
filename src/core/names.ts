import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/sql';
import { ConflictException } from '@nestjs/common';
import { equalsFolded } from '../database/dialect.js';

/** Names are unique case-insensitively in every script: 409 when another `resource` has this name. */
export async function assertNameIsFree<T extends { id: number; name: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  resource: string,
  name: string,
  exceptId?: number,
): Promise<void> {
  const existing = await em.findOne(entity, {
    $and: [equalsFolded<T>('name', name)],
    ...(exceptId && { id: { $ne: exceptId } }),
  } as FilterQuery<T>);
  if (existing) {
    throw new ConflictException(`A ${resource} named "${existing.name}" already exists (id ${existing.id})`);
  }
}

/** A name as names are compared: folded to lower case in every script (as `equalsFolded` compares it). */
export const foldedName = (name: string): string => name.toLowerCase();

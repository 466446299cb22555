import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/sql';
import { ConflictException } from '@nestjs/common';

/** Names are unique case-insensitively in every script: 409 when another `resource` has this name. */
export async function assertNameIsFree<T extends { id: number; name: string; nameFolded: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  resource: string,
  name: string,
  exceptId?: number,
): Promise<void> {
  const existing = await em.findOne(entity, {
    nameFolded: foldedName(name),
    ...(exceptId && { id: { $ne: exceptId } }),
  } as FilterQuery<T>);
  if (existing) {
    throw new ConflictException(`A ${resource} named "${existing.name}" already exists (id ${existing.id})`);
  }
}

/**
 * A name as names are compared: in lower case in every script, the final sigma `ς` as `σ` (lower-casing `ΟΔΟΣ` gives
 * `οδος`, and `οδοσ` is the same name), in one normal form (NFC: an `é` of one character or of two is one `é`). As
 * Unicode's simple case folding, `ß` stays apart from `ss`, and a ligature or a full-width letter from its letters.
 * Stored beside it (`foldedOf`), so that one folding decides on every database: a change of it needs a migration that
 * folds the stored names again (database/migrations/refolded-names.ts).
 */
export const foldedName = (name: string): string => name.toLowerCase().replaceAll('ς', 'σ').normalize('NFC');

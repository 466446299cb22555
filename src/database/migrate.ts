import type { MikroORM } from '@mikro-orm/core';

/**
 * Why a database that these migrations were applied to is not for this code, or nothing: a newer portal migrated it,
 * and this one, not knowing its schema, would break it. `db:restore` asks it of a backup (src/backups/backup.ts),
 * `db:copy` of the SQLite file it copies (src/db-copy.ts), start-up and `db:migrate` of the database they open (below).
 */
export function problemWithMigrations(applied: string[], known: { name: string }[]): string | undefined {
  const names = new Set(known.map((migration) => migration.name));
  const unknown = applied.filter((name) => !names.has(name));
  return unknown.length > 0
    ? `it was written by a newer version of the portal (migrations ${unknown.join(', ')}): update the portal first`
    : undefined;
}

/** Applies the pending migrations to the database (named `name` in a refusal); returns the names of those applied. */
export async function migrate(orm: MikroORM, name: string): Promise<string[]> {
  const applied = (await orm.migrator.getExecuted()).map((migration) => migration.name);
  const problem = problemWithMigrations(applied, orm.config.get('migrations').migrationsList ?? []);
  if (problem) {
    throw new Error(`the database ${name} cannot be used: ${problem}`);
  }
  return (await orm.migrator.up()).map((migration) => migration.name);
}

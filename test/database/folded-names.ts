import type { MigrationObject } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/sql';

/**
 * Names stored before the folded names migration (`now`: a timestamp in the database's SQL), with one that has a
 * letter cased since Unicode 16 (Ɤ, U+A7CB), which PostgreSQL's ICU may not know yet.
 */
export async function storeNamesToFold(em: EntityManager, now: string): Promise<void> {
  await em.execute(
    `insert into words (id, thai, english, parts, created_at, updated_at) values (1, 'ก', 'CAFÉ', '{}', ${now}, ${now})`,
  );
  await em.execute(
    `insert into groups (id, name, created_at, updated_at) values (1, 'Ɤx', ${now}, ${now}), (2, 'Ｃａｔ', ${now}, ${now})`,
  );
  await em.execute(
    `insert into learning_apps (id, name, launch_url, created_at, updated_at)
       values (1, 'ÉCOLE', 'https://a.example/', ${now}, ${now})`,
  );
}

/** The names `storeNamesToFold` stored, folded as the API folds them, and unique so. */
export async function expectNamesFolded(em: EntityManager, now: string): Promise<void> {
  expect(await em.execute('select english_folded from words')).toEqual([{ english_folded: 'café' }]);
  expect(await em.execute('select name_folded from groups order by id')).toEqual([
    { name_folded: 'ɤx' },
    { name_folded: 'ｃａｔ' },
  ]);
  expect(await em.execute('select name_folded from learning_apps')).toEqual([{ name_folded: 'école' }]);
  await expect(
    em.execute(`insert into groups (name, name_folded, created_at, updated_at) values ('ɤX', 'ɤx', ${now}, ${now})`),
  ).rejects.toThrow(/unique/i);
}

/** Two groups whose names differ only in the case of a letter cased since Unicode 16, as an older portal stored them. */
export async function storeRepeatedNames(em: EntityManager, now: string): Promise<void> {
  await em.execute(
    `insert into groups (id, name, created_at, updated_at) values (1, 'Ɤx', ${now}, ${now}), (2, 'ɤx', ${now}, ${now})`,
  );
}

/** The names of `migrations` from `first` on, the ones a refusal of `first` leaves pending. */
const fromOn = (migrations: MigrationObject[], first: string) =>
  migrations.slice(migrations.findIndex((migration) => migration.name === first)).map((migration) => migration.name);

/**
 * The folded names migration refuses the names `storeRepeatedNames` stored, naming both, and changes nothing, of the
 * database's `migrations`.
 */
export async function expectRepeatedNamesRefused(
  orm: MikroORM,
  em: EntityManager,
  migrations: MigrationObject[],
): Promise<void> {
  await expect(orm.migrator.up()).rejects.toThrow(
    /^Groups 1 "Ɤx" and 2 "ɤx" have one name ignoring case \(docs\/api\.md §1\), which must be unique so: change one of each/,
  );
  expect((await orm.migrator.getPending()).map((migration) => migration.name)).toEqual(
    fromOn(migrations, 'Migration20261220090000_folded_names'),
  );
  expect(await em.execute('select name from groups order by id')).toEqual([{ name: 'Ɤx' }, { name: 'ɤx' }]);
}

/** Names as the API folded them before the refolded names migration: lower case only (`now`: a timestamp in SQL). */
export async function storeNamesToRefold(em: EntityManager, now: string): Promise<void> {
  await em.execute(
    `insert into words (id, thai, english, english_folded, parts, created_at, updated_at)
       values (1, 'ถนน', 'ΟΔΟΣ', 'οδος', '{}', ${now}, ${now}), (2, 'ถนน', 'Straße', 'straße', '{}', ${now}, ${now})`,
  );
  await em.execute(
    `insert into groups (id, name, name_folded, created_at, updated_at)
       values (1, 'Cat', 'cat', ${now}, ${now}), (2, 'e\u0301cole', 'e\u0301cole', ${now}, ${now})`,
  );
  await em.execute(
    `insert into learning_apps (id, name, name_folded, launch_url, created_at, updated_at)
       values (1, 'MASSE', 'masse', 'https://a.example/', ${now}, ${now})`,
  );
}

/** The names `storeNamesToRefold` stored, folded as the API folds them now. */
export async function expectNamesRefolded(em: EntityManager): Promise<void> {
  expect(await em.execute('select english_folded from words order by id')).toEqual([
    { english_folded: 'οδοσ' },
    { english_folded: 'straße' },
  ]);
  expect(await em.execute('select name_folded from groups order by id')).toEqual([
    { name_folded: 'cat' },
    { name_folded: 'école' },
  ]);
  expect(await em.execute('select name_folded from learning_apps')).toEqual([{ name_folded: 'masse' }]);
}

/** Two groups that lower case told apart and the folding makes one, as an older portal stored them. */
export async function storeNamesTheFoldingJoins(em: EntityManager, now: string): Promise<void> {
  await em.execute(
    `insert into groups (id, name, name_folded, created_at, updated_at)
       values (1, 'ΟΔΟΣ', 'οδος', ${now}, ${now}), (2, 'οδοσ', 'οδοσ', ${now}, ${now})`,
  );
}

/**
 * The refolded names migration refuses the names `storeNamesTheFoldingJoins` stored, naming both, and changes nothing,
 * of the database's `migrations`.
 */
export async function expectFoldingJoinsRefused(
  orm: MikroORM,
  em: EntityManager,
  migrations: MigrationObject[],
): Promise<void> {
  await expect(orm.migrator.up()).rejects.toThrow(
    /^Groups 1 "ΟΔΟΣ" and 2 "οδοσ" have one name ignoring case \(docs\/api\.md §1\), which must be unique so: change one of each/,
  );
  expect((await orm.migrator.getPending()).map((migration) => migration.name)).toEqual(
    fromOn(migrations, 'Migration20261222090000_refolded_names'),
  );
  expect(await em.execute('select name_folded from groups order by id')).toEqual([
    { name_folded: 'οδος' },
    { name_folded: 'οδοσ' },
  ]);
}

import { Migration } from '@mikro-orm/migrations';

// Names folded as the API folded them when this was written (src/core/names.ts); a migration keeps its own copy.
const fold = (text: string) => text.toLowerCase();

/** The unique indexes of names (and of a word's thai and english): the columns compared exactly, the folded one. */
const UNIQUES = [
  { index: 'groups_name_unique', table: 'groups', exact: [], column: 'name' },
  { index: 'learning_apps_name_unique', table: 'learning_apps', exact: [], column: 'name' },
  { index: 'words_thai_english_unique', table: 'words', exact: ['thai'], column: 'english' },
] as const;

const ROWS_A_STATEMENT = 500;

/**
 * The migration that stores each name (and a word's english) folded to lower case beside it, filled here in
 * JavaScript, and makes the unique indexes compare those: the API's checks and the indexes then fold alike, on
 * both databases, whose own foldings differ from JavaScript's (SQLite's NOCASE A–Z only; PostgreSQL's ICU by its
 * Unicode version). `index` is the unique index as the last migration left it, on `column` (to drop in up() and to
 * build again in down()).
 */
export const foldedNamesMigration = (index: (column: string) => string) =>
  class extends Migration {
    override name = 'Migration20261220090000_folded_names';

    override async up(): Promise<void> {
      for (const { index: name, table, exact, column } of UNIQUES) {
        await this.execute(`alter table "${table}" add column "${column}_folded" text not null default ''`);
        const rows = (await this.execute(`select "id", "${column}" as "text" from "${table}"`)) as {
          id: number;
          text: string;
        }[];
        for (let start = 0; start < rows.length; start += ROWS_A_STATEMENT) {
          const chunk = rows.slice(start, start + ROWS_A_STATEMENT);
          await this.execute(
            `update "${table}" set "${column}_folded" = case "id" ${chunk.map(() => 'when ? then ?').join(' ')} end
               where "id" in (${chunk.map(() => '?').join(', ')})`,
            [...chunk.flatMap((row) => [row.id, fold(row.text)]), ...chunk.map((row) => row.id)],
          );
        }
        await this.execute(`drop index "${name}"`);
        const columns = [...exact, `${column}_folded`].map((key) => `"${key}"`);
        await this.execute(`create unique index "${name}" on "${table}" (${columns.join(', ')})`);
      }
    }

    override async down(): Promise<void> {
      for (const { index: name, table, exact, column } of UNIQUES) {
        await this.execute(`drop index "${name}"`);
        const columns = [...exact.map((key) => `"${key}"`), index(column)];
        await this.execute(`create unique index "${name}" on "${table}" (${columns.join(', ')})`);
        await this.execute(`alter table "${table}" drop column "${column}_folded"`);
      }
    }
  };

import { Migration } from '@mikro-orm/migrations';

// Names folded as the API folded them when this was written (src/core/names.ts); a migration keeps its own copy.
export const lowerCased = (text: string) => text.toLowerCase();

/** The unique indexes of names (and of a word's thai and english): the columns compared exactly, the folded one. */
export const UNIQUES = [
  { index: 'groups_name_unique', table: 'groups', exact: [], column: 'name', rows: 'Groups' },
  { index: 'learning_apps_name_unique', table: 'learning_apps', exact: [], column: 'name', rows: 'Learning apps' },
  { index: 'words_thai_english_unique', table: 'words', exact: ['thai'], column: 'english', rows: 'Words' },
] as const;

/** A row of a table of UNIQUES: its id, its text to fold, and what is compared exactly beside it. */
export interface NamedRow {
  id: number;
  text: string;
  exact: string;
}

/** The rows of `table`, oldest first, as NamedRows. */
export const namedRowsOf = (table: string, exact: readonly string[], column: string) =>
  `select "id", "${column}" as "text", ${exact.length > 0 ? exact.map((key) => `"${key}"`).join(' || ') : "''"} as "exact"
     from "${table}" order by "id"`;

/**
 * Rows that `fold` makes one (where PostgreSQL's ICU did not know a letter's case that Node's does, or a folding
 * that makes more names one): the migration stops, naming them, for someone to rename one of each pair; a row is
 * never renamed unasked.
 */
export function refuseRepeats(rows: NamedRow[], what: string, column: string, fold: (text: string) => string): void {
  const first = new Map<string, { id: number; text: string }>();
  const repeats: string[] = [];
  for (const row of rows) {
    const key = `${row.exact}\u0000${fold(row.text)}`;
    const earlier = first.get(key);
    if (earlier) {
      repeats.push(`${earlier.id} "${earlier.text}" and ${row.id} "${row.text}"`);
    } else {
      first.set(key, row);
    }
  }
  if (repeats.length > 0) {
    throw new Error(
      `${what} ${repeats.join(', ')} have one ${column} ignoring case (docs/api.md §1), which must be unique so: ` +
        `change one of each (with the version that wrote them, or in SQL), then start again`,
    );
  }
}

const ROWS_A_STATEMENT = 500;

/** Writes each row's text folded by `fold` into its `<column>_folded`, ROWS_A_STATEMENT rows a statement. */
export async function storeFolded(
  migration: Migration,
  table: string,
  column: string,
  rows: NamedRow[],
  fold: (text: string) => string,
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_A_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_A_STATEMENT);
    await migration.execute(
      `update "${table}" set "${column}_folded" = case "id" ${chunk.map(() => 'when ? then ?').join(' ')} end
         where "id" in (${chunk.map(() => '?').join(', ')})`,
      [...chunk.flatMap((row) => [row.id, fold(row.text)]), ...chunk.map((row) => row.id)],
    );
  }
}

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
      for (const { index: name, table, exact, column, rows: what } of UNIQUES) {
        const rows = (await this.execute(namedRowsOf(table, exact, column))) as NamedRow[];
        refuseRepeats(rows, what, column, lowerCased);
        await this.execute(`alter table "${table}" add column "${column}_folded" text not null default ''`);
        await storeFolded(this, table, column, rows, lowerCased);
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

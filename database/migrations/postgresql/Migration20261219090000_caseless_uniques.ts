import { Migration } from '@mikro-orm/migrations';

/** The unique indexes of names (and of a word's thai and english): table, the columns compared exactly, the caseless one. */
const UNIQUES = [
  ['groups_name_unique', 'groups', [], 'name'],
  ['learning_apps_name_unique', 'learning_apps', [], 'name'],
  ['words_thai_english_unique', 'words', ['thai'], 'english'],
] as const;

/**
 * Names compared by the unique indexes as the checks before each write compare them (`folded`, in lower case in every
 * script) instead of by the `nocase` collation, which also equates width variants (`cat`, `ｃａｔ`): an import's dry run
 * and the import agree, and a name the check takes is never refused by the index. PostgreSQL only: SQLite's indexes
 * compare A–Z only, which the checks always fold too.
 */
export class Migration20261219090000_caseless_uniques extends Migration {
  override name = 'Migration20261219090000_caseless_uniques';

  override up(): void | Promise<void> {
    for (const [name, table, exact, caseless] of UNIQUES) {
      this.addSql(`alter table "${table}" drop constraint "${name}";`);
      const keys = [...exact.map((column) => `"${column}"`), `lower(("${caseless}") collate "und-x-icu")`];
      this.addSql(`create unique index "${name}" on "${table}" (${keys.join(', ')});`);
    }
  }

  override down(): void | Promise<void> {
    for (const [name, table, exact, caseless] of UNIQUES) {
      this.addSql(`drop index "${name}";`);
      const columns = [...exact, caseless].map((column) => `"${column}"`);
      this.addSql(`alter table "${table}" add constraint "${name}" unique (${columns.join(', ')});`);
    }
  }
}

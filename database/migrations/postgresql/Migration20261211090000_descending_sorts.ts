import { Migration } from '@mikro-orm/migrations';

const SORT_COLUMNS = ['thai_sort', 'english', 'correct_count', 'wrong_count', 'created_at'];

/**
 * The word lists read their words in order from an index in either order of each sort (the SQLite migration of the
 * same name, and src/words/word.entity.ts, say why).
 */
export class Migration20261211090000_descending_sorts extends Migration {
  override name = 'Migration20261211090000_descending_sorts';

  override up(): void | Promise<void> {
    for (const column of SORT_COLUMNS) {
      this.addSql(`drop index "words_${column}_index";`);
      this.addSql(`create index "words_${column}_index" on "words" ("${column}", "id");`);
      this.addSql(`create index "words_${column}_desc_index" on "words" ("${column}" desc, "id");`);
    }
    this.addSql('analyze "words";');
  }

  override down(): void | Promise<void> {
    for (const column of SORT_COLUMNS) {
      this.addSql(`drop index "words_${column}_desc_index";`);
      this.addSql(`drop index "words_${column}_index";`);
      this.addSql(`create index "words_${column}_index" on "words" ("${column}");`);
    }
  }
}

import { Migration } from '@mikro-orm/migrations';

/** The log's right or wrong answers in time order from an index (the SQLite migration of the same name says why). */
export class Migration20261214090000_log_by_correctness extends Migration {
  override name = 'Migration20261214090000_log_by_correctness';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "words_review_items_correct_reviewed_at_index" on "words_review_items" ("correct", "reviewed_at");`,
    );
    this.addSql('analyze "words_review_items";');
  }

  override down(): void | Promise<void> {
    this.addSql('drop index "words_review_items_correct_reviewed_at_index";');
  }
}

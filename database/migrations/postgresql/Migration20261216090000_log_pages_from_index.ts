import { Migration } from '@mikro-orm/migrations';

/**
 * The log's indexes in time order end in the answer's id, as SQLite's end in the rowid (ReviewItem's indexes; why,
 * in ReviewsService.list). PostgreSQL only: SQLite's indexes hold the id already.
 */
export class Migration20261216090000_log_pages_from_index extends Migration {
  override name = 'Migration20261216090000_log_pages_from_index';

  override up(): void | Promise<void> {
    this.addSql('drop index "words_review_items_reviewed_at_index";');
    this.addSql('create index "words_review_items_reviewed_at_index" on "words_review_items" ("reviewed_at", "id");');
    this.addSql('drop index "words_review_items_correct_reviewed_at_index";');
    this.addSql(
      'create index "words_review_items_correct_reviewed_at_index" on "words_review_items" ("correct", "reviewed_at", "id");',
    );
    this.addSql('analyze "words_review_items";');
  }

  override down(): void | Promise<void> {
    this.addSql('drop index "words_review_items_reviewed_at_index";');
    this.addSql('create index "words_review_items_reviewed_at_index" on "words_review_items" ("reviewed_at");');
    this.addSql('drop index "words_review_items_correct_reviewed_at_index";');
    this.addSql(
      'create index "words_review_items_correct_reviewed_at_index" on "words_review_items" ("correct", "reviewed_at");',
    );
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * The log's right or wrong answers in time order from an index (src/reviews/review-item.entity.ts): a deep page of
 * `GET /reviews?correct=false` read every answer of the other kind before its own. Then statistics for the planner.
 */
export class Migration20261214090000_log_by_correctness extends Migration {
  override name = 'Migration20261214090000_log_by_correctness';

  override up(): void | Promise<void> {
    this.addSql(
      'create index `words_review_items_correct_reviewed_at_index` on `words_review_items` (`correct`, `reviewed_at`);',
    );
    this.addSql('analyze `words_review_items`;');
  }

  override down(): void | Promise<void> {
    this.addSql('drop index `words_review_items_correct_reviewed_at_index`;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * An index for every filter and sort the large portal asks for that had none (`bench/results.md`): the word
 * lists sorted by a counter or by creation time (and the queue's never-answered words), the group list
 * sorted by size or creation time, and the count of mastered words. Then statistics for the query planner.
 */
export class Migration20261205090000_indexes extends Migration {
  override name = 'Migration20261205090000_indexes';

  override up(): void | Promise<void> {
    this.addSql('create index `words_correct_count_index` on `words` (`correct_count`);');
    this.addSql('create index `words_wrong_count_index` on `words` (`wrong_count`);');
    this.addSql('create index `words_created_at_index` on `words` (`created_at`);');
    this.addSql('create index `groups_words_count_index` on `groups` (`words_count`);');
    this.addSql('create index `groups_created_at_index` on `groups` (`created_at`);');
    this.addSql('create index `cards_state_stability_index` on `cards` (`state`, `stability`);');
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql('drop index `cards_state_stability_index`;');
    this.addSql('drop index `groups_created_at_index`;');
    this.addSql('drop index `groups_words_count_index`;');
    this.addSql('drop index `words_created_at_index`;');
    this.addSql('drop index `words_wrong_count_index`;');
    this.addSql('drop index `words_correct_count_index`;');
  }
}

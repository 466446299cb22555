import { Migration } from '@mikro-orm/migrations';

/**
 * The counters (`words.correct_count`/`wrong_count`, `groups.words_count`) are kept by the database:
 * triggers, declared on the ReviewItem and WordGroup entities, move them with every insert or delete of
 * a review or a membership, cascades included, so no code path can forget one.
 */
export class Migration20261130090000_counters extends Migration {
  override name = 'Migration20261130090000_counters';

  override up(): void | Promise<void> {
    this.addSql(
      `create trigger \`review_counted_in_word\` AFTER INSERT on \`words_review_items\` for each ROW begin update words set correct_count = correct_count + new.correct,
        wrong_count = wrong_count + 1 - new.correct where id = new.word_id; end;`,
    );
    this.addSql(
      `create trigger \`review_uncounted_in_word\` AFTER DELETE on \`words_review_items\` for each ROW begin update words set correct_count = correct_count - old.correct,
        wrong_count = wrong_count - 1 + old.correct where id = old.word_id; end;`,
    );
    this.addSql(
      `create trigger \`member_counted_in_group\` AFTER INSERT on \`words_groups\` for each ROW begin update groups set words_count = words_count + 1 where id = new.group_id; end;`,
    );
    this.addSql(
      `create trigger \`member_uncounted_in_group\` AFTER DELETE on \`words_groups\` for each ROW begin update groups set words_count = words_count - 1 where id = old.group_id; end;`,
    );
    // From now on the triggers keep them; start from exact values.
    this.addSql(`update \`words\` set
      \`correct_count\` = (select count(*) from \`words_review_items\` r where r.\`word_id\` = \`words\`.\`id\` and r.\`correct\` = 1),
      \`wrong_count\` = (select count(*) from \`words_review_items\` r where r.\`word_id\` = \`words\`.\`id\` and r.\`correct\` = 0);`);
    this.addSql(
      `update \`groups\` set \`words_count\` = (select count(*) from \`words_groups\` m where m.\`group_id\` = \`groups\`.\`id\`);`,
    );
  }

  override down(): void | Promise<void> {
    for (const trigger of [
      'review_counted_in_word',
      'review_uncounted_in_word',
      'member_counted_in_group',
      'member_uncounted_in_group',
    ]) {
      this.addSql(`drop trigger if exists \`${trigger}\`;`);
    }
  }
}

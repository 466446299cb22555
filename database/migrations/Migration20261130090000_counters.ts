import { Migration } from '@mikro-orm/migrations';

/**
 * The counters (`words.correct_count`/`wrong_count`, `groups.words_count`) are kept by the database:
 * every insert or delete of a review or a membership moves them, including rows deleted by a cascade,
 * so no code path can forget one.
 */
export class Migration20261130090000_counters extends Migration {
  override name = 'Migration20261130090000_counters';

  override up(): void | Promise<void> {
    this.addSql(`create trigger \`words_review_items_counters_insert\` after insert on \`words_review_items\` begin
      update \`words\` set \`correct_count\` = \`correct_count\` + new.\`correct\`, \`wrong_count\` = \`wrong_count\` + 1 - new.\`correct\`
       where \`id\` = new.\`word_id\`;
    end;`);
    this.addSql(`create trigger \`words_review_items_counters_delete\` after delete on \`words_review_items\` begin
      update \`words\` set \`correct_count\` = \`correct_count\` - old.\`correct\`, \`wrong_count\` = \`wrong_count\` - 1 + old.\`correct\`
       where \`id\` = old.\`word_id\`;
    end;`);
    this.addSql(`create trigger \`words_groups_words_count_insert\` after insert on \`words_groups\` begin
      update \`groups\` set \`words_count\` = \`words_count\` + 1 where \`id\` = new.\`group_id\`;
    end;`);
    this.addSql(`create trigger \`words_groups_words_count_delete\` after delete on \`words_groups\` begin
      update \`groups\` set \`words_count\` = \`words_count\` - 1 where \`id\` = old.\`group_id\`;
    end;`);
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
      'words_review_items_counters_insert',
      'words_review_items_counters_delete',
      'words_groups_words_count_insert',
      'words_groups_words_count_delete',
    ]) {
      this.addSql(`drop trigger if exists \`${trigger}\`;`);
    }
  }
}

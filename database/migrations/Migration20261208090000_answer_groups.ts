import { Migration } from '@mikro-orm/migrations';

/**
 * Each answer given in a study session names the session's group, filled from the sessions here: a group's
 * statistics read the log alone (the record store reads no other module's table), and from one index instead of
 * each of the group's answers in the table.
 */
export class Migration20261208090000_answer_groups extends Migration {
  override name = 'Migration20261208090000_answer_groups';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table \`words_review_items\` add column \`group_id\` integer null constraint \`words_review_items_group_id_foreign\` references \`groups\` (\`id\`) on delete cascade;`,
    );
    this.addSql(`update \`words_review_items\` set \`group_id\` =
      (select s.\`group_id\` from \`study_sessions\` s where s.\`id\` = \`words_review_items\`.\`study_session_id\`)
      where \`study_session_id\` is not null;`);
    this.addSql(
      `create index \`words_review_items_group_id_word_id_correct_reviewed_at_index\` on \`words_review_items\` (\`group_id\`, \`word_id\`, \`correct\`, \`reviewed_at\`);`,
    );
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql('drop index `words_review_items_group_id_word_id_correct_reviewed_at_index`;');
    this.addSql('alter table `words_review_items` drop column `group_id`;');
  }
}

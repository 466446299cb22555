import { Migration } from '@mikro-orm/migrations';

/**
 * Each answer given in a study session names the session's group, filled from the sessions here (the SQLite
 * migration of the same name explains why).
 */
export class Migration20261208090000_answer_groups extends Migration {
  override name = 'Migration20261208090000_answer_groups';

  override up(): void | Promise<void> {
    this.addSql(`alter table "words_review_items" add "group_id" int null;`);
    this.addSql(`update "words_review_items" r set "group_id" = s."group_id" from "study_sessions" s
      where s."id" = r."study_session_id";`);
    this.addSql(
      `alter table "words_review_items" add constraint "words_review_items_group_id_foreign" foreign key ("group_id") references "groups" ("id") on delete cascade;`,
    );
    this.addSql(
      `create index "words_review_items_group_id_word_id_correct_reviewed_at_index" on "words_review_items" ("group_id", "word_id", "correct", "reviewed_at");`,
    );
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "words_review_items_group_id_word_id_correct_reviewed_at_index";`);
    this.addSql(`alter table "words_review_items" drop constraint "words_review_items_group_id_foreign";`);
    this.addSql(`alter table "words_review_items" drop column "group_id";`);
  }
}

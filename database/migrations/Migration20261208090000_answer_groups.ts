import { Migration } from '@mikro-orm/migrations';

/**
 * Each answer given in a study session names the session's group, and a group's answer counters, kept by
 * triggers on the log as a word's and a session's are, are filled from it here: a group's statistics read its row
 * instead of joining the sessions of another module to aggregate their answers.
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
      `create index \`words_review_items_group_id_word_id_index\` on \`words_review_items\` (\`group_id\`, \`word_id\`);`,
    );
    this.addSql(`alter table \`groups\` add column \`review_items_count\` integer not null default 0;`);
    this.addSql(`alter table \`groups\` add column \`correct_count\` integer not null default 0;`);
    this.addSql(`alter table \`groups\` add column \`studied_word_count\` integer not null default 0;`);
    this.addSql(`alter table \`groups\` add column \`last_reviewed_at\` datetime null;`);
    this
      .addSql(`update \`groups\` set (\`review_items_count\`, \`correct_count\`, \`studied_word_count\`, \`last_reviewed_at\`) =
      (select count(*), coalesce(sum(r.\`correct\`), 0), count(distinct r.\`word_id\`), max(r.\`reviewed_at\`)
        from \`words_review_items\` r where r.\`group_id\` = \`groups\`.\`id\`);`);
    this
      .addSql(`create trigger \`review_counted_in_group\` AFTER INSERT on \`words_review_items\` for each ROW begin update groups set review_items_count = review_items_count + 1,
        correct_count = correct_count + new.correct,
        studied_word_count = studied_word_count + (not exists (select 1 from words_review_items o where o.group_id = new.group_id and o.word_id = new.word_id and o.id <> new.id)),
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.group_id; end;`);
    this
      .addSql(`create trigger \`review_uncounted_in_group\` AFTER DELETE on \`words_review_items\` for each ROW begin update groups set review_items_count = review_items_count - 1,
        correct_count = correct_count - old.correct,
        studied_word_count = studied_word_count - (not exists (select 1 from words_review_items o where o.group_id = old.group_id and o.word_id = old.word_id and o.id <> old.id)) where id = old.group_id;       update groups set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.group_id = old.group_id and o.id <> old.id)
        where id = old.group_id and last_reviewed_at <= old.reviewed_at; end;`);
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql('drop trigger if exists `review_uncounted_in_group`;');
    this.addSql('drop trigger if exists `review_counted_in_group`;');
    this.addSql('alter table `groups` drop column `last_reviewed_at`;');
    this.addSql('alter table `groups` drop column `studied_word_count`;');
    this.addSql('alter table `groups` drop column `correct_count`;');
    this.addSql('alter table `groups` drop column `review_items_count`;');
    this.addSql('drop index `words_review_items_group_id_word_id_index`;');
    this.addSql('alter table `words_review_items` drop column `group_id`;');
  }
}

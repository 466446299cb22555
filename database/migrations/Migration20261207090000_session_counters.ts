import { Migration } from '@mikro-orm/migrations';

/**
 * A study session's answer counters, kept by triggers on the log as a word's are, and filled from the log here:
 * a page of sessions reads them instead of aggregating its answers, and the lists sorted by them use their
 * indexes. The log's index by session also orders each session's answers by time, so that an answer leaving the
 * counters finds the session's last one in one seek.
 */
export class Migration20261207090000_session_counters extends Migration {
  override name = 'Migration20261207090000_session_counters';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`study_sessions\` add column \`review_items_count\` integer not null default 0;`);
    this.addSql(`alter table \`study_sessions\` add column \`correct_count\` integer not null default 0;`);
    this.addSql(`alter table \`study_sessions\` add column \`last_reviewed_at\` datetime null;`);
    this.addSql(`drop index \`words_review_items_study_session_id_index\`;`);
    this.addSql(
      `create index \`words_review_items_study_session_id_reviewed_at_index\` on \`words_review_items\` (\`study_session_id\`, \`reviewed_at\`);`,
    );
    this.addSql(`update \`study_sessions\` set (\`review_items_count\`, \`correct_count\`, \`last_reviewed_at\`) =
      (select count(*), coalesce(sum(r.\`correct\`), 0), max(r.\`reviewed_at\`) from \`words_review_items\` r
        where r.\`study_session_id\` = \`study_sessions\`.\`id\`);`);
    this.addSql(
      `create index \`study_sessions_review_items_count_index\` on \`study_sessions\` (\`review_items_count\`);`,
    );
    this.addSql(`create index \`study_sessions_correct_count_index\` on \`study_sessions\` (\`correct_count\`);`);
    this.addSql(`create index \`study_sessions_last_reviewed_at_index\` on \`study_sessions\` (\`last_reviewed_at\`);`);
    this
      .addSql(`create trigger \`review_counted_in_session\` AFTER INSERT on \`words_review_items\` for each ROW begin update study_sessions set review_items_count = review_items_count + 1,
        correct_count = correct_count + new.correct,
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.study_session_id; end;`);
    this
      .addSql(`create trigger \`review_uncounted_in_session\` AFTER DELETE on \`words_review_items\` for each ROW begin update study_sessions set review_items_count = review_items_count - 1,
        correct_count = correct_count - old.correct where id = old.study_session_id;       update study_sessions set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.study_session_id = old.study_session_id)
        where id = old.study_session_id and last_reviewed_at <= old.reviewed_at; end;`);
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql('drop trigger if exists `review_uncounted_in_session`;');
    this.addSql('drop trigger if exists `review_counted_in_session`;');
    this.addSql('drop index `study_sessions_last_reviewed_at_index`;');
    this.addSql('drop index `study_sessions_correct_count_index`;');
    this.addSql('drop index `study_sessions_review_items_count_index`;');
    this.addSql('drop index `words_review_items_study_session_id_reviewed_at_index`;');
    this.addSql(
      'create index `words_review_items_study_session_id_index` on `words_review_items` (`study_session_id`);',
    );
    this.addSql('alter table `study_sessions` drop column `last_reviewed_at`;');
    this.addSql('alter table `study_sessions` drop column `correct_count`;');
    this.addSql('alter table `study_sessions` drop column `review_items_count`;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * A study session's answer counters, kept by triggers on the log as a word's are, and filled from the log here
 * (the SQLite migration of the same name explains why).
 */
export class Migration20261207090000_session_counters extends Migration {
  override name = 'Migration20261207090000_session_counters';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "study_sessions" add "review_items_count" int not null default 0, add "correct_count" int not null default 0, add "last_reviewed_at" timestamptz null;`,
    );
    this.addSql(`create index "study_sessions_review_items_count_index" on "study_sessions" ("review_items_count");`);
    this.addSql(`create index "study_sessions_correct_count_index" on "study_sessions" ("correct_count");`);
    this.addSql(`create index "study_sessions_last_reviewed_at_index" on "study_sessions" ("last_reviewed_at");`);

    this.addSql(`drop index "words_review_items_study_session_id_index";`);
    this.addSql(
      `create index "words_review_items_study_session_id_reviewed_at_index" on "words_review_items" ("study_session_id", "reviewed_at");`,
    );
    this.addSql(`update "study_sessions" s set "review_items_count" = r.answers, "correct_count" = r.correct,
        "last_reviewed_at" = r.last
      from (select "study_session_id", count(*) as answers, sum("correct"::int) as correct, max("reviewed_at") as last
        from "words_review_items" group by "study_session_id") r
      where r."study_session_id" = s."id";`);
    this
      .addSql(`create or replace function "words_review_items_review_counted_in_session_fn"() returns trigger as $$ begin update study_sessions set review_items_count = review_items_count + 1,
        correct_count = correct_count + (new.correct)::int,
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.study_session_id; return null; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_counted_in_session" AFTER INSERT on "words_review_items" for each ROW execute function "words_review_items_review_counted_in_session_fn"();`,
    );
    this
      .addSql(`create or replace function "words_review_items_review_uncounted_in_session_fn"() returns trigger as $$ begin update study_sessions set review_items_count = review_items_count - 1,
        correct_count = correct_count - (old.correct)::int where id = old.study_session_id;       update study_sessions set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.study_session_id = old.study_session_id)
        where id = old.study_session_id and last_reviewed_at <= old.reviewed_at; return null; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_uncounted_in_session" AFTER DELETE on "words_review_items" for each ROW execute function "words_review_items_review_uncounted_in_session_fn"();`,
    );
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "study_sessions_review_items_count_index";`);
    this.addSql(`drop index "study_sessions_correct_count_index";`);
    this.addSql(`drop index "study_sessions_last_reviewed_at_index";`);
    this.addSql(
      `alter table "study_sessions" drop column "review_items_count", drop column "correct_count", drop column "last_reviewed_at";`,
    );

    this.addSql(`drop index "words_review_items_study_session_id_reviewed_at_index";`);
    this.addSql(`drop trigger if exists "review_counted_in_session" on "words_review_items";`);
    this.addSql(`drop function if exists "words_review_items_review_counted_in_session_fn"();`);
    this.addSql(`drop trigger if exists "review_uncounted_in_session" on "words_review_items";`);
    this.addSql(`drop function if exists "words_review_items_review_uncounted_in_session_fn"();`);
    this.addSql(
      `create index "words_review_items_study_session_id_index" on "words_review_items" ("study_session_id");`,
    );
  }
}

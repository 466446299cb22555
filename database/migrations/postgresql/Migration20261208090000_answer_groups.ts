import { Migration } from '@mikro-orm/migrations';

/**
 * Each answer given in a study session names the session's group, and a group's answer counters are filled from
 * it here (the SQLite migration of the same name explains why).
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
      `create index "words_review_items_group_id_word_id_index" on "words_review_items" ("group_id", "word_id");`,
    );
    this.addSql(
      `alter table "groups" add "review_items_count" int not null default 0, add "correct_count" int not null default 0, add "studied_word_count" int not null default 0, add "last_reviewed_at" timestamptz null;`,
    );
    this.addSql(`update "groups" g set "review_items_count" = r.answers, "correct_count" = r.correct,
        "studied_word_count" = r.studied, "last_reviewed_at" = r.last
      from (select "group_id", count(*) as answers, sum("correct"::int) as correct, count(distinct "word_id") as studied,
          max("reviewed_at") as last
        from "words_review_items" where "group_id" is not null group by "group_id") r
      where r."group_id" = g."id";`);
    this
      .addSql(`create or replace function "words_review_items_review_counted_in_group_fn"() returns trigger as $$ begin update groups set review_items_count = review_items_count + 1,
        correct_count = correct_count + (new.correct)::int,
        studied_word_count = studied_word_count + ((not exists (select 1 from words_review_items o where o.group_id = new.group_id and o.word_id = new.word_id and o.id <> new.id))::int),
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.group_id; return new; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_counted_in_group" BEFORE INSERT on "words_review_items" for each ROW execute function "words_review_items_review_counted_in_group_fn"();`,
    );
    this
      .addSql(`create or replace function "words_review_items_review_uncounted_in_group_fn"() returns trigger as $$ begin update groups set review_items_count = review_items_count - 1,
        correct_count = correct_count - (old.correct)::int,
        studied_word_count = studied_word_count - ((not exists (select 1 from words_review_items o where o.group_id = old.group_id and o.word_id = old.word_id and o.id <> old.id))::int) where id = old.group_id;       update groups set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.group_id = old.group_id and o.id <> old.id)
        where id = old.group_id and last_reviewed_at <= old.reviewed_at; return old; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_uncounted_in_group" BEFORE DELETE on "words_review_items" for each ROW execute function "words_review_items_review_uncounted_in_group_fn"();`,
    );
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "review_uncounted_in_group" on "words_review_items";`);
    this.addSql(`drop function if exists "words_review_items_review_uncounted_in_group_fn"();`);
    this.addSql(`drop trigger if exists "review_counted_in_group" on "words_review_items";`);
    this.addSql(`drop function if exists "words_review_items_review_counted_in_group_fn"();`);
    this.addSql(
      `alter table "groups" drop column "review_items_count", drop column "correct_count", drop column "studied_word_count", drop column "last_reviewed_at";`,
    );
    this.addSql(`drop index "words_review_items_group_id_word_id_index";`);
    this.addSql(`alter table "words_review_items" drop constraint "words_review_items_group_id_foreign";`);
    this.addSql(`alter table "words_review_items" drop column "group_id";`);
  }
}

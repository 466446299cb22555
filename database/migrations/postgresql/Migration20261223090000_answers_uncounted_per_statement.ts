import { Migration } from '@mikro-orm/migrations';

/**
 * The answers a statement deletes are counted out of their words, sessions, groups and summaries once per statement
 * instead of once per row (why, in the PostgreSQL dialect's deletedRowsTriggers; what, in review-item.entity.ts).
 * PostgreSQL only: SQLite keeps its row triggers.
 */
const ROW_TRIGGERS = [
  'review_uncounted',
  'review_uncounted_in_group',
  'review_uncounted_in_quarter_hour',
  'review_uncounted_in_session',
  'review_unscheduled_in_card',
];

export class Migration20261223090000_answers_uncounted_per_statement extends Migration {
  override name = 'Migration20261223090000_answers_uncounted_per_statement';

  override up(): void | Promise<void> {
    for (const name of ROW_TRIGGERS) {
      this.dropTrigger(name);
    }
    this.addSql(
      `create or replace function "words_review_items_review_uncounted_fn"() returns trigger as $$ begin if not exists (select 1 from deleted) then return null; end if;
      update words set correct_count = correct_count - d.gone_correct, wrong_count = wrong_count - (d.gone - d.gone_correct)
        from (select word_id, count(*) as gone, sum((correct)::int) as gone_correct
          from deleted where word_id is not null group by word_id) d where words.id = d.word_id;
      update words set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.word_id = words.id group by o.word_id)
        from (select word_id, max(reviewed_at) as newest from deleted group by word_id) d
        where words.id = d.word_id and words.last_reviewed_at <= d.newest;
      update answer_totals set answers = answers - d.gone, correct = correct - d.gone_correct,
        studied_words = studied_words - (select sum((not exists (select 1 from words_review_items o where o.word_id = w.word_id))::int) from (select distinct word_id from deleted) w)
        from (select count(*) as gone, sum((correct)::int) as gone_correct from deleted) d where id = 1;
      update groups set review_items_count = review_items_count - d.gone, correct_count = correct_count - d.gone_correct, studied_word_count = studied_word_count - d.gone_studied_word_count
        from (select group_id, sum(gone) as gone, sum(gone_correct) as gone_correct, sum(last) as gone_studied_word_count
          from (select group_id, count(*) as gone, sum((correct)::int) as gone_correct, (not exists (select 1 from words_review_items o where o.word_id = deleted.word_id and o.group_id = deleted.group_id))::int as last
            from deleted where group_id is not null group by group_id, word_id) w group by group_id) d where groups.id = d.group_id;
      update groups set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.group_id = groups.id group by o.group_id)
        from (select group_id, max(reviewed_at) as newest from deleted group by group_id) d
        where groups.id = d.group_id and groups.last_reviewed_at <= d.newest;
      update answer_quarter_hours set answers = answers - d.gone, review_answers = review_answers - d.gone_in_review,
        review_correct = review_correct - d.gone_right_in_review
        from (select floor(extract(epoch from reviewed_at) / 900)::int as quarter, count(*) as gone, sum(((coalesce(deleted.card_state, 0) = 2)::int)) as gone_in_review,
          sum((((coalesce(deleted.card_state, 0) = 2)::int) * (deleted.correct)::int)) as gone_right_in_review from deleted group by 1) d
        where answer_quarter_hours.quarter = d.quarter;
      update study_sessions set review_items_count = review_items_count - d.gone, correct_count = correct_count - d.gone_correct
        from (select study_session_id, count(*) as gone, sum((correct)::int) as gone_correct
          from deleted where study_session_id is not null group by study_session_id) d where study_sessions.id = d.study_session_id;
      update study_sessions set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.study_session_id = study_sessions.id group by o.study_session_id)
        from (select study_session_id, max(reviewed_at) as newest from deleted group by study_session_id) d
        where study_sessions.id = d.study_session_id and study_sessions.last_reviewed_at <= d.newest;
      update cards set stale = true where word_id in (select word_id from deleted); return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_uncounted" after delete on "words_review_items" referencing old table as deleted for each statement execute function "words_review_items_review_uncounted_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.dropTrigger('review_uncounted');
    this.addSql(
      `create or replace function "words_review_items_review_uncounted_fn"() returns trigger as $$ begin update words set correct_count = correct_count - (old.correct)::int,
        wrong_count = wrong_count - 1 + (old.correct)::int where id = old.word_id;       update words set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.word_id = old.word_id and o.id <> old.id)
        where id = old.word_id and last_reviewed_at <= old.reviewed_at;       update answer_totals set answers = answers - 1, correct = correct - (old.correct)::int,
        studied_words = studied_words - ((not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id))::int) where id = 1; return old; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_uncounted" BEFORE DELETE on "words_review_items" for each ROW execute function "words_review_items_review_uncounted_fn"();`,
    );
    this.addSql(
      `create or replace function "words_review_items_review_uncounted_in_group_fn"() returns trigger as $$ begin update groups set review_items_count = review_items_count - 1,
        correct_count = correct_count - (old.correct)::int,
        studied_word_count = studied_word_count - ((not exists (select 1 from words_review_items o where o.group_id = old.group_id and o.word_id = old.word_id and o.id <> old.id))::int) where id = old.group_id;       update groups set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.group_id = old.group_id and o.id <> old.id)
        where id = old.group_id and last_reviewed_at <= old.reviewed_at; return old; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_uncounted_in_group" BEFORE DELETE on "words_review_items" for each ROW execute function "words_review_items_review_uncounted_in_group_fn"();`,
    );
    this.addSql(
      `create or replace function "words_review_items_review_uncounted_in_quarter_hour_fn"() returns trigger as $$ begin update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - ((coalesce(old.card_state, 0) = 2)::int),
        review_correct = review_correct - (((coalesce(old.card_state, 0) = 2)::int) * (old.correct)::int) where quarter = floor(extract(epoch from old.reviewed_at) / 900)::int; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_uncounted_in_quarter_hour" AFTER DELETE on "words_review_items" for each ROW execute function "words_review_items_review_uncounted_in_quarter_hour_fn"();`,
    );
    this.addSql(
      `create or replace function "words_review_items_review_uncounted_in_session_fn"() returns trigger as $$ begin update study_sessions set review_items_count = review_items_count - 1,
        correct_count = correct_count - (old.correct)::int where id = old.study_session_id;       update study_sessions set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.study_session_id = old.study_session_id)
        where id = old.study_session_id and last_reviewed_at <= old.reviewed_at; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_uncounted_in_session" AFTER DELETE on "words_review_items" for each ROW execute function "words_review_items_review_uncounted_in_session_fn"();`,
    );
    this.addSql(
      `create or replace function "words_review_items_review_unscheduled_in_card_fn"() returns trigger as $$ begin update cards set stale = true where word_id = old.word_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_unscheduled_in_card" AFTER DELETE on "words_review_items" for each ROW execute function "words_review_items_review_unscheduled_in_card_fn"();`,
    );
  }

  private dropTrigger(name: string): void {
    this.addSql(`drop trigger "${name}" on "words_review_items";`);
    this.addSql(`drop function "words_review_items_${name}_fn"();`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * The answers a statement inserts are counted into their words, sessions, groups and summaries once per statement
 * instead of once per row (why, in the PostgreSQL dialect's writtenRowsTriggers; what, in review-item.entity.ts).
 * PostgreSQL only: SQLite keeps its row triggers.
 */
const ROW_TRIGGERS = [
  'review_counted',
  'review_counted_in_group',
  'review_counted_in_quarter_hour',
  'review_counted_in_session',
];

export class Migration20261224090000_answers_counted_per_statement extends Migration {
  override name = 'Migration20261224090000_answers_counted_per_statement';

  override up(): void | Promise<void> {
    for (const name of ROW_TRIGGERS) {
      this.dropTrigger(name);
    }
    this.addSql(
      `create or replace function "words_review_items_review_counted_fn"() returns trigger as $$ begin if not exists (select 1 from inserted) then return null; end if;
      update words set correct_count = correct_count + d.added_correct, wrong_count = wrong_count + (d.added - d.added_correct),
        last_reviewed_at = greatest(last_reviewed_at, d.newest)
        from (select word_id, count(*) as added, sum((correct)::int) as added_correct,
          max(reviewed_at) as newest from inserted where word_id is not null group by word_id) d where words.id = d.word_id;
      insert into answer_totals (id, answers, correct, studied_words)
        select 1, count(*), sum((correct)::int),
          (select sum((not exists (select 1 from words_review_items o where o.word_id = w.word_id and o.id <> all (w.ids)))::int) from (select word_id, array_agg(id) as ids from inserted group by word_id) w)
        from inserted
        on conflict (id) do update set answers = answer_totals.answers + excluded.answers, correct = answer_totals.correct + excluded.correct, studied_words = answer_totals.studied_words + excluded.studied_words;
      update groups set review_items_count = review_items_count + d.added, correct_count = correct_count + d.added_correct, studied_word_count = studied_word_count + d.added_studied_word_count, last_reviewed_at = greatest(last_reviewed_at, d.newest)
        from (select group_id, sum(added) as added, sum(added_correct) as added_correct, sum((not exists (select 1 from words_review_items o where o.word_id = w.word_id and o.group_id = w.group_id and o.id <> all (w.ids)))::int) as added_studied_word_count,
          max(newest) as newest
          from (select group_id, word_id, array_agg(id) as ids, count(*) as added, sum((correct)::int) as added_correct,
            max(reviewed_at) as newest from inserted where group_id is not null group by group_id, word_id) w group by group_id) d where groups.id = d.group_id;
      insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)
        select floor(extract(epoch from reviewed_at) / 900)::int, count(*), sum(((coalesce(inserted.card_state, 0) = 2)::int)), sum((((coalesce(inserted.card_state, 0) = 2)::int) * (inserted.correct)::int))
        from inserted group by 1
        on conflict (quarter) do update set answers = answer_quarter_hours.answers + excluded.answers, review_answers = answer_quarter_hours.review_answers + excluded.review_answers, review_correct = answer_quarter_hours.review_correct + excluded.review_correct;
      update study_sessions set review_items_count = review_items_count + d.added, correct_count = correct_count + d.added_correct, last_reviewed_at = greatest(last_reviewed_at, d.newest)
        from (select study_session_id, count(*) as added, sum((correct)::int) as added_correct,
          max(reviewed_at) as newest from inserted where study_session_id is not null group by study_session_id) d where study_sessions.id = d.study_session_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_counted" after insert on "words_review_items" referencing new table as inserted for each statement execute function "words_review_items_review_counted_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.dropTrigger('review_counted');
    this.addSql(
      `create or replace function "words_review_items_review_counted_fn"() returns trigger as $$ begin update words set correct_count = correct_count + (new.correct)::int,
        wrong_count = wrong_count + 1 - (new.correct)::int,
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.word_id;       insert into answer_totals (id, answers, correct, studied_words)
        values (1, 1, (new.correct)::int, ((not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id))::int))
        on conflict (id) do update set answers = answer_totals.answers + 1,
          correct = answer_totals.correct + excluded.correct,
          studied_words = answer_totals.studied_words + excluded.studied_words; return new; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_counted" BEFORE INSERT on "words_review_items" for each ROW execute function "words_review_items_review_counted_fn"();`,
    );
    this.addSql(
      `create or replace function "words_review_items_review_counted_in_quarter_hour_fn"() returns trigger as $$ begin insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)
        values (floor(extract(epoch from new.reviewed_at) / 900)::int, 1, ((coalesce(new.card_state, 0) = 2)::int), (((coalesce(new.card_state, 0) = 2)::int) * (new.correct)::int))
        on conflict (quarter) do update set answers = answer_quarter_hours.answers + 1,
          review_answers = answer_quarter_hours.review_answers + excluded.review_answers,
          review_correct = answer_quarter_hours.review_correct + excluded.review_correct; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_counted_in_quarter_hour" AFTER INSERT on "words_review_items" for each ROW execute function "words_review_items_review_counted_in_quarter_hour_fn"();`,
    );
    this.addSql(
      `create or replace function "words_review_items_review_counted_in_session_fn"() returns trigger as $$ begin update study_sessions set review_items_count = review_items_count + 1,
        correct_count = correct_count + (new.correct)::int,
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.study_session_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_counted_in_session" AFTER INSERT on "words_review_items" for each ROW execute function "words_review_items_review_counted_in_session_fn"();`,
    );
    this.addSql(
      `create or replace function "words_review_items_review_counted_in_group_fn"() returns trigger as $$ begin update groups set review_items_count = review_items_count + 1,
        correct_count = correct_count + (new.correct)::int,
        studied_word_count = studied_word_count + ((not exists (select 1 from words_review_items o where o.group_id = new.group_id and o.word_id = new.word_id and o.id <> new.id))::int),
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.group_id; return new; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_counted_in_group" BEFORE INSERT on "words_review_items" for each ROW execute function "words_review_items_review_counted_in_group_fn"();`,
    );
  }

  private dropTrigger(name: string): void {
    this.addSql(`drop trigger "${name}" on "words_review_items";`);
    this.addSql(`drop function "words_review_items_${name}_fn"();`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * When each word was last answered, kept with its counters by the same triggers on the log and filled from the log
 * here (the SQLite migration of the same name explains why).
 */
export class Migration20261209090000_word_last_review extends Migration {
  override name = 'Migration20261209090000_word_last_review';

  override up(): void | Promise<void> {
    this.addSql(`alter table "words" add "last_reviewed_at" timestamptz null;`);
    this.addSql(`update "words" w set "last_reviewed_at" = r.last
      from (select "word_id", max("reviewed_at") as last from "words_review_items" group by "word_id") r
      where r."word_id" = w."id";`);
    this
      .addSql(`create or replace function "words_review_items_review_counted_fn"() returns trigger as $$ begin update words set correct_count = correct_count + (new.correct)::int,
        wrong_count = wrong_count + 1 - (new.correct)::int,
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.word_id;       insert into answer_totals (id, answers, correct, studied_words)
        values (1, 1, (new.correct)::int, ((not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id))::int))
        on conflict (id) do update set answers = answer_totals.answers + 1,
          correct = answer_totals.correct + excluded.correct,
          studied_words = answer_totals.studied_words + excluded.studied_words; return new; end; $$ language plpgsql;`);
    this
      .addSql(`create or replace function "words_review_items_review_uncounted_fn"() returns trigger as $$ begin update words set correct_count = correct_count - (old.correct)::int,
        wrong_count = wrong_count - 1 + (old.correct)::int where id = old.word_id;       update words set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.word_id = old.word_id and o.id <> old.id)
        where id = old.word_id and last_reviewed_at <= old.reviewed_at;       update answer_totals set answers = answers - 1, correct = correct - (old.correct)::int,
        studied_words = studied_words - ((not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id))::int) where id = 1; return old; end; $$ language plpgsql;`);
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this
      .addSql(`create or replace function "words_review_items_review_counted_fn"() returns trigger as $$ begin update words set correct_count = correct_count + (new.correct)::int,
        wrong_count = wrong_count + 1 - (new.correct)::int where id = new.word_id;       insert into answer_totals (id, answers, correct, studied_words)
        values (1, 1, (new.correct)::int, ((not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id))::int))
        on conflict (id) do update set answers = answer_totals.answers + 1,
          correct = answer_totals.correct + excluded.correct,
          studied_words = answer_totals.studied_words + excluded.studied_words; return new; end; $$ language plpgsql;`);
    this
      .addSql(`create or replace function "words_review_items_review_uncounted_fn"() returns trigger as $$ begin update words set correct_count = correct_count - (old.correct)::int,
        wrong_count = wrong_count - 1 + (old.correct)::int where id = old.word_id;       update answer_totals set answers = answers - 1, correct = correct - (old.correct)::int,
        studied_words = studied_words - ((not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id))::int) where id = 1; return old; end; $$ language plpgsql;`);
    this.addSql(`alter table "words" drop column "last_reviewed_at";`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * The answer totals are counted by the triggers that move the word's counters, right after them (see the
 * ReviewItem entity): on PostgreSQL the word's row lock then orders concurrent first answers to one word, so
 * each is counted as a studied word once. Same values as before; the triggers get names that say what they count.
 */
export class Migration20261206090000_totals_after_counters extends Migration {
  override name = 'Migration20261206090000_totals_after_counters';

  override up(): void {
    this.addSql('drop trigger if exists `review_counted_in_word`;');
    this.addSql('drop trigger if exists `review_uncounted_in_word`;');
    this.addSql('drop trigger if exists `review_counted_in_summaries`;');
    this.addSql('drop trigger if exists `review_uncounted_in_summaries`;');
    this
      .addSql(`create trigger \`review_counted\` AFTER INSERT on \`words_review_items\` for each ROW begin update words set correct_count = correct_count + new.correct,
        wrong_count = wrong_count + 1 - new.correct where id = new.word_id;       insert into answer_totals (id, answers, correct, studied_words)
        values (1, 1, new.correct, (not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id)))
        on conflict (id) do update set answers = answer_totals.answers + 1,
          correct = answer_totals.correct + excluded.correct,
          studied_words = answer_totals.studied_words + excluded.studied_words; end;`);
    this
      .addSql(`create trigger \`review_uncounted\` AFTER DELETE on \`words_review_items\` for each ROW begin update words set correct_count = correct_count - old.correct,
        wrong_count = wrong_count - 1 + old.correct where id = old.word_id;       update answer_totals set answers = answers - 1, correct = correct - old.correct,
        studied_words = studied_words - (not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id)) where id = 1; end;`);
    this
      .addSql(`create trigger \`review_counted_in_quarter_hour\` AFTER INSERT on \`words_review_items\` for each ROW begin insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)
        values (new.reviewed_at / 900000, 1, (coalesce(new.card_state, 0) = 2), ((coalesce(new.card_state, 0) = 2) * new.correct))
        on conflict (quarter) do update set answers = answer_quarter_hours.answers + 1,
          review_answers = answer_quarter_hours.review_answers + excluded.review_answers,
          review_correct = answer_quarter_hours.review_correct + excluded.review_correct; end;`);
    this
      .addSql(`create trigger \`review_uncounted_in_quarter_hour\` AFTER DELETE on \`words_review_items\` for each ROW begin update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - (coalesce(old.card_state, 0) = 2),
        review_correct = review_correct - ((coalesce(old.card_state, 0) = 2) * old.correct) where quarter = old.reviewed_at / 900000; end;`);
  }

  override down(): void {
    this.addSql('drop trigger if exists `review_counted`;');
    this.addSql('drop trigger if exists `review_uncounted`;');
    this.addSql('drop trigger if exists `review_counted_in_quarter_hour`;');
    this.addSql('drop trigger if exists `review_uncounted_in_quarter_hour`;');
    this
      .addSql(`create trigger \`review_counted_in_word\` AFTER INSERT on \`words_review_items\` for each ROW begin update words set correct_count = correct_count + new.correct,
        wrong_count = wrong_count + 1 - new.correct where id = new.word_id; end;`);
    this
      .addSql(`create trigger \`review_uncounted_in_word\` AFTER DELETE on \`words_review_items\` for each ROW begin update words set correct_count = correct_count - old.correct,
        wrong_count = wrong_count - 1 + old.correct where id = old.word_id; end;`);
    this.addSql(
      `create trigger \`review_counted_in_summaries\` AFTER INSERT on \`words_review_items\` for each ROW begin insert into answer_totals (id, answers, correct, studied_words)\n        values (1, 1, new.correct, (not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id)))\n        on conflict (id) do update set answers = answers + 1, correct = correct + excluded.correct,\n          studied_words = studied_words + excluded.studied_words;       insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)\n        values (new.reviewed_at / 900000, 1, (coalesce(new.card_state, 0) = 2), ((coalesce(new.card_state, 0) = 2) * new.correct))\n        on conflict (quarter) do update set answers = answers + 1,\n          review_answers = review_answers + excluded.review_answers,\n          review_correct = review_correct + excluded.review_correct; end;`,
    );
    this.addSql(
      `create trigger \`review_uncounted_in_summaries\` AFTER DELETE on \`words_review_items\` for each ROW begin update answer_totals set answers = answers - 1, correct = correct - old.correct,\n        studied_words = studied_words - (not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id)) where id = 1;       update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - (coalesce(old.card_state, 0) = 2),\n        review_correct = review_correct - ((coalesce(old.card_state, 0) = 2) * old.correct) where quarter = old.reviewed_at / 900000; end;`,
    );
  }
}

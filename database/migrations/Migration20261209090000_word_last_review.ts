import { Migration } from '@mikro-orm/migrations';

/**
 * When each word was last answered, kept with its counters by the same triggers on the log and filled from the log
 * here: a word's page reads its own row, and the words module asks the record store nothing.
 */
export class Migration20261209090000_word_last_review extends Migration {
  override name = 'Migration20261209090000_word_last_review';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`words\` add column \`last_reviewed_at\` datetime null;`);
    this.addSql(`update \`words\` set \`last_reviewed_at\` =
      (select max(r.\`reviewed_at\`) from \`words_review_items\` r where r.\`word_id\` = \`words\`.\`id\`);`);
    this.addSql(`drop trigger if exists \`review_counted\`;`);
    this
      .addSql(`create trigger \`review_counted\` AFTER INSERT on \`words_review_items\` for each ROW begin update words set correct_count = correct_count + new.correct,
        wrong_count = wrong_count + 1 - new.correct,
        last_reviewed_at = (select max(t.at) from (select last_reviewed_at as at union all select new.reviewed_at) t)
        where id = new.word_id;       insert into answer_totals (id, answers, correct, studied_words)
        values (1, 1, new.correct, (not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id)))
        on conflict (id) do update set answers = answer_totals.answers + 1,
          correct = answer_totals.correct + excluded.correct,
          studied_words = answer_totals.studied_words + excluded.studied_words; end;`);
    this.addSql(`drop trigger if exists \`review_uncounted\`;`);
    this
      .addSql(`create trigger \`review_uncounted\` AFTER DELETE on \`words_review_items\` for each ROW begin update words set correct_count = correct_count - old.correct,
        wrong_count = wrong_count - 1 + old.correct where id = old.word_id;       update words set last_reviewed_at =
          (select max(o.reviewed_at) from words_review_items o where o.word_id = old.word_id and o.id <> old.id)
        where id = old.word_id and last_reviewed_at <= old.reviewed_at;       update answer_totals set answers = answers - 1, correct = correct - old.correct,
        studied_words = studied_words - (not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id)) where id = 1; end;`);
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists \`review_counted\`;`);
    this
      .addSql(`create trigger \`review_counted\` AFTER INSERT on \`words_review_items\` for each ROW begin update words set correct_count = correct_count + new.correct,
        wrong_count = wrong_count + 1 - new.correct where id = new.word_id;       insert into answer_totals (id, answers, correct, studied_words)
        values (1, 1, new.correct, (not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id)))
        on conflict (id) do update set answers = answer_totals.answers + 1,
          correct = answer_totals.correct + excluded.correct,
          studied_words = answer_totals.studied_words + excluded.studied_words; end;`);
    this.addSql(`drop trigger if exists \`review_uncounted\`;`);
    this
      .addSql(`create trigger \`review_uncounted\` AFTER DELETE on \`words_review_items\` for each ROW begin update words set correct_count = correct_count - old.correct,
        wrong_count = wrong_count - 1 + old.correct where id = old.word_id;       update answer_totals set answers = answers - 1, correct = correct - old.correct,
        studied_words = studied_words - (not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id)) where id = 1; end;`);
    this.addSql(`alter table \`words\` drop column \`last_reviewed_at\`;`);
  }
}

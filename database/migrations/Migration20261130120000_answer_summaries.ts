import { Migration } from '@mikro-orm/migrations';

/**
 * Summaries of the review log kept by the database (the totals, and the answers per quarter hour) so that
 * the dashboard reads rows instead of scanning the log; filled from the log as it is.
 */
export class Migration20261130120000_answer_summaries extends Migration {
  override name = 'Migration20261130120000_answer_summaries';

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`answer_quarter_hours\` (\`quarter\` integer not null primary key, \`answers\` integer not null, \`review_answers\` integer not null, \`review_correct\` integer not null);`,
    );
    this.addSql(
      `create table \`answer_totals\` (\`id\` integer not null primary key, \`answers\` integer not null, \`correct\` integer not null, \`studied_words\` integer not null);`,
    );
    this.addSql(
      `create trigger \`review_counted_in_summaries\` AFTER INSERT on \`words_review_items\` for each ROW begin insert into answer_totals (id, answers, correct, studied_words)\n        values (1, 1, new.correct, (not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id)))\n        on conflict (id) do update set answers = answers + 1, correct = correct + excluded.correct,\n          studied_words = studied_words + excluded.studied_words;       insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)\n        values (new.reviewed_at / 900000, 1, (coalesce(new.card_state, 0) = 2), ((coalesce(new.card_state, 0) = 2) * new.correct))\n        on conflict (quarter) do update set answers = answers + 1,\n          review_answers = review_answers + excluded.review_answers,\n          review_correct = review_correct + excluded.review_correct; end;`,
    );
    this.addSql(
      `create trigger \`review_uncounted_in_summaries\` AFTER DELETE on \`words_review_items\` for each ROW begin update answer_totals set answers = answers - 1, correct = correct - old.correct,\n        studied_words = studied_words - (not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id)) where id = 1;       update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - (coalesce(old.card_state, 0) = 2),\n        review_correct = review_correct - ((coalesce(old.card_state, 0) = 2) * old.correct) where quarter = old.reviewed_at / 900000; end;`,
    );
    this.addSql(
      `create trigger \`review_state_counted_in_summaries\` AFTER UPDATE on \`words_review_items\` for each ROW begin update answer_quarter_hours\n        set review_answers = review_answers + (coalesce(new.card_state, 0) = 2) - (coalesce(old.card_state, 0) = 2),\n          review_correct = review_correct + ((coalesce(new.card_state, 0) = 2) * new.correct) - ((coalesce(old.card_state, 0) = 2) * old.correct)\n        where quarter = new.reviewed_at / 900000; end;`,
    );
    this.addSql(
      'insert into `answer_totals` select 1, count(*), coalesce(sum(`correct`), 0), count(distinct `word_id`) from `words_review_items` having count(*) > 0;',
    );
    this.addSql(
      'insert into `answer_quarter_hours` select `reviewed_at` / 900000, count(*), sum(coalesce(`card_state`, 0) = 2), sum((coalesce(`card_state`, 0) = 2) * `correct`) from `words_review_items` group by 1;',
    );
  }

  override down(): void | Promise<void> {
    this.addSql('drop trigger `review_state_counted_in_summaries`;');
    this.addSql('drop trigger `review_uncounted_in_summaries`;');
    this.addSql('drop trigger `review_counted_in_summaries`;');
    this.addSql('drop table `answer_totals`;');
    this.addSql('drop table `answer_quarter_hours`;');
  }
}

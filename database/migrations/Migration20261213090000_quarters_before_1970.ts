import { Migration } from '@mikro-orm/migrations';

/** The summary rows of the answers before 1970's second quarter hour, counted again with `quarter` (SQL) as theirs. */
const summaryOfEarlyAnswers = (quarter: string) => [
  'delete from `answer_quarter_hours` where `quarter` <= 0;',
  `insert into \`answer_quarter_hours\` select ${quarter}, count(*), sum(coalesce(\`card_state\`, 0) = 2),
    sum((coalesce(\`card_state\`, 0) = 2) * \`correct\`) from \`words_review_items\` where \`reviewed_at\` < 900000 group by 1;`,
];

/**
 * The quarter hour of an answer dated before 1970 is rounded down, as PostgreSQL's and JavaScript's are: SQLite's
 * integer division rounded it toward zero, so such an answer was summarized a quarter hour late unless it fell on a
 * quarter hour's first instant (those of the last quarter hour of 1969 with 1970's first), and `npm run db:copy`
 * refused the file. The summary rows from 1970's first quarter hour back are counted again from the log.
 */
export class Migration20261213090000_quarters_before_1970 extends Migration {
  override name = 'Migration20261213090000_quarters_before_1970';

  override up(): void | Promise<void> {
    this.addSql(`drop trigger if exists \`review_state_counted_in_summaries\`;`);
    this
      .addSql(`create trigger \`review_state_counted_in_summaries\` AFTER UPDATE on \`words_review_items\` for each ROW begin update answer_quarter_hours
        set review_answers = review_answers + (coalesce(new.card_state, 0) = 2) - (coalesce(old.card_state, 0) = 2),
          review_correct = review_correct + ((coalesce(new.card_state, 0) = 2) * new.correct) - ((coalesce(old.card_state, 0) = 2) * old.correct)
        where quarter = (new.reviewed_at - (new.reviewed_at < 0) * 899999) / 900000; end;`);
    this.addSql(`drop trigger if exists \`review_counted_in_quarter_hour\`;`);
    this
      .addSql(`create trigger \`review_counted_in_quarter_hour\` AFTER INSERT on \`words_review_items\` for each ROW begin insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)
        values ((new.reviewed_at - (new.reviewed_at < 0) * 899999) / 900000, 1, (coalesce(new.card_state, 0) = 2), ((coalesce(new.card_state, 0) = 2) * new.correct))
        on conflict (quarter) do update set answers = answer_quarter_hours.answers + 1,
          review_answers = answer_quarter_hours.review_answers + excluded.review_answers,
          review_correct = answer_quarter_hours.review_correct + excluded.review_correct; end;`);
    this.addSql(`drop trigger if exists \`review_uncounted_in_quarter_hour\`;`);
    this
      .addSql(`create trigger \`review_uncounted_in_quarter_hour\` AFTER DELETE on \`words_review_items\` for each ROW begin update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - (coalesce(old.card_state, 0) = 2),
        review_correct = review_correct - ((coalesce(old.card_state, 0) = 2) * old.correct) where quarter = (old.reviewed_at - (old.reviewed_at < 0) * 899999) / 900000; end;`);
    summaryOfEarlyAnswers('(`reviewed_at` - (`reviewed_at` < 0) * 899999) / 900000').forEach((sql) => this.addSql(sql));
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists \`review_counted_in_quarter_hour\`;`);
    this
      .addSql(`create trigger \`review_counted_in_quarter_hour\` AFTER INSERT on \`words_review_items\` for each ROW begin insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)
        values (new.reviewed_at / 900000, 1, (coalesce(new.card_state, 0) = 2), ((coalesce(new.card_state, 0) = 2) * new.correct))
        on conflict (quarter) do update set answers = answer_quarter_hours.answers + 1,
          review_answers = answer_quarter_hours.review_answers + excluded.review_answers,
          review_correct = answer_quarter_hours.review_correct + excluded.review_correct; end;`);
    this.addSql(`drop trigger if exists \`review_uncounted_in_quarter_hour\`;`);
    this
      .addSql(`create trigger \`review_uncounted_in_quarter_hour\` AFTER DELETE on \`words_review_items\` for each ROW begin update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - (coalesce(old.card_state, 0) = 2),
        review_correct = review_correct - ((coalesce(old.card_state, 0) = 2) * old.correct) where quarter = old.reviewed_at / 900000; end;`);
    this.addSql(`drop trigger if exists \`review_state_counted_in_summaries\`;`);
    this
      .addSql(`create trigger \`review_state_counted_in_summaries\` AFTER UPDATE on \`words_review_items\` for each ROW begin update answer_quarter_hours
        set review_answers = review_answers + (coalesce(new.card_state, 0) = 2) - (coalesce(old.card_state, 0) = 2),
          review_correct = review_correct + ((coalesce(new.card_state, 0) = 2) * new.correct) - ((coalesce(old.card_state, 0) = 2) * old.correct)
        where quarter = new.reviewed_at / 900000; end;`);
    summaryOfEarlyAnswers('`reviewed_at` / 900000').forEach((sql) => this.addSql(sql));
  }
}

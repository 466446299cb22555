import { Migration } from '@mikro-orm/migrations';

/**
 * FSRS cards, one per answered word, and the fitted parameters. Words answered before this migration get
 * a card marked stale, which the server computes from their log when it starts.
 */
export class Migration20261130110000_cards extends Migration {
  override name = 'Migration20261130110000_cards';

  override up(): void | Promise<void> {
    this.addSql(
      'create table `srs_parameters` (`id` integer not null primary key autoincrement, `created_at` datetime not null, `parameters` json not null, `reviews` integer not null, `default_log_loss` real not null, `default_rmse` real not null, `fitted_log_loss` real not null, `fitted_rmse` real not null);',
    );
    this.addSql(
      'create table `cards` (`word_id` integer not null primary key, `due` datetime not null, `stability` real not null, `difficulty` real not null, `elapsed_days` integer not null, `scheduled_days` integer not null, `learning_steps` integer not null, `reps` integer not null, `lapses` integer not null, `state` integer not null, `last_review` datetime not null, `first_review` datetime not null, `stale` integer not null default false, constraint `cards_word_id_foreign` foreign key (`word_id`) references `words` (`id`) on update cascade on delete cascade);',
    );
    this.addSql('create index `cards_due_index` on `cards` (`due`);');
    this.addSql('create index `cards_first_review_index` on `cards` (`first_review`);');
    this.addSql('create index `cards_stale_index` on `cards` (`stale`);');
    this.addSql('alter table `words_review_items` add column `card_state` integer null;');
    this.addSql(
      'create index `words_review_items_retention_index` on `words_review_items` (`card_state`, `reviewed_at`, `correct`);',
    );
    this.addSql(
      'create trigger `review_unscheduled_in_card` AFTER DELETE on `words_review_items` for each ROW begin update cards set stale = true where word_id = old.word_id; end;',
    );
    this.addSql(
      'insert into `cards` select `word_id`, min(`reviewed_at`), 0, 0, 0, 0, 0, 0, 0, 0, max(`reviewed_at`), min(`reviewed_at`), true from `words_review_items` group by `word_id`;',
    );
  }

  override down(): void | Promise<void> {
    this.addSql('drop trigger `review_unscheduled_in_card`;');
    this.addSql('drop index `words_review_items_retention_index`;');
    this.addSql('alter table `words_review_items` drop column `card_state`;');
    this.addSql('drop table `cards`;');
    this.addSql('drop table `srs_parameters`;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/** Answers imported from an Anki review log remember their revlog id, once each: a second import adds none again. */
export class Migration20261204090000_anki_revlog extends Migration {
  override name = 'Migration20261204090000_anki_revlog';

  override up(): void | Promise<void> {
    this.addSql('alter table `words_review_items` add column `anki_revlog_id` integer null;');
    this.addSql(
      'create unique index `words_review_items_anki_revlog_id_unique` on `words_review_items` (`anki_revlog_id`);',
    );
  }

  override down(): void | Promise<void> {
    this.addSql('drop index `words_review_items_anki_revlog_id_unique`;');
    this.addSql('alter table `words_review_items` drop column `anki_revlog_id`;');
  }
}

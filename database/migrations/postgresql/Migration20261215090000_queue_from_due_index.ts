import { Migration } from '@mikro-orm/migrations';

/**
 * The due index holds what orders the review queue too, as the SQLite migration of the same name makes it, so that
 * both databases have the schema the Card entity declares. Not measured here: PostgreSQL's queue still reads each due
 * card's row, since it selects the whole card.
 */
export class Migration20261215090000_queue_from_due_index extends Migration {
  override name = 'Migration20261215090000_queue_from_due_index';

  override up(): void | Promise<void> {
    this.addSql('drop index "cards_due_index";');
    this.addSql('create index "cards_due_index" on "cards" ("due", "last_review", "stability");');
    this.addSql('analyze "cards";');
  }

  override down(): void | Promise<void> {
    this.addSql('drop index "cards_due_index";');
    this.addSql('create index "cards_due_index" on "cards" ("due");');
  }
}

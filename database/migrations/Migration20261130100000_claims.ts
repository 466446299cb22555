import { Migration } from '@mikro-orm/migrations';

/** Idempotency keys name the server process that claimed them, so that a claim does not outlive it. */
export class Migration20261130100000_claims extends Migration {
  override name = 'Migration20261130100000_claims';

  override up(): void | Promise<void> {
    this.addSql('alter table `idempotency_keys` add column `claimed_by` text null;');
  }

  override down(): void | Promise<void> {
    this.addSql('alter table `idempotency_keys` drop column `claimed_by`;');
  }
}

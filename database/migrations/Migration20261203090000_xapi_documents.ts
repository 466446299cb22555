import { Migration } from '@mikro-orm/migrations';

/**
 * The xAPI document resources (State, Activity Profile, Agent Profile) as sent, one unique key over the
 * parameters that name a document; and the activity definitions statements gave, for GET /xapi/activities.
 */
export class Migration20261203090000_xapi_documents extends Migration {
  override name = 'Migration20261203090000_xapi_documents';

  override up(): void | Promise<void> {
    this.addSql(
      "create table `xapi_documents` (`id` integer not null primary key autoincrement, `kind` text not null, `activity_id` text not null default '', `agent` text not null default '', `registration` text not null default '', `document_id` text not null, `content_type` text not null, `content` blob not null, `etag` text not null, `updated` datetime not null);",
    );
    this.addSql(
      'create unique index `xapi_documents_key_unique` on `xapi_documents` (`kind`, `activity_id`, `agent`, `registration`, `document_id`);',
    );
    this.addSql(
      'create table `xapi_activities` (`id` integer not null primary key autoincrement, `activity_id` text not null, `definition` json not null);',
    );
    this.addSql('create unique index `xapi_activities_activity_id_unique` on `xapi_activities` (`activity_id`);');
  }

  override down(): void | Promise<void> {
    this.addSql('drop table `xapi_activities`;');
    this.addSql('drop table `xapi_documents`;');
  }
}

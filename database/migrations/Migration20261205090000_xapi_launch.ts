import { Migration } from '@mikro-orm/migrations';

/**
 * cmi5-style launches of xAPI apps: how an app is launched (`plain` for every app so far), the registration
 * a launched session keeps, and the one credential each such session fetches.
 */
export class Migration20261205090000_xapi_launch extends Migration {
  override name = 'Migration20261205090000_xapi_launch';

  override up(): void | Promise<void> {
    this.addSql("alter table `learning_apps` add column `launch_method` text not null default 'plain';");
    this.addSql('alter table `study_sessions` add column `registration` text null;');
    this.addSql('create unique index `study_sessions_registration_unique` on `study_sessions` (`registration`);');
    this.addSql(
      'create table `xapi_launch_tokens` (`id` integer not null primary key autoincrement, `session_id` integer not null, `registration` text not null, `token_hash` text not null, `created_at` datetime not null, constraint `xapi_launch_tokens_session_id_foreign` foreign key (`session_id`) references `study_sessions` (`id`) on delete cascade);',
    );
    this.addSql('create index `xapi_launch_tokens_session_id_index` on `xapi_launch_tokens` (`session_id`);');
    this.addSql(
      'create unique index `xapi_launch_tokens_registration_unique` on `xapi_launch_tokens` (`registration`);',
    );
  }

  override down(): void | Promise<void> {
    this.addSql('drop table `xapi_launch_tokens`;');
    this.addSql('drop index `study_sessions_registration_unique`;');
    this.addSql('alter table `study_sessions` drop column `registration`;');
    this.addSql('alter table `learning_apps` drop column `launch_method`;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * The xAPI Learning Record Store: statements as sent, with the columns and the agent and activity index
 * tables the Statements resource filters on, and the attachments' content by hash.
 */
export class Migration20261202090000_xapi extends Migration {
  override name = 'Migration20261202090000_xapi';

  override up(): void | Promise<void> {
    this.addSql(
      'create table `xapi_attachments` (`sha2` text not null primary key, `content_type` text not null, `content` blob not null);',
    );
    this.addSql(
      'create table `xapi_statements` (`id` integer not null primary key autoincrement, `statement_id` text not null, `statement` json not null, `verb` text not null, `registration` text null, `stored` datetime not null, `voided` integer not null default false, `target` text null);',
    );
    this.addSql('create unique index `xapi_statements_statement_id_unique` on `xapi_statements` (`statement_id`);');
    this.addSql('create index `xapi_statements_stored_index` on `xapi_statements` (`stored`);');
    this.addSql('create index `xapi_statements_target_index` on `xapi_statements` (`target`);');
    this.addSql('create index `xapi_statements_verb_index` on `xapi_statements` (`verb`, `id`);');
    this.addSql('create index `xapi_statements_registration_index` on `xapi_statements` (`registration`, `id`);');
    this.addSql(
      'create table `xapi_statement_activities` (`id` integer not null primary key autoincrement, `statement_id` integer not null, `activity` text not null, `related` integer not null, constraint `xapi_statement_activities_statement_id_foreign` foreign key (`statement_id`) references `xapi_statements` (`id`) on delete cascade);',
    );
    this.addSql(
      'create index `xapi_statement_activities_statement_id_index` on `xapi_statement_activities` (`statement_id`);',
    );
    this.addSql(
      'create index `xapi_statement_activities_activity_index` on `xapi_statement_activities` (`activity`, `related`, `statement_id`);',
    );
    this.addSql(
      'create table `xapi_statement_agents` (`id` integer not null primary key autoincrement, `statement_id` integer not null, `agent` text not null, `related` integer not null, constraint `xapi_statement_agents_statement_id_foreign` foreign key (`statement_id`) references `xapi_statements` (`id`) on delete cascade);',
    );
    this.addSql('create index `xapi_statement_agents_statement_id_index` on `xapi_statement_agents` (`statement_id`);');
    this.addSql(
      'create index `xapi_statement_agents_agent_index` on `xapi_statement_agents` (`agent`, `related`, `statement_id`);',
    );
  }

  override down(): void | Promise<void> {
    this.addSql('drop table `xapi_statement_agents`;');
    this.addSql('drop table `xapi_statement_activities`;');
    this.addSql('drop table `xapi_statements`;');
    this.addSql('drop table `xapi_attachments`;');
  }
}

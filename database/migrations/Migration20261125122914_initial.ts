import { Migration } from '@mikro-orm/migrations';

export class Migration20261125122914_initial extends Migration {
  override name = 'Migration20261125122914_initial';

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`groups\` (\`id\` integer not null primary key autoincrement, \`name\` text collate nocase not null, \`words_count\` integer not null default 0, \`created_at\` datetime not null, \`updated_at\` datetime not null);`,
    );
    this.addSql(`create unique index \`groups_name_unique\` on \`groups\` (\`name\`);`);

    this.addSql(
      `create table \`idempotency_keys\` (\`id\` integer not null primary key autoincrement, \`endpoint\` text not null, \`key\` text not null, \`fingerprint\` text not null, \`response\` json null, \`created_at\` datetime not null);`,
    );
    this.addSql(`create index \`idempotency_keys_created_at_index\` on \`idempotency_keys\` (\`created_at\`);`);
    this.addSql(
      `create unique index \`idempotency_keys_endpoint_key_unique\` on \`idempotency_keys\` (\`endpoint\`, \`key\`);`,
    );

    this.addSql(
      `create table \`learning_apps\` (\`id\` integer not null primary key autoincrement, \`name\` text collate nocase not null, \`description\` text not null default '', \`launch_url\` text not null, \`thumbnail_url\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`,
    );
    this.addSql(`create unique index \`learning_apps_name_unique\` on \`learning_apps\` (\`name\`);`);

    this.addSql(
      `create table \`study_sessions\` (\`id\` integer not null primary key autoincrement, \`group_id\` integer not null, \`learning_app_id\` integer null, \`created_at\` datetime not null, constraint \`study_sessions_group_id_foreign\` foreign key (\`group_id\`) references \`groups\` (\`id\`) on delete cascade, constraint \`study_sessions_learning_app_id_foreign\` foreign key (\`learning_app_id\`) references \`learning_apps\` (\`id\`) on delete set null);`,
    );
    this.addSql(`create index \`study_sessions_group_id_index\` on \`study_sessions\` (\`group_id\`);`);
    this.addSql(`create index \`study_sessions_learning_app_id_index\` on \`study_sessions\` (\`learning_app_id\`);`);
    this.addSql(`create index \`study_sessions_created_at_index\` on \`study_sessions\` (\`created_at\`);`);

    this.addSql(
      `create table \`words\` (\`id\` integer not null primary key autoincrement, \`thai\` text not null, \`english\` text collate nocase not null, \`parts\` json not null, \`correct_count\` integer not null default 0, \`wrong_count\` integer not null default 0, \`created_at\` datetime not null, \`updated_at\` datetime not null);`,
    );
    this.addSql(`create unique index \`words_thai_english_unique\` on \`words\` (\`thai\`, \`english\`);`);

    this.addSql(
      `create table \`study_activities\` (\`id\` integer not null primary key autoincrement, \`session_id\` integer not null, \`word_id\` integer not null, \`correct\` integer not null, \`created_at\` datetime not null, constraint \`study_activities_session_id_foreign\` foreign key (\`session_id\`) references \`study_sessions\` (\`id\`) on delete cascade, constraint \`study_activities_word_id_foreign\` foreign key (\`word_id\`) references \`words\` (\`id\`) on delete cascade);`,
    );
    this.addSql(`create index \`study_activities_session_id_index\` on \`study_activities\` (\`session_id\`);`);
    this.addSql(`create index \`study_activities_word_id_index\` on \`study_activities\` (\`word_id\`);`);

    this.addSql(
      `create table \`words_review_items\` (\`id\` integer not null primary key autoincrement, \`word_id\` integer not null, \`study_session_id\` integer null, \`correct\` integer not null, \`reviewed_at\` datetime not null, \`created_at\` datetime not null, constraint \`words_review_items_word_id_foreign\` foreign key (\`word_id\`) references \`words\` (\`id\`) on delete cascade, constraint \`words_review_items_study_session_id_foreign\` foreign key (\`study_session_id\`) references \`study_sessions\` (\`id\`) on delete cascade);`,
    );
    this.addSql(`create index \`words_review_items_word_id_index\` on \`words_review_items\` (\`word_id\`);`);
    this.addSql(
      `create index \`words_review_items_study_session_id_index\` on \`words_review_items\` (\`study_session_id\`);`,
    );
    this.addSql(`create index \`words_review_items_reviewed_at_index\` on \`words_review_items\` (\`reviewed_at\`);`);

    this.addSql(
      `create table \`words_groups\` (\`id\` integer not null primary key autoincrement, \`word_id\` integer not null, \`group_id\` integer not null, \`created_at\` datetime not null, constraint \`words_groups_word_id_foreign\` foreign key (\`word_id\`) references \`words\` (\`id\`) on delete cascade, constraint \`words_groups_group_id_foreign\` foreign key (\`group_id\`) references \`groups\` (\`id\`) on delete cascade);`,
    );
    this.addSql(`create index \`words_groups_word_id_index\` on \`words_groups\` (\`word_id\`);`);
    this.addSql(`create index \`words_groups_group_id_index\` on \`words_groups\` (\`group_id\`);`);
    this.addSql(
      `create unique index \`words_groups_word_id_group_id_unique\` on \`words_groups\` (\`word_id\`, \`group_id\`);`,
    );
  }

  override down(): void | Promise<void> {
    for (const table of [
      'words_groups',
      'words_review_items',
      'study_activities',
      'words',
      'study_sessions',
      'learning_apps',
      'idempotency_keys',
      'groups',
    ]) {
      this.addSql(`drop table if exists \`${table}\`;`);
    }
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * A group's count of study sessions, kept by triggers on the sessions, filled here (the SQLite migration of the
 * same name explains why).
 */
export class Migration20261210090000_group_session_counts extends Migration {
  override name = 'Migration20261210090000_group_session_counts';

  override up(): void | Promise<void> {
    this.addSql(`alter table "groups" add "study_sessions_count" int not null default 0;`);
    this.addSql(
      `update "groups" g set "study_sessions_count" = (select count(*) from "study_sessions" s where s."group_id" = g."id");`,
    );
    this.addSql(
      `create or replace function "study_sessions_session_counted_in_group_fn"() returns trigger as $$ begin update groups set study_sessions_count = study_sessions_count + 1 where id = new.group_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "session_counted_in_group" AFTER INSERT on "study_sessions" for each ROW execute function "study_sessions_session_counted_in_group_fn"();`,
    );
    this.addSql(
      `create or replace function "study_sessions_session_uncounted_in_group_fn"() returns trigger as $$ begin update groups set study_sessions_count = study_sessions_count - 1 where id = old.group_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "session_uncounted_in_group" AFTER DELETE on "study_sessions" for each ROW execute function "study_sessions_session_uncounted_in_group_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "session_uncounted_in_group" on "study_sessions";`);
    this.addSql(`drop function if exists "study_sessions_session_uncounted_in_group_fn"();`);
    this.addSql(`drop trigger if exists "session_counted_in_group" on "study_sessions";`);
    this.addSql(`drop function if exists "study_sessions_session_counted_in_group_fn"();`);
    this.addSql(`alter table "groups" drop column "study_sessions_count";`);
  }
}

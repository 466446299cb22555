import { Migration } from '@mikro-orm/migrations';

/**
 * A group's words_count follows its memberships once per statement instead of once per row (why, in the
 * PostgreSQL dialect's countingTriggers). PostgreSQL only: SQLite keeps its row triggers.
 */
export class Migration20261217090000_member_counts_per_statement extends Migration {
  override name = 'Migration20261217090000_member_counts_per_statement';

  override up(): void | Promise<void> {
    this.dropTriggers();
    this.addSql(
      `create or replace function "words_groups_member_counted_in_group_fn"() returns trigger as $$ begin update groups set words_count = words_count + counted.rows_count from (select group_id, count(*) as rows_count from new_rows group by group_id) as counted where groups.id = counted.group_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "member_counted_in_group" after insert on "words_groups" referencing new table as new_rows for each statement execute function "words_groups_member_counted_in_group_fn"();`,
    );
    this.addSql(
      `create or replace function "words_groups_member_uncounted_in_group_fn"() returns trigger as $$ begin update groups set words_count = words_count - counted.rows_count from (select group_id, count(*) as rows_count from old_rows group by group_id) as counted where groups.id = counted.group_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "member_uncounted_in_group" after delete on "words_groups" referencing old table as old_rows for each statement execute function "words_groups_member_uncounted_in_group_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.dropTriggers();
    this.addSql(
      `create or replace function "words_groups_member_counted_in_group_fn"() returns trigger as $$ begin update groups set words_count = words_count + 1 where id = new.group_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "member_counted_in_group" AFTER INSERT on "words_groups" for each ROW execute function "words_groups_member_counted_in_group_fn"();`,
    );
    this.addSql(
      `create or replace function "words_groups_member_uncounted_in_group_fn"() returns trigger as $$ begin update groups set words_count = words_count - 1 where id = old.group_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "member_uncounted_in_group" AFTER DELETE on "words_groups" for each ROW execute function "words_groups_member_uncounted_in_group_fn"();`,
    );
  }

  private dropTriggers(): void {
    for (const name of ['member_counted_in_group', 'member_uncounted_in_group']) {
      this.addSql(`drop trigger "${name}" on "words_groups";`);
      this.addSql(`drop function "words_groups_${name}_fn"();`);
    }
  }
}

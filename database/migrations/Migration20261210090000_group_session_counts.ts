import { Migration } from '@mikro-orm/migrations';

/**
 * A group's count of study sessions, kept by triggers on the sessions as its count of words is by the memberships,
 * and filled here: whether a group may be deleted without `force` is a column of its row, not a count of another
 * module's table.
 */
export class Migration20261210090000_group_session_counts extends Migration {
  override name = 'Migration20261210090000_group_session_counts';

  override up(): void | Promise<void> {
    this.addSql('alter table `groups` add column `study_sessions_count` integer not null default 0;');
    this.addSql(
      'update `groups` set `study_sessions_count` = (select count(*) from `study_sessions` s where s.`group_id` = `groups`.`id`);',
    );
    this.addSql(
      'create trigger `session_counted_in_group` AFTER INSERT on `study_sessions` for each ROW begin update groups set study_sessions_count = study_sessions_count + 1 where id = new.group_id; end;',
    );
    this.addSql(
      'create trigger `session_uncounted_in_group` AFTER DELETE on `study_sessions` for each ROW begin update groups set study_sessions_count = study_sessions_count - 1 where id = old.group_id; end;',
    );
  }

  override down(): void | Promise<void> {
    this.addSql('drop trigger if exists `session_uncounted_in_group`;');
    this.addSql('drop trigger if exists `session_counted_in_group`;');
    this.addSql('alter table `groups` drop column `study_sessions_count`;');
  }
}

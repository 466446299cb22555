import { Migration } from '@mikro-orm/migrations';

/**
 * The whole schema on PostgreSQL, as the entities describe it (`orm.schema.getCreateSchemaSQL()` with
 * DATABASE_URL set): what the SQLite migrations built step by step, at once. Before it, what the entities
 * name but do not create: `pg_trgm` (word search, src/words/search.postgresql.ts) and the `nocase` collation
 * (names and english compared ignoring case in every script, as NOCASE does in A–Z on SQLite).
 */
export class Migration20261206090000_initial extends Migration {
  override name = 'Migration20261206090000_initial';

  override up(): void {
    this.addSql('create extension if not exists pg_trgm;');
    this.addSql(
      "create collation if not exists nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);",
    );
    this.addSql(
      `create table "answer_quarter_hours" ("quarter" int not null, "answers" int not null, "review_answers" int not null, "review_correct" int not null, primary key ("quarter"));`,
    );
    this.addSql(
      `create table "answer_totals" ("id" int not null, "answers" int not null, "correct" int not null, "studied_words" int not null, primary key ("id"));`,
    );
    this.addSql(
      `create table "groups" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" text collate "nocase" not null, "words_count" int not null default 0);`,
    );
    this.addSql(`alter table "groups" add constraint "groups_name_unique" unique ("name");`);
    this.addSql(`create index "groups_words_count_index" on "groups" ("words_count");`);
    this.addSql(`create index "groups_created_at_index" on "groups" ("created_at");`);
    this.addSql(
      `create table "idempotency_keys" ("id" serial primary key, "endpoint" text not null, "key" text not null, "fingerprint" text not null, "response" json null, "claimed_by" text null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "idempotency_keys_created_at_index" on "idempotency_keys" ("created_at");`);
    this.addSql(
      `alter table "idempotency_keys" add constraint "idempotency_keys_endpoint_key_unique" unique ("endpoint", "key");`,
    );
    this.addSql(
      `create table "learning_apps" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" text collate "nocase" not null, "description" text not null default '', "launch_url" text not null, "thumbnail_url" text null, "launch_method" text not null default 'plain');`,
    );
    this.addSql(`alter table "learning_apps" add constraint "learning_apps_name_unique" unique ("name");`);
    this.addSql(
      `create table "srs_parameters" ("id" serial primary key, "created_at" timestamptz not null, "parameters" jsonb not null, "reviews" int not null, "default_log_loss" double precision not null, "default_rmse" double precision not null, "fitted_log_loss" double precision not null, "fitted_rmse" double precision not null);`,
    );
    this.addSql(
      `create table "study_sessions" ("id" serial primary key, "group_id" int not null, "learning_app_id" int null, "created_at" timestamptz not null, "registration" text null);`,
    );
    this.addSql(`create index "study_sessions_group_id_index" on "study_sessions" ("group_id");`);
    this.addSql(`create index "study_sessions_learning_app_id_index" on "study_sessions" ("learning_app_id");`);
    this.addSql(`create index "study_sessions_created_at_index" on "study_sessions" ("created_at");`);
    this.addSql(
      `alter table "study_sessions" add constraint "study_sessions_registration_unique" unique ("registration");`,
    );
    this.addSql(
      `create table "words" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "thai" text not null, "english" text collate "nocase" not null, "parts" jsonb not null, "correct_count" int not null default 0, "wrong_count" int not null default 0, "thai_plain" text generated always as (replace(replace(replace(replace(replace(replace(replace(thai, chr(3656), ''), chr(3657), ''), chr(3658), ''), chr(3659), ''), chr(3655), ''), chr(3660), ''), chr(3662), '')) stored not null, "romanization_lower" text generated always as (lower((parts ->> 'romanization'))) stored null, "thai_sort" text not null default '');`,
    );
    this.addSql(`create index "words_english_index" on "words" ("english");`);
    this.addSql(`create index "words_correct_count_index" on "words" ("correct_count");`);
    this.addSql(`create index "words_wrong_count_index" on "words" ("wrong_count");`);
    this.addSql(`create index "words_thai_plain_index" on "words" ("thai_plain");`);
    this.addSql(`create index "words_romanization_lower_index" on "words" ("romanization_lower");`);
    this.addSql(`create index "words_thai_sort_index" on "words" ("thai_sort");`);
    this.addSql(`create index "words_created_at_index" on "words" ("created_at");`);
    this.addSql(`create index "words_thai_trigram_index" on "words" using gin (thai gin_trgm_ops);`);
    this.addSql(`create index "words_thai_plain_trigram_index" on "words" using gin (thai_plain gin_trgm_ops);`);
    this.addSql(
      `create index "words_english_trigram_index" on "words" using gin (lower((english) collate "und-x-icu") gin_trgm_ops);`,
    );
    this.addSql(
      `create index "words_romanization_lower_trigram_index" on "words" using gin (lower((romanization_lower) collate "und-x-icu") gin_trgm_ops);`,
    );
    this.addSql(`alter table "words" add constraint "words_thai_english_unique" unique ("thai", "english");`);
    this.addSql(
      `create table "study_activities" ("id" serial primary key, "created_at" timestamptz not null, "session_id" int not null, "word_id" int not null, "correct" boolean not null);`,
    );
    this.addSql(`create index "study_activities_session_id_index" on "study_activities" ("session_id");`);
    this.addSql(`create index "study_activities_word_id_index" on "study_activities" ("word_id");`);
    this.addSql(
      `create table "words_review_items" ("id" serial primary key, "created_at" timestamptz not null, "word_id" int not null, "study_session_id" int null, "correct" boolean not null, "reviewed_at" timestamptz not null, "card_state" smallint null, "anki_revlog_id" bigint null);`,
    );
    this.addSql(`create index "words_review_items_word_id_index" on "words_review_items" ("word_id");`);
    this.addSql(
      `create index "words_review_items_study_session_id_index" on "words_review_items" ("study_session_id");`,
    );
    this.addSql(`create index "words_review_items_reviewed_at_index" on "words_review_items" ("reviewed_at");`);
    this.addSql(
      `alter table "words_review_items" add constraint "words_review_items_anki_revlog_id_unique" unique ("anki_revlog_id");`,
    );
    this.addSql(
      `create index "words_review_items_retention_index" on "words_review_items" ("card_state", "reviewed_at", "correct");`,
    );
    this
      .addSql(`create or replace function "words_review_items_review_counted_fn"() returns trigger as $$ begin update words set correct_count = correct_count + (new.correct)::int,
        wrong_count = wrong_count + 1 - (new.correct)::int where id = new.word_id;       insert into answer_totals (id, answers, correct, studied_words)
        values (1, 1, (new.correct)::int, ((not exists (select 1 from words_review_items o where o.word_id = new.word_id and o.id <> new.id))::int))
        on conflict (id) do update set answers = answer_totals.answers + 1,
          correct = answer_totals.correct + excluded.correct,
          studied_words = answer_totals.studied_words + excluded.studied_words; return new; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_counted" BEFORE INSERT on "words_review_items" for each ROW execute function "words_review_items_review_counted_fn"();`,
    );
    this
      .addSql(`create or replace function "words_review_items_review_uncounted_fn"() returns trigger as $$ begin update words set correct_count = correct_count - (old.correct)::int,
        wrong_count = wrong_count - 1 + (old.correct)::int where id = old.word_id;       update answer_totals set answers = answers - 1, correct = correct - (old.correct)::int,
        studied_words = studied_words - ((not exists (select 1 from words_review_items o where o.word_id = old.word_id and o.id <> old.id))::int) where id = 1; return old; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_uncounted" BEFORE DELETE on "words_review_items" for each ROW execute function "words_review_items_review_uncounted_fn"();`,
    );
    this
      .addSql(`create or replace function "words_review_items_review_counted_in_quarter_hour_fn"() returns trigger as $$ begin insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)
        values (floor(extract(epoch from new.reviewed_at) / 900)::int, 1, ((coalesce(new.card_state, 0) = 2)::int), (((coalesce(new.card_state, 0) = 2)::int) * (new.correct)::int))
        on conflict (quarter) do update set answers = answer_quarter_hours.answers + 1,
          review_answers = answer_quarter_hours.review_answers + excluded.review_answers,
          review_correct = answer_quarter_hours.review_correct + excluded.review_correct; return null; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_counted_in_quarter_hour" AFTER INSERT on "words_review_items" for each ROW execute function "words_review_items_review_counted_in_quarter_hour_fn"();`,
    );
    this
      .addSql(`create or replace function "words_review_items_review_uncounted_in_quarter_hour_fn"() returns trigger as $$ begin update answer_quarter_hours set answers = answers - 1, review_answers = review_answers - ((coalesce(old.card_state, 0) = 2)::int),
        review_correct = review_correct - (((coalesce(old.card_state, 0) = 2)::int) * (old.correct)::int) where quarter = floor(extract(epoch from old.reviewed_at) / 900)::int; return null; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_uncounted_in_quarter_hour" AFTER DELETE on "words_review_items" for each ROW execute function "words_review_items_review_uncounted_in_quarter_hour_fn"();`,
    );
    this
      .addSql(`create or replace function "words_review_items_review_state_counted_in_summaries_fn"() returns trigger as $$ begin update answer_quarter_hours
        set review_answers = review_answers + ((coalesce(new.card_state, 0) = 2)::int) - ((coalesce(old.card_state, 0) = 2)::int),
          review_correct = review_correct + (((coalesce(new.card_state, 0) = 2)::int) * (new.correct)::int) - (((coalesce(old.card_state, 0) = 2)::int) * (old.correct)::int)
        where quarter = floor(extract(epoch from new.reviewed_at) / 900)::int; return null; end; $$ language plpgsql;`);
    this.addSql(
      `create trigger "review_state_counted_in_summaries" AFTER UPDATE on "words_review_items" for each ROW execute function "words_review_items_review_state_counted_in_summaries_fn"();`,
    );
    this.addSql(
      `create or replace function "words_review_items_review_unscheduled_in_card_fn"() returns trigger as $$ begin update cards set stale = true where word_id = old.word_id; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "review_unscheduled_in_card" AFTER DELETE on "words_review_items" for each ROW execute function "words_review_items_review_unscheduled_in_card_fn"();`,
    );
    this.addSql(
      `create table "cards" ("word_id" int not null, "due" timestamptz not null, "stability" double precision not null, "difficulty" double precision not null, "elapsed_days" int not null, "scheduled_days" int not null, "learning_steps" int not null, "reps" int not null, "lapses" int not null, "state" smallint not null, "last_review" timestamptz not null, "first_review" timestamptz not null, "stale" boolean not null default false, primary key ("word_id"));`,
    );
    this.addSql(`create index "cards_due_index" on "cards" ("due");`);
    this.addSql(`create index "cards_first_review_index" on "cards" ("first_review");`);
    this.addSql(`create index "cards_stale_index" on "cards" ("stale");`);
    this.addSql(`create index "cards_state_stability_index" on "cards" ("state", "stability");`);
    this.addSql(
      `create table "words_groups" ("id" serial primary key, "created_at" timestamptz not null, "group_id" int not null, "word_id" int not null);`,
    );
    this.addSql(`create index "words_groups_group_id_index" on "words_groups" ("group_id");`);
    this.addSql(`create index "words_groups_word_id_index" on "words_groups" ("word_id");`);
    this.addSql(
      `alter table "words_groups" add constraint "words_groups_word_id_group_id_unique" unique ("word_id", "group_id");`,
    );
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
    this.addSql(
      `create table "xapi_activities" ("id" serial primary key, "activity_id" text not null, "definition" jsonb not null);`,
    );
    this.addSql(
      `alter table "xapi_activities" add constraint "xapi_activities_activity_id_unique" unique ("activity_id");`,
    );
    this.addSql(
      `create table "xapi_attachments" ("sha2" text not null, "content_type" text not null, "content" bytea not null, primary key ("sha2"));`,
    );
    this.addSql(
      `create table "xapi_documents" ("id" serial primary key, "kind" varchar(255) not null, "activity_id" text not null default '', "agent" text not null default '', "registration" text not null default '', "document_id" text not null, "content_type" text not null, "content" bytea not null, "etag" text not null, "updated" timestamptz not null);`,
    );
    this.addSql(
      `alter table "xapi_documents" add constraint "xapi_documents_key_unique" unique ("kind", "activity_id", "agent", "registration", "document_id");`,
    );
    this.addSql(
      `create table "xapi_launch_tokens" ("id" serial primary key, "session_id" int not null, "registration" text not null, "token_hash" text not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "xapi_launch_tokens_session_id_index" on "xapi_launch_tokens" ("session_id");`);
    this.addSql(
      `alter table "xapi_launch_tokens" add constraint "xapi_launch_tokens_registration_unique" unique ("registration");`,
    );
    this.addSql(
      `create table "xapi_statements" ("id" serial primary key, "statement_id" text not null, "statement" json not null, "verb" text not null, "registration" text null, "stored" timestamptz not null, "voided" boolean not null default false, "target" text null);`,
    );
    this.addSql(
      `alter table "xapi_statements" add constraint "xapi_statements_statement_id_unique" unique ("statement_id");`,
    );
    this.addSql(`create index "xapi_statements_stored_index" on "xapi_statements" ("stored");`);
    this.addSql(`create index "xapi_statements_target_index" on "xapi_statements" ("target");`);
    this.addSql(`create index "xapi_statements_verb_index" on "xapi_statements" ("verb", "id");`);
    this.addSql(`create index "xapi_statements_registration_index" on "xapi_statements" ("registration", "id");`);
    this.addSql(
      `create table "xapi_statement_activities" ("id" serial primary key, "statement_id" int not null, "activity" text not null, "related" boolean not null);`,
    );
    this.addSql(
      `create index "xapi_statement_activities_statement_id_index" on "xapi_statement_activities" ("statement_id");`,
    );
    this.addSql(
      `create index "xapi_statement_activities_activity_index" on "xapi_statement_activities" ("activity", "related", "statement_id");`,
    );
    this.addSql(
      `create table "xapi_statement_agents" ("id" serial primary key, "statement_id" int not null, "agent" text not null, "related" boolean not null);`,
    );
    this.addSql(`create index "xapi_statement_agents_statement_id_index" on "xapi_statement_agents" ("statement_id");`);
    this.addSql(
      `create index "xapi_statement_agents_agent_index" on "xapi_statement_agents" ("agent", "related", "statement_id");`,
    );
    this.addSql(
      `alter table "study_sessions" add constraint "study_sessions_group_id_foreign" foreign key ("group_id") references "groups" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "study_sessions" add constraint "study_sessions_learning_app_id_foreign" foreign key ("learning_app_id") references "learning_apps" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "study_activities" add constraint "study_activities_session_id_foreign" foreign key ("session_id") references "study_sessions" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "study_activities" add constraint "study_activities_word_id_foreign" foreign key ("word_id") references "words" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "words_review_items" add constraint "words_review_items_word_id_foreign" foreign key ("word_id") references "words" ("id") on delete cascade deferrable initially immediate;`,
    );
    this.addSql(
      `alter table "words_review_items" add constraint "words_review_items_study_session_id_foreign" foreign key ("study_session_id") references "study_sessions" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "cards" add constraint "cards_word_id_foreign" foreign key ("word_id") references "words" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "words_groups" add constraint "words_groups_group_id_foreign" foreign key ("group_id") references "groups" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "words_groups" add constraint "words_groups_word_id_foreign" foreign key ("word_id") references "words" ("id") on delete cascade deferrable initially immediate;`,
    );
    this.addSql(
      `alter table "xapi_launch_tokens" add constraint "xapi_launch_tokens_session_id_foreign" foreign key ("session_id") references "study_sessions" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "xapi_statement_activities" add constraint "xapi_statement_activities_statement_id_foreign" foreign key ("statement_id") references "xapi_statements" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "xapi_statement_agents" add constraint "xapi_statement_agents_statement_id_foreign" foreign key ("statement_id") references "xapi_statements" ("id") on delete cascade;`,
    );
  }

  override down(): void {
    for (const table of [
      'xapi_statement_agents',
      'xapi_statement_activities',
      'xapi_statements',
      'xapi_launch_tokens',
      'xapi_documents',
      'xapi_attachments',
      'xapi_activities',
      'words_groups',
      'cards',
      'words_review_items',
      'study_activities',
      'words',
      'study_sessions',
      'srs_parameters',
      'learning_apps',
      'idempotency_keys',
      'groups',
      'answer_totals',
      'answer_quarter_hours',
    ]) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
    for (const trigger of [
      'words_review_items_review_counted_fn',
      'words_review_items_review_uncounted_fn',
      'words_review_items_review_counted_in_quarter_hour_fn',
      'words_review_items_review_uncounted_in_quarter_hour_fn',
      'words_review_items_review_state_counted_in_summaries_fn',
      'words_review_items_review_unscheduled_in_card_fn',
      'words_groups_member_counted_in_group_fn',
      'words_groups_member_uncounted_in_group_fn',
    ]) {
      this.addSql(`drop function if exists "${trigger}";`);
    }
    this.addSql('drop collation if exists nocase;');
  }
}

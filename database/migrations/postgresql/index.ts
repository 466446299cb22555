import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261206090000_initial } from './Migration20261206090000_initial.js';
import { Migration20261207090000_session_counters } from './Migration20261207090000_session_counters.js';
import { Migration20261208090000_answer_groups } from './Migration20261208090000_answer_groups.js';
import { Migration20261209090000_word_last_review } from './Migration20261209090000_word_last_review.js';
import { Migration20261210090000_group_session_counts } from './Migration20261210090000_group_session_counts.js';
import { Migration20261211090000_descending_sorts } from './Migration20261211090000_descending_sorts.js';
import { Migration20261212090000_romanization_sort } from './Migration20261212090000_romanization_sort.js';
import { Migration20261214090000_log_by_correctness } from './Migration20261214090000_log_by_correctness.js';
import { Migration20261215090000_queue_from_due_index } from './Migration20261215090000_queue_from_due_index.js';
import { Migration20261216090000_log_pages_from_index } from './Migration20261216090000_log_pages_from_index.js';
import { Migration20261217090000_member_counts_per_statement } from './Migration20261217090000_member_counts_per_statement.js';
import { Migration20261218090000_word_parts_types } from './Migration20261218090000_word_parts_types.js';
import { Migration20261219090000_caseless_uniques } from './Migration20261219090000_caseless_uniques.js';
import { Migration20261220090000_folded_names } from './Migration20261220090000_folded_names.js';
import { Migration20261221090000_blank_romanizations } from './Migration20261221090000_blank_romanizations.js';
import { Migration20261222090000_refolded_names } from './Migration20261222090000_refolded_names.js';
import { Migration20261223090000_answers_uncounted_per_statement } from './Migration20261223090000_answers_uncounted_per_statement.js';
import { Migration20261224090000_answers_counted_per_statement } from './Migration20261224090000_answers_counted_per_statement.js';
import { Migration20261225090000_portal_app_paths } from '../portal-app-paths.js';

/**
 * Every PostgreSQL migration, oldest first. A change of schema is one migration here and one beside the SQLite
 * ones (database/migrations) where its schema changes too, each in its database's SQL (see README, "Adding a
 * migration").
 */
export const postgresqlMigrations: MigrationObject[] = [
  { name: 'Migration20261206090000_initial', class: Migration20261206090000_initial },
  { name: 'Migration20261207090000_session_counters', class: Migration20261207090000_session_counters },
  { name: 'Migration20261208090000_answer_groups', class: Migration20261208090000_answer_groups },
  { name: 'Migration20261209090000_word_last_review', class: Migration20261209090000_word_last_review },
  { name: 'Migration20261210090000_group_session_counts', class: Migration20261210090000_group_session_counts },
  { name: 'Migration20261211090000_descending_sorts', class: Migration20261211090000_descending_sorts },
  { name: 'Migration20261212090000_romanization_sort', class: Migration20261212090000_romanization_sort },
  { name: 'Migration20261214090000_log_by_correctness', class: Migration20261214090000_log_by_correctness },
  { name: 'Migration20261215090000_queue_from_due_index', class: Migration20261215090000_queue_from_due_index },
  { name: 'Migration20261216090000_log_pages_from_index', class: Migration20261216090000_log_pages_from_index },
  {
    name: 'Migration20261217090000_member_counts_per_statement',
    class: Migration20261217090000_member_counts_per_statement,
  },
  { name: 'Migration20261218090000_word_parts_types', class: Migration20261218090000_word_parts_types },
  { name: 'Migration20261219090000_caseless_uniques', class: Migration20261219090000_caseless_uniques },
  { name: 'Migration20261220090000_folded_names', class: Migration20261220090000_folded_names },
  { name: 'Migration20261221090000_blank_romanizations', class: Migration20261221090000_blank_romanizations },
  { name: 'Migration20261222090000_refolded_names', class: Migration20261222090000_refolded_names },
  {
    name: 'Migration20261223090000_answers_uncounted_per_statement',
    class: Migration20261223090000_answers_uncounted_per_statement,
  },
  {
    name: 'Migration20261224090000_answers_counted_per_statement',
    class: Migration20261224090000_answers_counted_per_statement,
  },
  { name: 'Migration20261225090000_portal_app_paths', class: Migration20261225090000_portal_app_paths },
];

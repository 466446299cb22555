import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125122914_initial } from './Migration20261125122914_initial.js';
import { Migration20261130090000_counters } from './Migration20261130090000_counters.js';
import { Migration20261130100000_claims } from './Migration20261130100000_claims.js';
import { Migration20261130110000_cards } from './Migration20261130110000_cards.js';
import { Migration20261130120000_answer_summaries } from './Migration20261130120000_answer_summaries.js';
import { Migration20261201090000_search } from './Migration20261201090000_search.js';
import { Migration20261202090000_xapi } from './Migration20261202090000_xapi.js';
import { Migration20261203090000_xapi_documents } from './Migration20261203090000_xapi_documents.js';
import { Migration20261204090000_anki_revlog } from './Migration20261204090000_anki_revlog.js';
import { Migration20261205090000_xapi_launch } from './Migration20261205090000_xapi_launch.js';
import { Migration20261205090000_indexes } from './Migration20261205090000_indexes.js';
import { Migration20261206090000_totals_after_counters } from './Migration20261206090000_totals_after_counters.js';
import { Migration20261207090000_session_counters } from './Migration20261207090000_session_counters.js';
import { Migration20261208090000_answer_groups } from './Migration20261208090000_answer_groups.js';
import { Migration20261209090000_word_last_review } from './Migration20261209090000_word_last_review.js';
import { Migration20261210090000_group_session_counts } from './Migration20261210090000_group_session_counts.js';
import { Migration20261211090000_descending_sorts } from './Migration20261211090000_descending_sorts.js';
import { Migration20261212090000_romanization_sort } from './Migration20261212090000_romanization_sort.js';
import { Migration20261213090000_quarters_before_1970 } from './Migration20261213090000_quarters_before_1970.js';
import { Migration20261214090000_log_by_correctness } from './Migration20261214090000_log_by_correctness.js';
import { Migration20261215090000_queue_from_due_index } from './Migration20261215090000_queue_from_due_index.js';
import { Migration20261218090000_word_parts_types } from './Migration20261218090000_word_parts_types.js';
import { Migration20261220090000_folded_names } from './Migration20261220090000_folded_names.js';
import { Migration20261221090000_blank_romanizations } from './Migration20261221090000_blank_romanizations.js';
import { Migration20261222090000_refolded_names } from './Migration20261222090000_refolded_names.js';
import { Migration20261225090000_portal_app_paths } from './portal-app-paths.js';

/** Every migration, oldest first. Add each new one here (see README, "Adding a migration"). */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261125122914_initial', class: Migration20261125122914_initial },
  { name: 'Migration20261130090000_counters', class: Migration20261130090000_counters },
  { name: 'Migration20261130100000_claims', class: Migration20261130100000_claims },
  { name: 'Migration20261130110000_cards', class: Migration20261130110000_cards },
  { name: 'Migration20261130120000_answer_summaries', class: Migration20261130120000_answer_summaries },
  { name: 'Migration20261201090000_search', class: Migration20261201090000_search },
  { name: 'Migration20261202090000_xapi', class: Migration20261202090000_xapi },
  { name: 'Migration20261203090000_xapi_documents', class: Migration20261203090000_xapi_documents },
  { name: 'Migration20261204090000_anki_revlog', class: Migration20261204090000_anki_revlog },
  { name: 'Migration20261205090000_xapi_launch', class: Migration20261205090000_xapi_launch },
  { name: 'Migration20261205090000_indexes', class: Migration20261205090000_indexes },
  {
    name: 'Migration20261206090000_totals_after_counters',
    class: Migration20261206090000_totals_after_counters,
  },
  { name: 'Migration20261207090000_session_counters', class: Migration20261207090000_session_counters },
  { name: 'Migration20261208090000_answer_groups', class: Migration20261208090000_answer_groups },
  { name: 'Migration20261209090000_word_last_review', class: Migration20261209090000_word_last_review },
  { name: 'Migration20261210090000_group_session_counts', class: Migration20261210090000_group_session_counts },
  { name: 'Migration20261211090000_descending_sorts', class: Migration20261211090000_descending_sorts },
  { name: 'Migration20261212090000_romanization_sort', class: Migration20261212090000_romanization_sort },
  { name: 'Migration20261213090000_quarters_before_1970', class: Migration20261213090000_quarters_before_1970 },
  { name: 'Migration20261214090000_log_by_correctness', class: Migration20261214090000_log_by_correctness },
  { name: 'Migration20261215090000_queue_from_due_index', class: Migration20261215090000_queue_from_due_index },
  { name: 'Migration20261218090000_word_parts_types', class: Migration20261218090000_word_parts_types },
  { name: 'Migration20261220090000_folded_names', class: Migration20261220090000_folded_names },
  { name: 'Migration20261221090000_blank_romanizations', class: Migration20261221090000_blank_romanizations },
  { name: 'Migration20261222090000_refolded_names', class: Migration20261222090000_refolded_names },
  { name: 'Migration20261225090000_portal_app_paths', class: Migration20261225090000_portal_app_paths },
];

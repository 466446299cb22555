import { foldedNamesMigration } from '../folded-names.js';

// The column folded by ICU, as Migration20261219090000_caseless_uniques indexed it.
export const Migration20261220090000_folded_names = foldedNamesMigration(
  (column) => `lower(("${column}") collate "und-x-icu")`,
);

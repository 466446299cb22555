import { foldedNamesMigration } from './folded-names.js';

// The column itself, as the first migration indexed it (its NOCASE collation compares it).
export const Migration20261220090000_folded_names = foldedNamesMigration((column) => `"${column}"`);

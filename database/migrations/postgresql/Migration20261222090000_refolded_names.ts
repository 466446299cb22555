import { refoldedNamesMigration } from '../refolded-names.js';

export const Migration20261222090000_refolded_names = refoldedNamesMigration();

import { blankRomanizationsMigration } from './blank-romanizations.js';

export const Migration20261221090000_blank_romanizations = blankRomanizationsMigration(
  `select id, parts from words
    where json_type(parts, '$.romanization') = 'text' and json_extract(parts, '$.romanization') not glob '*[A-Za-z0-9]*'`,
);

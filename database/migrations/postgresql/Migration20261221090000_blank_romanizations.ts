import { blankRomanizationsMigration } from '../blank-romanizations.js';

export const Migration20261221090000_blank_romanizations = blankRomanizationsMigration(
  `select id, parts from words
    where jsonb_typeof(parts -> 'romanization') = 'string' and parts ->> 'romanization' !~ '[A-Za-z0-9]'`,
);

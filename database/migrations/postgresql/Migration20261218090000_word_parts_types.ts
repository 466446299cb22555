import { wordPartsTypesMigration } from '../word-parts-types.js';

export const Migration20261218090000_word_parts_types = wordPartsTypesMigration(
  `select id, parts from words
    where jsonb_typeof(parts -> 'romanization') not in ('string', 'null')
      or jsonb_typeof(parts -> 'phonetic') <> 'string' or jsonb_typeof(parts -> 'part_of_speech') <> 'string'
      or jsonb_typeof(parts -> 'tones') is not null`,
);

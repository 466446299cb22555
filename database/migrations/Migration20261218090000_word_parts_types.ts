import { wordPartsTypesMigration } from './word-parts-types.js';

export const Migration20261218090000_word_parts_types = wordPartsTypesMigration(
  `select id, parts from words
    where json_type(parts, '$.romanization') not in ('text', 'null')
      or json_type(parts, '$.phonetic') <> 'text' or json_type(parts, '$.part_of_speech') <> 'text'
      or json_type(parts, '$.tones') is not null`,
);

import { Migration } from '@mikro-orm/migrations';
import { retypeWordParts } from '../word-parts-types.js';

/**
 * Words stored before the API checked the types of their parts get them (../word-parts-types.ts): the words whose
 * romanization, phonetic or part_of_speech is of another JSON type than text, or that have tones.
 */
export class Migration20261218090000_word_parts_types extends Migration {
  override name = 'Migration20261218090000_word_parts_types';

  override async up(): Promise<void> {
    await retypeWordParts(
      this,
      `select id, parts from words
        where jsonb_typeof(parts -> 'romanization') not in ('string', 'null')
          or jsonb_typeof(parts -> 'phonetic') <> 'string' or jsonb_typeof(parts -> 'part_of_speech') <> 'string'
          or jsonb_typeof(parts -> 'tones') is not null`,
    );
  }

  // The parts hold what they held, retyped: nothing to undo.
  override down(): void {}
}

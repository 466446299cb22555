import { Migration } from '@mikro-orm/migrations';

// The tones as the API names them when this was written (src/words/dto/word.dto.ts); a migration keeps its own copy.
const TONES = ['mid', 'low', 'falling', 'high', 'rising'];

const isTones = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((tone) => typeof tone === 'string' && TONES.includes(tone));

/** A value as text: a string as it is, anything else as its JSON. */
const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * A word's parts with the keys the API types (romanization, phonetic and part_of_speech text, tones an array of
 * tones) of those types, nothing lost; undefined when they are already. Words stored before the API checked the
 * types are then read by clients typed from its document, and sent back (PATCH, an export imported) as they are.
 */
export function retypedParts(parts: Record<string, unknown>): Record<string, unknown> | undefined {
  const retyped = { ...parts };
  if (retyped.romanization !== undefined && retyped.romanization !== null) {
    retyped.romanization = asText(retyped.romanization);
  }
  for (const key of ['phonetic', 'part_of_speech']) {
    if (retyped[key] === null) {
      delete retyped[key];
    } else if (retyped[key] !== undefined) {
      retyped[key] = asText(retyped[key]);
    }
  }
  const { tones } = retyped;
  if (tones !== undefined && !isTones(tones)) {
    delete retyped.tones;
    const named = (Array.isArray(tones) ? tones : [tones]).map((tone) =>
      typeof tone === 'string' ? tone.trim().toLowerCase() : tone,
    );
    if (isTones(named)) {
      retyped.tones = named;
    } else if (tones !== null) {
      // Kept beside, under a key the API stores as sent (numbered, should one be there already).
      let key = 'unchecked_tones';
      for (let n = 2; key in retyped; n++) {
        key = `unchecked_tones_${n}`;
      }
      retyped[key] = tones;
    }
  }
  return JSON.stringify(retyped) === JSON.stringify(parts) ? undefined : retyped;
}

/**
 * The migration that gives words stored before the API checked the types of their parts those types (`retypedParts`),
 * one update a word changed, on a database whose `select` finds the words that may need it (their `id` and `parts`):
 * those whose romanization, phonetic or part_of_speech is of another JSON type than text, or that have tones.
 */
export const wordPartsTypesMigration = (select: string) =>
  class extends Migration {
    override name = 'Migration20261218090000_word_parts_types';

    override async up(): Promise<void> {
      for (const { id, parts } of await this.execute(select)) {
        const retyped = retypedParts(typeof parts === 'string' ? JSON.parse(parts) : parts);
        if (retyped) {
          await this.execute('update words set parts = ? where id = ?', [JSON.stringify(retyped), id]);
        }
      }
    }

    // The parts hold what they held, retyped: nothing to undo.
    override down(): void {}
  };

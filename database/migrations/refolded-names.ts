import { Migration } from '@mikro-orm/migrations';
import { lowerCased, type NamedRow, namedRowsOf, refuseRepeats, storeFolded, UNIQUES } from './folded-names.js';

// Names folded as the API folds them since this migration (src/core/names.ts); a migration keeps its own copy.
const caseFolded = (text: string) => text.toLowerCase().replaceAll('ς', 'σ').normalize('NFC');

/** Folds every name (and a word's english) again, by `fold`, where it folds otherwise than `before` did. */
async function refold(
  migration: Migration,
  fold: (text: string) => string,
  before: (text: string) => string,
): Promise<void> {
  for (const { table, exact, column, rows: what } of UNIQUES) {
    const rows = (await migration.execute(namedRowsOf(table, exact, column))) as NamedRow[];
    refuseRepeats(rows, what, column, fold);
    const changed = rows.filter((row) => fold(row.text) !== before(row.text));
    await storeFolded(migration, table, column, changed, fold);
  }
}

/**
 * The migration that folds the names (and a word's english) with the final sigma as sigma, in one normal form:
 * `ΟΔΟΣ` and `οδοσ`, an `é` of one character or of two, are one name. Only the folded columns change (their unique
 * indexes stay); names that become one stop it, named.
 */
export const refoldedNamesMigration = () =>
  class extends Migration {
    override name = 'Migration20261222090000_refolded_names';

    override async up(): Promise<void> {
      await refold(this, caseFolded, lowerCased);
    }

    // Lower case alone tells more names apart than the folding: no two rows become one going back.
    override async down(): Promise<void> {
      await refold(this, lowerCased, caseFolded);
    }
  };

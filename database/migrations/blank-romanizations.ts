import { Migration } from '@mikro-orm/migrations';

/**
 * The migration that makes a romanization stored empty, or of whitespace only, none (null), as the API stores it since
 * (`partsToStore`): the sort by romanization puts such words last, with the words without one, instead of first. On a
 * database whose `select` finds the words with a romanization of text without a letter or digit of A–Z, a–z, 0–9 (their
 * `id` and `parts`: a few rows, not every word); JavaScript's `trim` decides which are blank, as the API's does.
 */
export const blankRomanizationsMigration = (select: string) =>
  class extends Migration {
    override name = 'Migration20261221090000_blank_romanizations';

    override async up(): Promise<void> {
      for (const { id, parts } of await this.execute(select)) {
        const stored = (typeof parts === 'string' ? JSON.parse(parts) : parts) as { romanization: string };
        if (stored.romanization.trim() === '') {
          await this.execute('update words set parts = ? where id = ?', [
            JSON.stringify({ ...stored, romanization: null }),
            id,
          ]);
        }
      }
    }

    // Which blank each romanization was is not kept: none is what the API reads from it either way.
    override down(): void {}
  };

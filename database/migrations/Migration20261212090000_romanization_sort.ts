import { Migration } from '@mikro-orm/migrations';

const ROMANIZATION = "json_extract(parts, '$.romanization')";

/**
 * The word lists sorted by romanization read their words in order from an index in either order, as the other sorts
 * do since the migration before: any page sorted every word by the romanization in its JSON (the statement took
 * 50 ms on the large portal). Words without a romanization come last in either order, so each index leads with
 * whether there is one.
 */
export class Migration20261212090000_romanization_sort extends Migration {
  override name = 'Migration20261212090000_romanization_sort';

  override up(): void | Promise<void> {
    for (const [suffix, direction] of [
      ['index', ''],
      ['desc_index', ' desc'],
    ]) {
      this.addSql(
        `create index \`words_romanization_${suffix}\` on \`words\` ((${ROMANIZATION} is null), (${ROMANIZATION})${direction}, \`id\`);`,
      );
    }
    this.addSql('analyze;');
  }

  override down(): void | Promise<void> {
    this.addSql('drop index `words_romanization_desc_index`;');
    this.addSql('drop index `words_romanization_index`;');
  }
}

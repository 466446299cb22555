import { folded } from '../database/dialect.js';
import { sql, type SqlBool } from 'kysely';
import { anyOf, type SearchDialect, searchOf } from './search-query.js';

/**
 * Word search, PostgreSQL's way: `pg_trgm` GIN indexes on the four searched columns (thai, thai without tone
 * marks, and english and romanization folded to lower case in every script) answer `like '%…%'` for any
 * substring of three characters or more, and a prefix (`like '…%'`) for shorter ones. PostgreSQL keeps its
 * indexes itself, so nothing else follows the words.
 */

const THAI_COLUMNS = ['thai', 'thai_plain'];
const FOLDED_COLUMNS = ['english', 'romanization_lower'];

/** `text` as a LIKE pattern that matches it literally (`\` is LIKE's default escape). */
const literally = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

const trigramIndex = (column: string, expression: string) => ({
  name: `words_${column}_trigram_index`,
  expression: `create index "words_${column}_trigram_index" on "words" using gin (${expression} gin_trgm_ops)`,
});

export const postgresqlSearch: SearchDialect = {
  triggers: [],
  indexes: [
    ...THAI_COLUMNS.map((column) => trigramIndex(column, column)),
    ...FOLDED_COLUMNS.map((column) => trigramIndex(column, folded(column))),
  ],
  matching(q) {
    const search = searchOf(q);
    const pattern = (text: string) => (search.indexed ? `%${literally(text)}%` : `${literally(text)}%`);
    // Thai has no case, but Latin letters written in thai (`เอทีเอ็ม ATM`) do: ignored for three characters or more, as
    // SQLite's trigram index ignores it (and pg_trgm answers ilike as it answers like); a start matches as written.
    const thaiLike = search.indexed ? sql`ilike` : sql`like`;
    return anyOf([
      sql<SqlBool>`${sql.ref(`w.${search.thai}`)} ${thaiLike} ${pattern(q)}`,
      ...FOLDED_COLUMNS.map((column) => sql<SqlBool>`${sql.raw(folded(`w.${column}`))} like ${pattern(search.latin)}`),
    ]);
  },
};

import { type RawBuilder, sql } from 'kysely';
import { dialect, folded } from '../database/dialect.js';
import { type SearchDialect, searchOf } from './search-query.js';
import { postgresqlSearch } from './search.postgresql.js';
import { sqliteSearch } from './search.sqlite.js';

/**
 * Word search, that of the database this process uses: what a query finds (`matching`, each database its own way: search.sqlite.ts with FTS5,
 * search.postgresql.ts with pg_trgm) and in which order (`relevanceOf`, the same SQL on both).
 *
 * A query without tone marks searches `thai_plain`, so `ขาว` finds `ข้าว` too; a query with tone marks
 * searches `thai`, so `ข้าว` finds `ข้าว` only (the marks were typed on purpose).
 */
export const wordSearch: SearchDialect = dialect.name === 'postgresql' ? postgresqlSearch : sqliteSearch;

/** `folded` (dialect.ts) of an expression that may hold parameters. */
function foldedOf(expression: RawBuilder<unknown>): RawBuilder<string> {
  const [before, after] = folded('\u0000').split('\u0000');
  return sql<string>`${sql.raw(before)}${expression}${sql.raw(after)}`;
}

/**
 * The rank of a word `q` finds, over the words table as `w`, the best first: an exact match of thai, english or
 * romanization, then of thai without tone marks, then a match at the start of one of them, then the rest (a
 * match inside). Each rank is then ordered as the list asks (Thai dictionary order by default).
 */
export function relevanceOf(q: string): RawBuilder<number> {
  const search = searchOf(q);
  const [length, latinLength] = [[...q].length, [...search.latin].length];
  const english = foldedOf(sql`w.english`);
  const englishStart = foldedOf(sql`substr(w.english, 1, ${latinLength})`);
  // romanization_lower is lower() of the database, A–Z only on SQLite: folded again, as english, to rank alike on both.
  const romanization = foldedOf(sql`w.romanization_lower`);
  const romanizationStart = foldedOf(sql`substr(w.romanization_lower, 1, ${latinLength})`);
  const tiers = [
    sql`w.thai = ${q} or ${english} = ${search.latin} or ${romanization} = ${search.latin}`,
    sql`w.thai_plain = ${q}`,
    sql`substr(${sql.ref(`w.${search.thai}`)}, 1, ${length}) = ${q} or ${englishStart} = ${search.latin} or ${romanizationStart} = ${search.latin}`,
  ];
  return sql<number>`case ${sql.join(
    tiers.map((tier, rank) => sql`when ${tier} then ${sql.lit(rank)}`),
    sql` `,
  )} else ${sql.lit(tiers.length)} end`;
}

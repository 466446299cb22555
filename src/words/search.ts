import { type QueryOrderMap, raw } from '@mikro-orm/sql';
import type { Order } from '../core/pagination.js';
import { dialect, folded } from '../database/dialect.js';
import { type SearchDialect, searchOf, type Sql } from './search-query.js';
import { postgresqlSearch } from './search.postgresql.js';
import { sqliteSearch } from './search.sqlite.js';

/**
 * Word search, that of the database this process uses: what a query finds (`matching`, each database its own way: search.sqlite.ts with FTS5,
 * search.postgresql.ts with pg_trgm) and in which order (`relevanceOrder`, the same SQL on both).
 *
 * A query without tone marks searches `thai_plain`, so `ขาว` finds `ข้าว` too; a query with tone marks
 * searches `thai`, so `ข้าว` finds `ข้าว` only (the marks were typed on purpose).
 */
export const wordSearch: SearchDialect = dialect.name === 'postgresql' ? postgresqlSearch : sqliteSearch;

/**
 * Order: the words `q` finds by relevance, each tier in Thai dictionary order (`order`), then by id: first
 * an exact match of thai, english or romanization, then of thai without tone marks, then a match at the
 * start of one of them, then the rest (a match inside).
 */
export function relevanceOrder(q: string, order: Order): QueryOrderMap<object>[] {
  const search = searchOf(q);
  const [length, latinLength] = [[...q].length, [...search.latin].length];
  const tiers = (alias: string): Sql[] => {
    const [english, romanization] = [`${alias}.english`, `${alias}.romanization_lower`];
    return [
      {
        sql: `${alias}.thai = ? or ${folded(english)} = ? or ${romanization} = ?`,
        params: [q, search.latin, search.latin],
      },
      { sql: `${alias}.thai_plain = ?`, params: [q] },
      {
        sql: `substr(${alias}.${search.thai}, 1, ?) = ? or ${folded(`substr(${english}, 1, ?)`)} = ? or substr(${romanization}, 1, ?) = ?`,
        params: [length, q, latinLength, search.latin, latinLength, search.latin],
      },
    ];
  };
  const rank = (alias: string) =>
    `case ${tiers(alias)
      .map((tier, i) => `when ${tier.sql} then ${i}`)
      .join(' ')} else ${tiers(alias).length} end`;
  return [
    {
      [raw(
        rank,
        tiers('w').flatMap((tier) => tier.params),
      )]: 'asc',
    },
    { thaiSort: order },
    { id: 'asc' },
  ] as QueryOrderMap<object>[];
}

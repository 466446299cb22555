import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { MaxCharacters, QueryId, Trim } from '../../core/http.js';
import { ORDERS, type Order, PaginationQueryDto } from '../../core/pagination.js';

/** Words without a romanization sort last, in either order. */
export const WORD_SORTS = [
  'thai',
  'english',
  'romanization',
  'correct_count',
  'wrong_count',
  'created_at',
  'id',
] as const;
export type WordSort = (typeof WORD_SORTS)[number];

/** How `sort_by=english` orders, wherever words sort by it: the column's collation differs by database. */
export const ENGLISH_SORT =
  '`english` ignores case: on SQLite that of A–Z, letters outside A–Z coming after z by their code point ' +
  '(`Zulu`, `Épée`, `éclair`, `ésprit`); on PostgreSQL in every script, in the order of the ICU root ' +
  'collation (`éclair`, `Épée`, `ésprit`, `Zulu`).';

export class GroupWordsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    description:
      'Searches thai, english and parts.romanization, ignoring case. Three characters or more match anywhere ' +
      'in them (also a Thai word inside a longer one); one or two characters match their start (ignoring case ' +
      'in A–Z only). A query without tone marks (่ ้ ๊ ๋ and ็ ์ ๎) ignores them in thai: `ขาว` finds `ขาว`, ' +
      '`ข่าว` and `ข้าว`. A query with any finds thai written with them as typed. Unless `sort_by` is given, ' +
      'results come by relevance: exact matches (with the same tone marks first), then matches at the start, ' +
      'then inside; each of these in Thai dictionary order.',
    maxLength: 200,
    example: 'ขาว',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxCharacters(200)
  q?: string;

  @ApiPropertyOptional({
    enum: WORD_SORTS,
    description:
      '`thai` (the default without `q`) is Thai dictionary order, as `Intl.Collator("th")` sorts: a leading ' +
      'vowel เ แ โ ใ ไ files under the consonant after it (`เข้าใจ` under ข), tone marks only break ties. ' +
      `${ENGLISH_SORT} \`romanization\` puts words without one last, in either order. Ties go by id, ascending. ` +
      'Without `sort_by`, `q` sorts by relevance (see `q`).',
  })
  @IsOptional()
  @IsIn(WORD_SORTS)
  sort_by?: WordSort;

  @ApiPropertyOptional({
    enum: ORDERS,
    default: 'asc',
    description: 'The direction of `sort_by` (of Thai order within a tier of relevance).',
  })
  @IsOptional()
  @IsIn(ORDERS)
  order: Order = 'asc';
}

export class ListWordsQueryDto extends GroupWordsQueryDto {
  @QueryId('Only words of this group (404 if it does not exist).')
  group_id?: number;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { QueryId, Trim } from '../../core/http.js';
import { SortedQueryDto } from '../../core/pagination.js';

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

export class GroupWordsQueryDto extends SortedQueryDto(WORD_SORTS, 'thai') {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of thai, english or parts.romanization.' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class ListWordsQueryDto extends GroupWordsQueryDto {
  @QueryId('Only words of this group (404 if it does not exist).')
  group_id?: number;
}

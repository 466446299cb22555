import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { ID_SCHEMA, IsId, IsOmittable, ItemCount, RequiredText } from '../../core/http.js';
import { SortedQueryDto } from '../../core/pagination.js';

export class GroupWordIdsDto {
  @ApiProperty({ type: 'array', items: ID_SCHEMA, example: [1, 2, 3], description: 'Words to add to the group.' })
  @ItemCount(0, 5000)
  @IsId({ each: true })
  word_ids!: number[];
}

/** The most characters a group's name may have. */
export const MAX_GROUP_NAME = 100;

export class CreateGroupDto {
  @RequiredText(MAX_GROUP_NAME, 'Greetings', 'Unique, case-insensitively.')
  name!: string;

  @ApiPropertyOptional({
    type: 'array',
    items: ID_SCHEMA,
    example: [1, 2, 3],
    description: 'Words the new group starts with.',
  })
  @IsOmittable()
  @ItemCount(0, 5000)
  @IsId({ each: true })
  word_ids?: number[];
}

export class UpdateGroupDto extends PickType(CreateGroupDto, ['name'] as const) {}

const GROUP_SORTS = ['name', 'words_count', 'created_at', 'id'] as const;

export class ListGroupsQueryDto extends SortedQueryDto(
  GROUP_SORTS,
  'name',
  'asc',
  // The name column's collation (NOCASE on SQLite, ICU's caseless root on PostgreSQL), as `sort_by=english` of words.
  '`name` ignores case: on SQLite that of A–Z, letters outside A–Z coming after z by their code point (`Zoo`, ' +
    '`Écrire`); on PostgreSQL in every script, in the order of the ICU root collation (`Écrire`, `Zoo`). Ties go ' +
    'by id, ascending.',
) {}

import { ApiProperty, OmitType } from '@nestjs/swagger';
import type { Group } from '../group.entity.js';
import { DateTimeProperty, IntegerProperty } from '../../core/api-properties.js';

export class GroupDto {
  @IntegerProperty(1)
  id!: number;

  @ApiProperty({ example: 'Greetings' })
  name!: string;

  @IntegerProperty(20)
  words_count!: number;

  @DateTimeProperty()
  created_at!: string;
}

/** A group as a word's detail names it. */
export class WordGroupRefDto extends OmitType(GroupDto, ['created_at'] as const) {}

export class GroupStatsDto {
  @IntegerProperty(20)
  total_word_count!: number;

  @IntegerProperty(12, { description: 'Distinct words answered in the group’s study sessions.' })
  studied_word_count!: number;

  @IntegerProperty(30)
  correct_count!: number;

  @IntegerProperty(6)
  wrong_count!: number;

  @ApiProperty({ example: 83.3, description: 'Percentage of correct answers, one decimal; 0 when none.' })
  success_rate!: number;

  @DateTimeProperty({ nullable: true })
  last_studied_at!: string | null;
}

export class GroupDetailDto extends GroupDto {
  @ApiProperty({ type: GroupStatsDto })
  stats!: GroupStatsDto;
}

export function toGroupDto(group: Group): GroupDto {
  return { id: group.id, name: group.name, words_count: group.wordsCount, created_at: group.createdAt.toISOString() };
}

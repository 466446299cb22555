import { ApiProperty, OmitType } from '@nestjs/swagger';
import type { Group } from '../group.entity.js';

export class GroupDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id!: number;

  @ApiProperty({ example: 'Greetings' })
  name!: string;

  @ApiProperty({ type: 'integer', example: 20 })
  words_count!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

/** A group as a word's detail names it. */
export class WordGroupRefDto extends OmitType(GroupDto, ['created_at'] as const) {}
export type GroupRefDto = WordGroupRefDto;

export class GroupStatsDto {
  @ApiProperty({ type: 'integer', example: 20 })
  total_word_count!: number;

  @ApiProperty({ type: 'integer', example: 12, description: 'Distinct words answered in the group’s study sessions.' })
  studied_word_count!: number;

  @ApiProperty({ type: 'integer', example: 30 })
  correct_count!: number;

  @ApiProperty({ type: 'integer', example: 6 })
  wrong_count!: number;

  @ApiProperty({ example: 83.3, description: 'Percentage of correct answers, one decimal; 0 when none.' })
  success_rate!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_studied_at!: string | null;
}

export class GroupDetailDto extends GroupDto {
  @ApiProperty({ type: GroupStatsDto })
  stats!: GroupStatsDto;
}

export function toGroupDto(group: Group): GroupDto {
  return { id: group.id, name: group.name, words_count: group.wordsCount, created_at: group.createdAt.toISOString() };
}

import { ApiProperty } from '@nestjs/swagger';
import type { Group } from '../group.entity.js';

export class GroupDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'Greetings' })
  name!: string;

  @ApiProperty({ example: 20 })
  words_count!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class GroupStatsDto {
  @ApiProperty({ example: 20 })
  total_word_count!: number;

  @ApiProperty({ example: 12, description: 'Distinct words answered in the group’s study sessions.' })
  studied_word_count!: number;

  @ApiProperty({ example: 30 })
  correct_count!: number;

  @ApiProperty({ example: 6 })
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

export class GroupRawWordDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'สวัสดี' })
  thai!: string;

  @ApiProperty({ example: 'hello' })
  english!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  parts!: Record<string, unknown>;
}

export class GroupRawWordsDto {
  @ApiProperty({ example: 1 })
  group_id!: number;

  @ApiProperty({ example: 'Greetings' })
  group_name!: string;

  @ApiProperty({ type: [GroupRawWordDto] })
  words!: GroupRawWordDto[];
}

export function toGroupDto(group: Group): GroupDto {
  return { id: group.id, name: group.name, words_count: group.wordsCount, created_at: group.createdAt.toISOString() };
}

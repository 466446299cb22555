import { ApiProperty, PickType } from '@nestjs/swagger';
import { WordGroupRefDto } from '../../groups/dto/group.dto.js';
import type { Word, WordParts } from '../word.entity.js';

export class WordDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id!: number;

  @ApiProperty({ example: 'สวัสดี' })
  thai!: string;

  @ApiProperty({ example: 'hello' })
  english!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { romanization: 'sawatdi', part_of_speech: 'interjection' },
  })
  parts!: WordParts;

  @ApiProperty({ type: 'integer', example: 5 })
  correct_count!: number;

  @ApiProperty({ type: 'integer', example: 2 })
  wrong_count!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class WordDetailDto extends WordDto {
  @ApiProperty({ type: [WordGroupRefDto] })
  groups!: WordGroupRefDto[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_reviewed_at!: string | null;
}

export class GroupRawWordDto extends PickType(WordDto, ['id', 'thai', 'english', 'parts'] as const) {}

export class GroupRawWordsDto {
  @ApiProperty({ type: 'integer', example: 1 })
  group_id!: number;

  @ApiProperty({ example: 'Greetings' })
  group_name!: string;

  @ApiProperty({ type: [GroupRawWordDto] })
  words!: GroupRawWordDto[];
}

export function toWordDto(word: Word): WordDto {
  return {
    id: word.id,
    thai: word.thai,
    english: word.english,
    parts: word.parts,
    correct_count: word.correctCount,
    wrong_count: word.wrongCount,
    created_at: word.createdAt.toISOString(),
    updated_at: word.updatedAt.toISOString(),
  };
}

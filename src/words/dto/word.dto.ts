import { ApiProperty, type ApiPropertyOptions, PickType } from '@nestjs/swagger';
import { WordGroupRefDto } from '../../groups/dto/group.dto.js';
import type { Word, WordParts } from '../word.entity.js';
import { instantOf } from '../../database/dialect.js';
import { DateTimeProperty, IntegerProperty } from '../../core/api-properties.js';

/** The most characters a word's thai, its english, or its romanization may have. */
export const MAX_WORD_TEXT = 200;

/** The tones of Thai, as `parts.tones` names them. */
export const TONES = ['mid', 'low', 'falling', 'high', 'rising'] as const;

const PARTS_EXAMPLE = {
  romanization: 'sawatdi',
  phonetic: 'sà-wàt-dii',
  tones: ['low', 'low', 'mid'],
  part_of_speech: 'interjection',
};

/** The OpenAPI schema of `parts`: any JSON object, with the keys the portal and its seed data use described. */
export const WORD_PARTS_SCHEMA: ApiPropertyOptions & { description: string } = {
  type: 'object',
  additionalProperties: true,
  description:
    'Free-form details of the word: any JSON object, stored and returned as sent (`romanization` and ' +
    '`part_of_speech` trimmed). The keys below have a meaning (the seed data fills them all): each is optional, ' +
    'of its type (else a 400), and others may be added.',
  properties: {
    romanization: {
      type: 'string',
      // partsProblem takes null (a word without one), and the word is answered with it as sent.
      nullable: true,
      description:
        'RTGS romanization (no tones), the syllables of a word joined, words apart: `sawatdi`, `mai pen rai`. ' +
        'Searched by `q` and sorted by `sort_by=romanization`: trimmed, as `thai` and `english` are. `null` ' +
        '(or an empty one, stored as `null`) is none, as if left out.',
      maxLength: MAX_WORD_TEXT,
      example: 'sawatdi',
    },
    phonetic: {
      type: 'string',
      description:
        'A toned transcription in the style of Paiboon: the tone on the vowel (`à` low, `â` falling, `á` high, ' +
        '`ǎ` rising, none for mid), long vowels doubled, Paiboon vowels (ɔ, ɛ, ʉ, ə), the syllables of a word ' +
        'joined by hyphens, words apart: `sà-wàt-dii`, `mâi bpen rai`.',
      example: 'sà-wàt-dii',
    },
    tones: {
      type: 'array',
      items: { type: 'string', enum: [...TONES] },
      description: 'The tone of each syllable of the word, in order (as many as the syllables of `phonetic`).',
      example: ['low', 'low', 'mid'],
    },
    part_of_speech: {
      type: 'string',
      description:
        'As the seed data names them: `noun`, `verb`, `adjective`, `adverb`, `pronoun`, `numeral`, ' +
        '`conjunction`, `particle`, `question word`, `interjection`, `phrase`. Trimmed.',
      example: 'interjection',
    },
  },
  example: PARTS_EXAMPLE,
};

export class WordDto {
  @IntegerProperty(1)
  id!: number;

  @ApiProperty({ example: 'สวัสดี' })
  thai!: string;

  @ApiProperty({ example: 'hello' })
  english!: string;

  @ApiProperty(WORD_PARTS_SCHEMA)
  parts!: WordParts;

  @IntegerProperty(5)
  correct_count!: number;

  @IntegerProperty(2)
  wrong_count!: number;

  @DateTimeProperty()
  created_at!: string;

  @DateTimeProperty()
  updated_at!: string;
}

export class WordDetailDto extends WordDto {
  @ApiProperty({ type: [WordGroupRefDto] })
  groups!: WordGroupRefDto[];

  @DateTimeProperty({ nullable: true })
  last_reviewed_at!: string | null;
}

export class GroupRawWordDto extends PickType(WordDto, ['id', 'thai', 'english', 'parts'] as const) {}

export class GroupRawWordsDto {
  @IntegerProperty(1)
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

/** A word as a plain row of `words` (WORD_FIELDS), as either database returns it. */
export interface WordRow {
  id: number;
  thai: string;
  english: string;
  /** JSON text in SQLite, parsed by `pg` in PostgreSQL. */
  parts: string | WordParts;
  correct_count: number;
  wrong_count: number;
  created_at: number | string | Date;
  updated_at: number | string | Date;
}

/** The columns a WordRow holds, for Kysely. */
export const WORD_FIELDS = [
  'id',
  'thai',
  'english',
  'parts',
  'correct_count',
  'wrong_count',
  'created_at',
  'updated_at',
] as const;

/** The parts of a word row, as the entity would hold them. */
export const partsOf = (row: Pick<WordRow, 'parts'>): WordParts =>
  typeof row.parts === 'string' ? (JSON.parse(row.parts) as WordParts) : row.parts;

export function toWordDtoOfRow(row: WordRow): WordDto {
  return {
    id: row.id,
    thai: row.thai,
    english: row.english,
    parts: partsOf(row),
    correct_count: row.correct_count,
    wrong_count: row.wrong_count,
    created_at: instantOf(row.created_at)!.toISOString(),
    updated_at: instantOf(row.updated_at)!.toISOString(),
  };
}

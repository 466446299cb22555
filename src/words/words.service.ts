import { EntityManager, type FilterQuery, raw } from '@mikro-orm/sqlite';
import { ConflictException, Injectable } from '@nestjs/common';
import { findAllOrUnprocessable, sameText } from '../core/database.js';
import { notFound } from '../core/errors.js';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { Group } from '../groups/group.entity.js';
import { WordGroup } from '../groups/word-group.entity.js';
import { ReviewItem } from '../reviews/review-item.entity.js';
import { toWordDto, type WordDetailDto, type WordDto } from './dto/word.dto.js';
import type { CreateWordDto, UpdateWordDto } from './dto/word-input.dto.js';
import type { GroupWordsQueryDto, ListWordsQueryDto } from './dto/list-words.query.js';
import { Word } from './word.entity.js';

const SORT_PROPERTIES = {
  thai: 'thai',
  english: 'english',
  correct_count: 'correctCount',
  wrong_count: 'wrongCount',
  created_at: 'createdAt',
  id: 'id',
} as const;

/** Filter: the words that are members of a group. */
export function inGroup(groupId: number): FilterQuery<Word> {
  return { [raw((alias) => `${alias}.id in (select word_id from words_groups where group_id = ?)`, [groupId])]: [] };
}

/** Filter: `text` as a case-insensitive substring of thai, english or parts.romanization (no LIKE wildcards). */
function matching(text: string): FilterQuery<Word> {
  // unicode_lower() is registered on the connection by DatabaseModule: SQLite's lower() folds only A–Z.
  const needle = text.toLowerCase();
  return {
    [raw(
      (alias) =>
        `(instr(unicode_lower(${alias}.thai), ?) > 0 or instr(unicode_lower(${alias}.english), ?) > 0 ` +
        `or instr(unicode_lower(json_extract(${alias}.parts, '$.romanization')), ?) > 0)`,
      [needle, needle, needle],
    )]: [],
  };
}

@Injectable()
export class WordsService {
  constructor(private readonly em: EntityManager) {}

  /** One page of words in two statements (the page and its count), whatever the page size. */
  async list(query: ListWordsQueryDto): Promise<Page<WordDto>> {
    if (query.group_id !== undefined) {
      await this.em.findOneOrFail(Group, query.group_id, { failHandler: notFound('Group', query.group_id) });
    }
    const filters: FilterQuery<Word>[] = [];
    if (query.q) {
      filters.push(matching(query.q));
    }
    if (query.group_id !== undefined) {
      filters.push(inGroup(query.group_id));
    }
    const [words, total] = await this.em.findAndCount(
      Word,
      { $and: filters },
      {
        orderBy: [{ [SORT_PROPERTIES[query.sort_by]]: query.order }, { id: 'asc' }],
        limit: query.per_page,
        offset: offsetOf(query),
      },
    );
    return page(words.map(toWordDto), total, query);
  }

  listInGroup(groupId: number, query: GroupWordsQueryDto): Promise<Page<WordDto>> {
    return this.list({ ...query, group_id: groupId });
  }

  async get(id: number): Promise<WordDetailDto> {
    const word = await this.findWord(id);
    const memberships = await this.em.find(
      WordGroup,
      { word: id },
      { populate: ['group'], orderBy: { group: { name: 'asc', id: 'asc' } } },
    );
    const [last] = await this.em.find(ReviewItem, { word: id }, { orderBy: { reviewedAt: 'desc' }, limit: 1 });
    return {
      ...toWordDto(word),
      groups: memberships.map(({ group }) => ({ id: group.id, name: group.name, words_count: group.wordsCount })),
      last_reviewed_at: last?.reviewedAt.toISOString() ?? null,
    };
  }

  async create(input: CreateWordDto): Promise<WordDetailDto> {
    const id = await this.em.transactional(async (em) => {
      await this.assertUnique(em, input.thai, input.english);
      const groups = await findAllOrUnprocessable(em, Group, input.group_ids ?? [], 'group_ids');
      const word = em.create(Word, { thai: input.thai, english: input.english, parts: input.parts ?? {} });
      for (const group of groups) {
        em.create(WordGroup, { word, group });
        group.wordsCount += 1;
      }
      await em.flush();
      return word.id;
    });
    return this.get(id);
  }

  async update(id: number, input: UpdateWordDto): Promise<WordDetailDto> {
    await this.em.transactional(async (em) => {
      const word = await this.findWord(id, em);
      const thai = input.thai ?? word.thai;
      const english = input.english ?? word.english;
      await this.assertUnique(em, thai, english, id);
      em.assign(word, { thai, english, ...(input.parts && { parts: input.parts }) });
    });
    return this.get(id);
  }

  /** A word with learning history is only deleted on `force`, and then with its history. */
  async remove(id: number, force: boolean): Promise<void> {
    await this.em.transactional(async (em) => {
      await this.findWord(id, em);
      if (!force && (await em.count(ReviewItem, { word: id })) > 0) {
        throw new ConflictException(
          `Word ${id} has review history; delete it with force=true to remove the history too`,
        );
      }
      await em.execute(
        'update groups set words_count = words_count - 1 where id in (select group_id from words_groups where word_id = ?)',
        [id],
      );
      // Memberships, study activities and reviews go with the word (on delete cascade).
      await em.nativeDelete(Word, { id });
    });
  }

  findWord(id: number, em: EntityManager = this.em): Promise<Word> {
    return em.findOneOrFail(Word, id, { failHandler: notFound('Word', id) });
  }

  /** `thai` is compared exactly, `english` case-insensitively. */
  private async assertUnique(em: EntityManager, thai: string, english: string, exceptId?: number): Promise<void> {
    const existing = await em.findOne(Word, {
      $and: [sameText<Word>('english', english)],
      thai,
      ...(exceptId && { id: { $ne: exceptId } }),
    });
    if (existing) {
      throw new ConflictException(`A word "${thai}" / "${english}" already exists (id ${existing.id})`);
    }
  }
}

import { EntityManager } from '@mikro-orm/sqlite';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { findAllOrUnprocessable, assertNameIsFree } from '../core/database.js';
import { notFound } from '../core/errors.js';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { isoOrNull, successRate } from '../core/stats.js';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';
import { inGroup } from '../words/words.service.js';
import { type GroupDetailDto, type GroupDto, type GroupRawWordsDto, toGroupDto } from './dto/group.dto.js';
import type { CreateGroupDto, ListGroupsQueryDto, UpdateGroupDto } from './dto/group-input.dto.js';
import { Group } from './group.entity.js';
import { WordGroup } from './word-group.entity.js';

const SORT_PROPERTIES = { name: 'name', words_count: 'wordsCount', created_at: 'createdAt', id: 'id' } as const;

interface GroupStatsRow {
  studied: number;
  correct: number;
  total: number;
  last: number | null;
}

@Injectable()
export class GroupsService {
  constructor(private readonly em: EntityManager) {}

  async list(query: ListGroupsQueryDto): Promise<Page<GroupDto>> {
    const [groups, total] = await this.em.findAndCount(
      Group,
      {},
      {
        orderBy: [{ [SORT_PROPERTIES[query.sort_by]]: query.order }, { id: 'asc' }],
        limit: query.per_page,
        offset: offsetOf(query),
      },
    );
    return page(groups.map(toGroupDto), total, query);
  }

  /** The group with statistics over the answers recorded in its study sessions, in one aggregate query. */
  async get(id: number): Promise<GroupDetailDto> {
    const group = await this.findGroup(id);
    const [stats] = await this.em.execute<GroupStatsRow[]>(
      `select count(distinct r.word_id) as studied, coalesce(sum(r.correct), 0) as correct, count(r.id) as total,
              max(r.reviewed_at) as last
         from words_review_items r join study_sessions s on s.id = r.study_session_id
        where s.group_id = ?`,
      [id],
    );
    return {
      ...toGroupDto(group),
      stats: {
        total_word_count: group.wordsCount,
        studied_word_count: stats.studied,
        correct_count: stats.correct,
        wrong_count: stats.total - stats.correct,
        success_rate: successRate(stats.correct, stats.total),
        last_studied_at: isoOrNull(stats.last),
      },
    };
  }

  async rawWords(id: number): Promise<GroupRawWordsDto> {
    const group = await this.findGroup(id);
    const words = await this.em.find(Word, inGroup(id), { orderBy: { id: 'asc' } });
    return {
      group_id: group.id,
      group_name: group.name,
      words: words.map(({ id: wordId, thai, english, parts }) => ({ id: wordId, thai, english, parts })),
    };
  }

  async create(input: CreateGroupDto): Promise<GroupDto> {
    return this.em.transactional(async (em) => {
      await assertNameIsFree(em, Group, 'group', input.name);
      const words = await findAllOrUnprocessable(em, Word, input.word_ids ?? [], 'word_ids');
      const group = em.create(Group, { name: input.name, wordsCount: words.length });
      for (const word of words) {
        em.create(WordGroup, { word, group });
      }
      await em.flush();
      return toGroupDto(group);
    });
  }

  async rename(id: number, input: UpdateGroupDto): Promise<GroupDto> {
    return this.em.transactional(async (em) => {
      const group = await this.findGroup(id, em);
      await assertNameIsFree(em, Group, 'group', input.name, id);
      group.name = input.name;
      await em.flush();
      return toGroupDto(group);
    });
  }

  /** Memberships go, words stay; study sessions (and their answers) only go on `force`. */
  async remove(id: number, force: boolean): Promise<void> {
    await this.em.transactional(async (em) => {
      await this.findGroup(id, em);
      if (!force && (await em.count(StudySession, { group: id })) > 0) {
        throw new ConflictException(`Group ${id} has study sessions; delete it with force=true to remove them too`);
      }
      // The answers of its sessions leave the review log, so they leave the words' counters too.
      await em.execute(
        `update words set correct_count = correct_count - answers.correct, wrong_count = wrong_count - answers.wrong
           from (select r.word_id, sum(r.correct) as correct, sum(1 - r.correct) as wrong
                   from words_review_items r join study_sessions s on s.id = r.study_session_id
                  where s.group_id = ? group by r.word_id) as answers
          where words.id = answers.word_id`,
        [id],
      );
      await em.nativeDelete(Group, { id });
    });
  }

  /** Adds members; ids already in the group are fine. */
  async addWords(id: number, wordIds: number[]): Promise<GroupDto> {
    return this.em.transactional(async (em) => {
      const group = await this.findGroup(id, em);
      const words = await findAllOrUnprocessable(em, Word, wordIds, 'word_ids');
      const members = await em.find(WordGroup, { group: id, word: { $in: words.map((word) => word.id) } });
      const present = new Set(members.map((member) => member.word.id));
      const added = words.filter((word) => !present.has(word.id));
      for (const word of added) {
        em.create(WordGroup, { word, group });
      }
      group.wordsCount += added.length;
      await em.flush();
      return toGroupDto(group);
    });
  }

  async removeWord(id: number, wordId: number): Promise<void> {
    await this.em.transactional(async (em) => {
      const group = await this.findGroup(id, em);
      const member = await em.findOneOrFail(
        WordGroup,
        { group: id, word: wordId },
        { failHandler: () => new NotFoundException(`Word ${wordId} is not a member of group ${id}`) },
      );
      em.remove(member);
      group.wordsCount -= 1;
    });
  }

  findGroup(id: number, em: EntityManager = this.em): Promise<Group> {
    return em.findOneOrFail(Group, id, { failHandler: notFound('Group', id) });
  }
}

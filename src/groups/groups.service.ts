import { EntityManager } from '@mikro-orm/sqlite';
import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { danglingReferences } from '../database/dialect.js';
import { assertNameIsFree } from '../core/names.js';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { ReviewsService } from '../reviews/reviews.service.js';
import { type GroupDetailDto, type GroupDto, type GroupRefDto, toGroupDto } from './dto/group.dto.js';
import type { CreateGroupDto, ListGroupsQueryDto, UpdateGroupDto } from './dto/group-input.dto.js';
import { Group } from './group.entity.js';
import { WordGroup } from './word-group.entity.js';

const SORT_PROPERTIES = { name: 'name', words_count: 'wordsCount', created_at: 'createdAt', id: 'id' } as const;

/** Groups and their memberships (`words_groups`); `words_count` follows the memberships in the database. */
@Injectable()
export class GroupsService {
  constructor(
    private readonly em: EntityManager,
    private readonly reviews: ReviewsService,
  ) {}

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

  /** The group with statistics over the answers recorded in its study sessions. */
  async get(id: number): Promise<GroupDetailDto> {
    const group = await this.findGroup(id);
    const stats = await this.reviews.groupStats(id);
    return { ...toGroupDto(group), stats: { total_word_count: group.wordsCount, ...stats } };
  }

  async create(input: CreateGroupDto): Promise<GroupDto> {
    const id = await this.em.transactional(async (em) => {
      await assertNameIsFree(em, Group, 'group', input.name);
      const group = em.create(Group, { name: input.name });
      await this.addMembers(group, input.word_ids ?? []);
      return group.id;
    });
    return toGroupDto(await this.findGroup(id));
  }

  async rename(id: number, input: UpdateGroupDto): Promise<GroupDto> {
    return this.em.transactional(async (em) => {
      const group = await this.findGroup(id);
      await assertNameIsFree(em, Group, 'group', input.name, id);
      group.name = input.name;
      await em.flush();
      return toGroupDto(group);
    });
  }

  /** Memberships go, words stay; study sessions (and their answers) only go on `force`, by the cascade. */
  async remove(id: number, force: boolean): Promise<void> {
    await this.em.transactional(async (em) => {
      const group = await this.findGroup(id);
      if (!force && (await group.studySessions.loadCount()) > 0) {
        throw new ConflictException(`Group ${id} has study sessions; delete it with force=true to remove them too`);
      }
      await em.nativeDelete(Group, { id });
    });
  }

  /** Adds members; ids already in the group are fine. */
  async addWords(id: number, wordIds: number[]): Promise<GroupDto> {
    await this.em.transactional(async () => this.addMembers(await this.findGroup(id), wordIds));
    return toGroupDto(await this.findGroup(id));
  }

  async removeWord(id: number, wordId: number): Promise<void> {
    await this.findGroup(id);
    if ((await this.em.nativeDelete(WordGroup, { group: id, word: wordId })) === 0) {
      throw new NotFoundException(`Word ${wordId} is not a member of group ${id}`);
    }
  }

  async exists(id: number): Promise<boolean> {
    return (await this.em.count(Group, { id })) > 0;
  }

  findGroup(id: number): Promise<Group> {
    // words_count moves in the database: never answer with a count this request read before a write.
    return this.em.findOneOrFail(Group, id, { refresh: true });
  }

  /** The groups a word belongs to, by name. */
  async groupsOf(wordId: number): Promise<GroupRefDto[]> {
    const groups = await this.em.find(
      Group,
      { words: wordId },
      // words_count moves in the database: never answer with a count this request read before a write.
      { orderBy: [{ name: 'asc' }, { id: 'asc' }], refresh: true },
    );
    return groups.map(({ id, name, wordsCount }) => ({ id, name, words_count: wordsCount }));
  }

  /** The ids of a group's words, as a subquery. */
  memberIds(groupId: number) {
    return this.em.createQueryBuilder(WordGroup, 'm').select('m.word').where({ group: groupId });
  }

  async hasMember(groupId: number, wordId: number): Promise<boolean> {
    return (await this.em.count(WordGroup, { group: groupId, word: wordId })) > 0;
  }

  /** Which of these words are members of the group. */
  async membersAmong(groupId: number, wordIds: number[]): Promise<Set<number>> {
    const members = await this.em.find(WordGroup, { group: groupId, word: { $in: wordIds } });
    return new Set(members.map((member) => member.word.id));
  }

  /** A new word joins groups; a group id that does not exist makes the request unprocessable (422). */
  async join(wordId: number, groupIds: number[]): Promise<void> {
    const groups = await this.em.find(Group, { id: { $in: groupIds } });
    const missing = [...new Set(groupIds)].filter((id) => !groups.some((group) => group.id === id));
    if (missing.length > 0) {
      throw new UnprocessableEntityException(`group_ids refers to ids that do not exist: ${missing.join(', ')}`);
    }
    for (const group of groups) {
      this.em.create(WordGroup, { word: wordId, group });
    }
    await this.em.flush();
  }

  /**
   * Makes words members of a group. Groups sit below words (a word's own endpoints name its groups),
   * so the words_groups foreign key, not a query of words, tells which ids do not exist.
   */
  private async addMembers(group: Group, wordIds: number[]): Promise<void> {
    const unique = [...new Set(wordIds)];
    const present = new Set(
      unique.length === 0 || !group.id
        ? []
        : (await this.em.find(WordGroup, { group, word: { $in: unique } })).map((member) => member.word.id),
    );
    const dangling = await danglingReferences(this.em, WordGroup, 'word', async () => {
      const members = unique
        .filter((id) => !present.has(id))
        .map((wordId) => this.em.create(WordGroup, { word: wordId, group }));
      await this.em.flush();
      return members;
    });
    if (dangling.length > 0) {
      throw new UnprocessableEntityException(`word_ids refers to ids that do not exist: ${dangling.join(', ')}`);
    }
  }
}

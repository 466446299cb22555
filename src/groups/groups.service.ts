import { EntityManager } from '@mikro-orm/sql';
import type { Expression, Selectable } from 'kysely';
import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import {
  danglingReferences,
  dialect,
  instantOf,
  lockReferencedTable,
  lockReferences,
  lockRows,
  lockTable,
} from '../database/dialect.js';
import type { TablesOf } from '../database/tables.js';
import { chunksOf } from '../core/chunks.js';
import { assertNameIsFree, foldedName } from '../core/names.js';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { successRate } from '../core/success-rate.js';
import { assertPreconditions, type Preconditions, refuseConditions } from '../http/entity-tag.js';
import { type GroupDetailDto, type GroupDto, toGroupDto, type WordGroupRefDto } from './dto/group.dto.js';
import type { CreateGroupDto, ListGroupsQueryDto, UpdateGroupDto } from './dto/group-input.dto.js';
import { Group } from './group.entity.js';
import { WordGroup } from './word-group.entity.js';

/**
 * The groups and memberships as Kysely sees them, for the hot reads: every answer asks whether its words are
 * members (0.21 → 0.04 ms a question, from MikroORM's `count`), every word's page names its groups.
 */
type GroupTables = TablesOf<typeof Group | typeof WordGroup>;

const SORT_PROPERTIES = { name: 'name', words_count: 'wordsCount', created_at: 'createdAt', id: 'id' } as const;

// Bounds the parameters of one statement of the bulk methods (SQLite takes 32,766).
const CHUNK = 1000;

/** A group as a word's groups name it. */
export interface GroupNameRef {
  id: number;
  name: string;
}

/** Groups and their memberships (`words_groups`); `words_count` follows the memberships in the database. */
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

  /** The group with statistics over the answers recorded in its study sessions: its counters. */
  async get(id: number): Promise<GroupDetailDto> {
    const row = await this.groupRow(id);
    return {
      ...groupDtoOf(row),
      stats: {
        total_word_count: row.words_count,
        studied_word_count: row.studied_word_count,
        correct_count: row.correct_count,
        wrong_count: row.review_items_count - row.correct_count,
        success_rate: successRate(row.correct_count, row.review_items_count),
        last_studied_at: instantOf(row.last_reviewed_at)?.toISOString() ?? null,
      },
    };
  }

  // Each write answers from a read in its own transaction: read after the commit, a group a reset or delete removed
  // meanwhile made a write that succeeded answer 404.
  async create(input: CreateGroupDto): Promise<GroupDto> {
    return this.em.transactional(async (em) => {
      await assertNameIsFree(em, Group, 'group', input.name);
      const group = em.create(Group, { name: input.name });
      await this.addMembers(group, input.word_ids ?? []);
      return toGroupDto(await this.findGroup(group.id));
    });
  }

  async rename(id: number, input: UpdateGroupDto, preconditions: Preconditions): Promise<GroupDto> {
    return this.em.transactional(async (em) => {
      // Locked before it is compared: a write between the comparison and the rename would be lost.
      await this.lock(id);
      await assertPreconditions(preconditions, 'group', () => this.get(id));
      const group = await this.findGroup(id);
      await assertNameIsFree(em, Group, 'group', input.name, id);
      group.name = input.name;
      await em.flush();
      return toGroupDto(group);
    });
  }

  /** Memberships go, words stay; study sessions (and their answers) only go on `force`, by the cascade. */
  async remove(id: number, force: boolean, preconditions: Preconditions): Promise<void> {
    await this.em.transactional(async (em) => {
      // The words before the group, as an answer, a reset and a delete of a word take them (where rows have locks):
      // the cascade to the group's answers updates their words, and a delete of a word holds its memberships while it
      // waits for the group's row; either would wait for the cascade while holding what the cascade waits for
      // (PostgreSQL ends one as a deadlock). The whole table, against writes only: those words are the group's members
      // and words that left it since, which its answers name in the record store's table, not in the group's. Answers
      // wait for a delete of a group, a rare act.
      await lockReferencedTable(em, WordGroup, 'word');
      // Locked before its sessions are counted: a session being started on it (`lock`) is counted, not cascaded.
      await this.lock(id);
      await assertPreconditions(preconditions, 'group', () => this.get(id));
      const group = await this.findGroup(id);
      if (!force && group.studySessionsCount > 0) {
        throw new ConflictException(`Group ${id} has study sessions; delete it with force=true to remove them too`);
      }
      await em.nativeDelete(Group, { id });
    });
  }

  /** Adds members; ids already in the group are fine. */
  async addWords(id: number, wordIds: number[], preconditions: Preconditions): Promise<GroupDto> {
    return this.em.transactional(async () => {
      const group = await this.findGroup(id);
      refuseConditions(preconditions);
      await this.addMembers(group, wordIds);
      return toGroupDto(await this.findGroup(id));
    });
  }

  async removeWord(id: number, wordId: number, preconditions: Preconditions): Promise<void> {
    await this.em.transactional(async (em) => {
      // The word, then the group, then its membership, as a delete of the word or of the group takes them: the
      // membership's trigger updates the group's row, which a delete holding it would wait on the membership for
      // (PostgreSQL ends one as a deadlock).
      await lockReferences(em, WordGroup, 'word', [wordId]);
      await this.lock(id);
      await this.findGroup(id);
      if ((await em.nativeDelete(WordGroup, { group: id, word: wordId })) === 0) {
        throw new NotFoundException(`Word ${wordId} is not a member of group ${id}`);
      }
      // Only the delete finds the membership: its 412 rolls the delete back.
      refuseConditions(preconditions);
    });
  }

  async exists(id: number): Promise<boolean> {
    return (await this.em.count(Group, { id })) > 0;
  }

  /**
   * Locks the group's row until the transaction ends (where rows have locks): what is written for it meanwhile (a
   * study session) is not undone by a delete, which waits, and a delete that came first is seen by `exists`.
   */
  lock(id: number): Promise<void> {
    return lockRows(this.em, Group, [id]);
  }

  /** Locks every group's row against writes, as `lock` locks one: the whole table (where rows have locks). */
  lockAll(): Promise<void> {
    return lockTable(this.em, Group);
  }

  findGroup(id: number): Promise<Group> {
    // words_count moves in the database: never answer with a count this request read before a write.
    return this.em.findOneOrFail(Group, id, { refresh: true });
  }

  /**
   * The group as it is answered with, 404 if there is none. A plain row, not an entity: cheaper, and never a
   * words_count read before a write of this request.
   */
  async findGroupDto(id: number): Promise<GroupDto> {
    return groupDtoOf(await this.groupRow(id));
  }

  /** The group's row with its counters, 404 if there is none. */
  private async groupRow(id: number) {
    const row = await this.em
      .getKysely<GroupTables>()
      .selectFrom('groups')
      .select([
        'id',
        'name',
        'words_count',
        'created_at',
        'review_items_count',
        'correct_count',
        'studied_word_count',
        'last_reviewed_at',
      ])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) {
      throw this.em.config.get('findOneOrFailHandler')(Group.meta.className, id);
    }
    return row;
  }

  /** The groups a word belongs to, by name. */
  async groupsOf(wordId: number): Promise<WordGroupRefDto[]> {
    // Plain rows, not entities: fresh counts, without the identity map and hydration.
    return this.em
      .getKysely<GroupTables>()
      .selectFrom('words_groups as m')
      .innerJoin('groups as g', 'g.id', 'm.group_id')
      .select(['g.id', 'g.name', 'g.words_count'])
      .where('m.word_id', '=', wordId)
      .orderBy('g.name')
      .orderBy('g.id')
      .execute();
  }

  /** The name of the group whose id `groupId` is, as a subquery of another module's statement (a session's row). */
  nameOf(groupId: Expression<number>) {
    return this.em.getKysely<GroupTables>().selectFrom('groups').select('name').where('id', '=', groupId).$asScalar();
  }

  /** The ids of a group's words, as a subquery. */
  memberIds(groupId: number) {
    return this.em
      .getKysely<GroupTables>()
      .selectFrom('words_groups')
      .select('word_id')
      .where('group_id', '=', groupId);
  }

  async hasMember(groupId: number, wordId: number): Promise<boolean> {
    return (await this.membersAmong(groupId, [wordId])).has(wordId);
  }

  /** Which of these words are members of the group. */
  async membersAmong(groupId: number, wordIds: number[]): Promise<Set<number>> {
    // Plain ids, not entities: a batch of answers asks this of each of its words. (`in ()` is no SQL in PostgreSQL.)
    if (wordIds.length === 0) {
      return new Set();
    }
    const members = await this.memberIds(groupId).where('word_id', 'in', wordIds).execute();
    return new Set(members.map((member) => member.word_id));
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

  /** The groups with these names (ignoring case in every script), by folded name (`foldedName`). */
  async findByNames(names: string[]): Promise<Map<string, GroupNameRef>> {
    const found = new Map<string, GroupNameRef>();
    for (const chunk of chunksOf([...new Set(names.map(foldedName))], CHUNK)) {
      const groups = await this.em.find(Group, { nameFolded: { $in: chunk } });
      for (const { id, name } of groups) {
        found.set(foldedName(name), { id, name });
      }
    }
    return found;
  }

  /** Creates groups with these names, which no group has (see `findByNames`), by folded name. */
  async createNamed(names: string[]): Promise<Map<string, GroupNameRef>> {
    const groups = names.map((name) => this.em.create(Group, { name }));
    await this.em.flush();
    return new Map(groups.map(({ id, name }) => [foldedName(name), { id, name }]));
  }

  /** The groups of each of these words (by name, then id); a word of no group has no entry. */
  async groupsOfWords(wordIds: number[]): Promise<Map<number, GroupNameRef[]>> {
    const groupsOf = new Map<number, GroupNameRef[]>();
    for (const chunk of chunksOf(wordIds, CHUNK)) {
      // Rows rather than entities: an export or an import reads tens of thousands of memberships.
      const rows = await this.em
        .createQueryBuilder(WordGroup, 'm')
        .join('m.group', 'g')
        .select(['m.word', 'g.id', 'g.name'])
        .where({ word: { $in: chunk } })
        .orderBy([{ group: { name: 'asc' } }, { group: { id: 'asc' } }])
        .execute<{ word_id: number; id: number; name: string }[]>('all', false);
      for (const { word_id: wordId, id, name } of rows) {
        const groups = groupsOf.get(wordId) ?? [];
        groups.push({ id, name });
        groupsOf.set(wordId, groups);
      }
    }
    return groupsOf;
  }

  /**
   * Makes words members of groups (ids that exist); a membership that exists already stays as it is.
   * Inserted in bulk, without the unit of work: a bulk import adds a hundred thousand.
   */
  async addMemberships(memberships: { word: number; group: number }[]): Promise<void> {
    for (const chunk of chunksOf(memberships, CHUNK)) {
      const existing = await this.em
        .createQueryBuilder(WordGroup, 'm')
        .select(['m.word', 'm.group'])
        .where({ word: { $in: [...new Set(chunk.map((membership) => membership.word))] } })
        .execute<{ word_id: number; group_id: number }[]>('all', false);
      const present = new Set(existing.map((member) => `${member.word_id}:${member.group_id}`));
      const createdAt = new Date();
      const fresh = chunk.filter(
        ({ word, group }) => !present.has(`${word}:${group}`) && present.add(`${word}:${group}`),
      );
      if (fresh.length > 0) {
        await this.em.insertMany(
          WordGroup,
          fresh.map(({ word, group }) => ({ word, group, createdAt })),
        );
      }
    }
  }

  /**
   * Makes words members of a group. Groups sit below words (a word's own endpoints name its groups), so
   * the ids that do not exist are found through the words_groups foreign key's metadata, by
   * `danglingReferences` (dialect.ts): looked up before the write on SQLite, after it on PostgreSQL (the key
   * deferred), in this transaction.
   */
  private async addMembers(group: Group, wordIds: number[]): Promise<void> {
    // An id beyond the id column's range refers to no word, and the column could not hold it to say so.
    const ids = [...new Set(wordIds)];
    const unique = ids.filter((id) => id <= dialect.largestId);
    const unstorable = ids.filter((id) => id > dialect.largestId).sort((a, b) => a - b);
    // Words before the group, in the order an answer takes them (its words, then its group's counters): the
    // membership's trigger locks the group's row, and its foreign key would then wait for a word an answer holds.
    // Locked before the memberships are read: a concurrent request adding the same word has then committed its
    // membership, which is found here and left as it is, instead of being inserted twice (a 409 on PostgreSQL).
    await lockReferences(this.em, WordGroup, 'word', unique);
    const present = new Set(
      unique.length === 0 || !group.id
        ? []
        : (await this.em.find(WordGroup, { group, word: { $in: unique } })).map((member) => member.word.id),
    );
    const joining = unique.filter((id) => !present.has(id));
    const dangling = await danglingReferences(this.em, WordGroup, 'word', joining, async () => {
      const members = joining.map((wordId) => this.em.create(WordGroup, { word: wordId, group }));
      await this.em.flush();
      return members.map((member) => member.id);
    });
    dangling.push(...unstorable);
    if (dangling.length > 0) {
      throw new UnprocessableEntityException(`word_ids refers to ids that do not exist: ${dangling.join(', ')}`);
    }
  }
}

/** A group's row as the API shows it. */
function groupDtoOf(
  row: Pick<Selectable<GroupTables['groups']>, 'id' | 'name' | 'words_count' | 'created_at'>,
): GroupDto {
  return {
    id: row.id,
    name: row.name,
    words_count: row.words_count,
    created_at: instantOf(row.created_at)!.toISOString(),
  };
}

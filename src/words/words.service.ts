import { EntityManager } from '@mikro-orm/sql';
import { ConflictException, Injectable } from '@nestjs/common';
import { type AliasedSelectQueryBuilder, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { CASELESS } from '../database/columns.js';
import { instantOf, jsonText, lockRows, lockTable } from '../database/dialect.js';
import { foldedName } from '../core/names.js';
import { countOf, type TablesOf } from '../database/tables.js';
import { offsetOf, type Order, type OrderKey, page, type Page } from '../core/pagination.js';
import { assertPreconditions, type Preconditions } from '../http/entity-tag.js';
import { GroupsService } from '../groups/groups.service.js';
import {
  type GroupRawWordsDto,
  partsOf,
  toWordDto,
  toWordDtoOfRow,
  WORD_FIELDS,
  type WordDetailDto,
  type WordDto,
} from './dto/word.dto.js';
import { type CreateWordDto, partsToStore, type UpdateWordDto } from './dto/word-input.dto.js';
import type { GroupWordsQueryDto, ListWordsQueryDto, WordSort } from './dto/list-words.query.js';
import { relevanceOf, wordSearch } from './search.js';
import { Word } from './word.entity.js';

type WordTables = TablesOf<typeof Word>;
/** A query of the words table as `w`, which the search's conditions and order name. */
type WordsAsW<Row> = SelectQueryBuilder<WordTables & { w: WordTables['words'] }, 'w', Row>;

const SORT_COLUMNS = {
  // Thai dictionary order, by the key the entity computes on every write (thai.ts).
  thai: 'w.thai_sort',
  english: 'w.english',
  correct_count: 'w.correct_count',
  wrong_count: 'w.wrong_count',
  created_at: 'w.created_at',
  id: 'w.id',
} as const;

/** The keys `sort_by` orders words by (the words table as `w`), each with its direction; ties by id follow. */
function sortKeys(by: WordSort, order: Order): OrderKey[] {
  if (by === 'romanization') {
    // Words without a romanization last, whatever the order.
    const romanization = sql.raw(jsonText('w.parts', 'romanization'));
    return [
      [sql`${romanization} is null`, 'asc'],
      [romanization, order],
    ];
  }
  return [[sql.ref(SORT_COLUMNS[by]), order]];
}

/** The order of a word list: by `q`'s relevance if searched without a sort, else by the sort asked, then by id. */
function ordered<Row>(words: WordsAsW<Row>, query: ListWordsQueryDto): WordsAsW<Row> {
  const by = query.q && !query.sort_by ? 'relevance' : (query.sort_by ?? 'thai');
  if (by === 'relevance') {
    // The best matches first (search.ts), each rank in Thai order.
    return words.orderBy(relevanceOf(query.q!)).orderBy('w.thai_sort', query.order).orderBy('w.id');
  }
  return sortKeys(by, query.order)
    .reduce((sorted, [key, direction]) => sorted.orderBy(key, direction), words)
    .orderBy('w.id');
}

@Injectable()
export class WordsService {
  constructor(
    private readonly em: EntityManager,
    private readonly groups: GroupsService,
  ) {}

  /**
   * One page of words in two statements (the page and its count), whatever the page size. Read as plain rows:
   * the identity map and hydration cost more than the statements.
   */
  async list(query: ListWordsQueryDto): Promise<Page<WordDto>> {
    const groupSize =
      query.group_id === undefined ? undefined : (await this.groups.findGroupDto(query.group_id)).words_count;
    const words = this.em
      .getKysely<WordTables>()
      .selectFrom('words as w')
      .$if(Boolean(query.q), (words) => words.where(wordSearch.matching(query.q!)))
      .$if(query.group_id !== undefined, (words) => words.where('w.id', 'in', this.groups.memberIds(query.group_id!)));
    // All of a group's words: the group keeps their count, which saves counting them again.
    const total = groupSize !== undefined && !query.q ? groupSize : await countOf(words);
    const rows = await ordered(words.select(WORD_FIELDS.map((field) => `w.${field}` as const)), query)
      .limit(query.per_page)
      .offset(offsetOf(query))
      .execute();
    return page(rows.map(toWordDtoOfRow), total, query);
  }

  /**
   * How a word list sorted by `sortBy` orders its words (ties by id), for another module's rows that name a word by
   * the column `wordId`: each key a subquery of the words table by that id, so that its query needs no join.
   */
  orderOf(sortBy: WordSort, order: Order, wordId: string): OrderKey[] {
    const byWord = (key: RawBuilder<unknown>) => sql`(select ${key} from words as w where w.id = ${sql.ref(wordId)})`;
    // A subquery's value loses its column's collation on SQLite: english's is named again, to ignore case.
    const collated = (key: RawBuilder<unknown>) =>
      sortBy === 'english' ? sql`${byWord(key)} collate ${sql.raw(CASELESS)}` : byWord(key);
    return [
      ...sortKeys(sortBy, order).map(([key, direction]): OrderKey => [collated(key), direction]),
      [sql.ref(wordId), 'asc'],
    ];
  }

  /**
   * Another module's page of rows that name a word as `word_id`, each with the word's `thai` and `english`: the
   * page is found first and only its words are read, one look-up a row instead of one a column (a page of 100 of
   * GET /reviews: the statement 0.20 -> 0.15 ms). The rows come unordered: the caller orders them by the page's.
   */
  textsOf<Row extends { word_id: number }>(page: AliasedSelectQueryBuilder<Row, 'p'>) {
    return this.em
      .getKysely<WordTables>()
      .selectFrom(page)
      .innerJoin('words as w', 'w.id', 'p.word_id')
      .selectAll('p')
      .select(['w.thai', 'w.english']);
  }

  listInGroup(groupId: number, query: GroupWordsQueryDto): Promise<Page<WordDto>> {
    return this.list({ ...query, group_id: groupId });
  }

  /** Every word of a group, for a launched learning app. */
  async rawWordsOf(groupId: number): Promise<GroupRawWordsDto> {
    const group = await this.groups.findGroupDto(groupId);
    // Plain rows: a group may hold thousands of words.
    const rows = await this.em
      .getKysely<WordTables>()
      .selectFrom('words')
      .select(['id', 'thai', 'english', 'parts'])
      .where('id', 'in', this.groups.memberIds(groupId))
      .orderBy('id')
      .execute();
    return {
      group_id: group.id,
      group_name: group.name,
      words: rows.map((row) => ({ id: row.id, thai: row.thai, english: row.english, parts: partsOf(row) })),
    };
  }

  async get(id: number): Promise<WordDetailDto> {
    // A plain row, not an entity: the word is only answered with.
    const row = await this.em
      .getKysely<WordTables>()
      .selectFrom('words')
      .select([...WORD_FIELDS, 'last_reviewed_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) {
      throw this.em.config.get('findOneOrFailHandler')(Word.meta.className, id);
    }
    return this.detailOf(toWordDtoOfRow(row), instantOf(row.last_reviewed_at));
  }

  /** The word with its groups and its last review. */
  private async detailOf(word: WordDto, lastReviewedAt: Date | null | undefined): Promise<WordDetailDto> {
    return {
      ...word,
      groups: await this.groups.groupsOf(word.id),
      last_reviewed_at: lastReviewedAt?.toISOString() ?? null,
    };
  }

  // Each write answers from reads in its own transaction: read after the commit, a word a reset or delete removed
  // meanwhile made a write that succeeded answer 404.
  async create(input: CreateWordDto): Promise<WordDetailDto> {
    return this.em.transactional(async (em) => {
      await this.assertUnique(input.thai, input.english);
      const word = em.create(Word, {
        thai: input.thai,
        english: input.english,
        parts: partsToStore(input.parts ?? {}),
      });
      await em.flush();
      await this.groups.join(word.id, input.group_ids ?? []);
      // The entity just written: its parts as sent (PostgreSQL's jsonb would reorder their keys).
      return this.detailOf(toWordDto(word), null);
    });
  }

  async update(id: number, input: UpdateWordDto, preconditions: Preconditions = {}): Promise<WordDetailDto> {
    return this.em.transactional(async (em) => {
      // Locked before it is read, as a delete takes it: a word deleted meanwhile is a 404, not an update of no row
      // answered 200 with the groups the delete left it.
      await lockRows(em, Word, [id]);
      await assertPreconditions(preconditions, 'word', () => this.get(id));
      const word = await this.findWord(id);
      const thai = input.thai ?? word.thai;
      const english = input.english ?? word.english;
      await this.assertUnique(thai, english, id);
      em.assign(word, { thai, english, ...(input.parts && { parts: partsToStore(input.parts) }) });
      // Flushed before it answers: updated_at is set on the write.
      await em.flush();
      return this.detailOf(toWordDto(word), word.lastReviewedAt);
    });
  }

  /**
   * Locks these words' rows until the transaction ends, in id order (where rows have locks). Recording an answer
   * locks its word's row (its counters' trigger), so whatever takes these locks first runs alone on those words'
   * answers and cards; taken in id order, they keep concurrent batches on the same words from deadlocking.
   */
  lock(ids: number[]): Promise<void> {
    return lockRows(this.em, Word, ids);
  }

  /** Locks every word's row against writes, as `lock` locks some. */
  lockAll(): Promise<void> {
    return lockTable(this.em, Word);
  }

  /** A word with learning history is only deleted on `force`; its history and memberships go by the cascade. */
  async remove(id: number, force: boolean, preconditions: Preconditions = {}): Promise<void> {
    await this.em.transactional(async (em) => {
      // Locked before its counters are read: an answer recorded meanwhile waits, and is not deleted unforced.
      await lockRows(em, Word, [id]);
      await assertPreconditions(preconditions, 'word', () => this.get(id));
      const word = await this.findWord(id);
      // The word's counters count its answers.
      if (!force && word.correctCount + word.wrongCount > 0) {
        throw new ConflictException(
          `Word ${id} has review history; delete it with force=true to remove the history too`,
        );
      }
      await em.nativeDelete(Word, { id });
    });
  }

  findWord(id: number): Promise<Word> {
    return this.em.findOneOrFail(Word, id);
  }

  /** The words with these ids, in no particular order. */
  async findWords(ids: number[]): Promise<WordDto[]> {
    // Plain rows: pages of a session's words and the review queue read a hundred at a time. (`in ()` is no SQL in
    // PostgreSQL.)
    if (ids.length === 0) {
      return [];
    }
    const rows = await this.em
      .getKysely<WordTables>()
      .selectFrom('words')
      .select(WORD_FIELDS)
      .where('id', 'in', ids)
      .execute();
    return rows.map(toWordDtoOfRow);
  }

  /** Which of these ids are words' ids. */
  async existing(ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) {
      return new Set();
    }
    const rows = await this.em
      .getKysely<WordTables>()
      .selectFrom('words')
      .select('id')
      .where('id', 'in', ids)
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  /** The first words (by id) never answered, of a group if given: those a learner meets next. */
  async unstudied(limit: number, groupId?: number): Promise<WordDto[]> {
    const rows = await this.em
      .getKysely<WordTables>()
      .selectFrom('words')
      .select(WORD_FIELDS)
      .where('correct_count', '=', 0)
      .where('wrong_count', '=', 0)
      .$if(groupId !== undefined, (words) => words.where('id', 'in', this.groups.memberIds(groupId!)))
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toWordDtoOfRow);
  }

  count(): Promise<number> {
    return countOf(this.em.getKysely<WordTables>().selectFrom('words'));
  }

  /** `thai` is compared exactly, `english` case-insensitively. */
  private async assertUnique(thai: string, english: string, exceptId?: number): Promise<void> {
    const existing = await this.em.findOne(Word, {
      thai,
      englishFolded: foldedName(english),
      ...(exceptId && { id: { $ne: exceptId } }),
    });
    if (existing) {
      throw new ConflictException(`A word "${thai}" / "${english}" already exists (id ${existing.id})`);
    }
  }
}

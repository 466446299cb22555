import { EntityManager, raw, RequestContext } from '@mikro-orm/sql';
import { jsonText, lockTable } from '../database/dialect.js';
import type { TablesOf } from '../database/tables.js';
import { Injectable } from '@nestjs/common';
import { chunksOf } from '../core/chunks.js';
import { isJsonObject } from '../core/json.js';
import { foldedName } from '../core/names.js';
import { ConflictingFieldsException, type FieldErrorDto, ValidationFailedException } from '../http/problem-document.js';
import { type GroupNameRef, GroupsService } from '../groups/groups.service.js';
import type { ExportedWordDto, ImportReportDto, OnDuplicate } from './dto/word-transfer.dto.js';
import { type ImportRow, type ImportRows, wordKey } from './word-import.rows.js';
import { partsOf, toWordDtoOfRow, WORD_FIELDS, type WordRow } from './dto/word.dto.js';
import { Word, type WordParts } from './word.entity.js';

/** Words written per flush, and looked up per statement. */
const CHUNK = 1000;
/** Words read per statement of an export. */
const EXPORT_PAGE = 500;
/** How many errors the `detail` of a refused import spells out (`errors[]` has them all). */
const ERRORS_IN_DETAIL = 10;

/** JSON text with the keys of every object sorted: equal for equal values, whatever order their keys came in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    isJsonObject(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** A stored word, as an import compares a row with it. */
export interface StoredWord {
  id: number;
  thai: string;
  english: string;
  parts: WordParts;
}

/** A stored word as read without the entity (`parts` as either database gives it). */
type StoredWordRow = Pick<WordRow, 'id' | 'thai' | 'english' | 'parts'>;

/** A row that changes a stored word: its fields (when they differ) and the groups it joins. */
interface Update {
  row: ImportRow;
  id: number;
  fields?: { thai: string; english: string; parts: WordParts };
  /** Whether the word takes another text (an Anki note edited), which another word may be giving up. */
  moves: boolean;
  joins: string[];
}

/**
 * The updates in an order in which each can be written, one statement at a time under the unique index of the
 * texts: a word that takes the text another word gives up comes after it. What is left are words that exchange their
 * texts, which no such order writes.
 */
function inWritingOrder(
  updates: Update[],
  stored: Map<string, StoredWord>,
): { ordered: Update[]; exchanging: Update[] } {
  const pending = new Map(updates.map((update) => [update.id, update]));
  const ordered: Update[] = [];
  let progress = true;
  while (pending.size > 0 && progress) {
    progress = false;
    for (const [id, update] of pending) {
      const holder = update.moves ? stored.get(wordKey(update.row.thai, update.row.english)) : undefined;
      if (!holder || !pending.has(holder.id)) {
        ordered.push(update);
        pending.delete(id);
        progress = true;
      }
    }
  }
  return { ordered, exchanging: [...pending.values()] };
}

/** The `detail` of a refused import: how many rows, why (as said of one row, and of more), and the first errors. */
const summary = (errors: FieldErrorDto[], total: number, [one, many]: [one: string, many: string]) => {
  const rows = new Set(errors.map((error) => error.row)).size;
  const listed = errors
    .slice(0, ERRORS_IN_DETAIL)
    .map((error) => `row ${error.row}: ${error.field} ${error.message}`)
    .join('; ');
  const more = errors.length > ERRORS_IN_DETAIL ? `; and ${errors.length - ERRORS_IN_DETAIL} more in errors[]` : '';
  return `${rows} of ${total} ${total === 1 ? 'row' : 'rows'} ${rows === 1 ? one : many}, so nothing was imported: ${listed}${more}`;
};

/**
 * Bulk import and export of words. An import is one transaction: every row is checked first, and any
 * error refuses the whole file; then words are created and updated through the Word entity (its hooks
 * compute derived columns) in chunks, and the groups module adds the memberships. An export reads the
 * words in pages by id, each page in a persistence context of its own, so memory stays flat.
 */
@Injectable()
export class WordTransferService {
  constructor(
    private readonly em: EntityManager,
    private readonly groups: GroupsService,
  ) {}

  async import(input: ImportRows, onDuplicate: OnDuplicate, dryRun: boolean): Promise<ImportReportDto> {
    return (await this.importRows(input, onDuplicate, dryRun)).report;
  }

  /**
   * `import`, answering also the id of the word each row became or matched (`undefined` for a row skipped;
   * a new word in a dry run has a negative stand-in, minus its row). `known` names stored words some rows are, whatever their thai and
   * english now (an Anki note found by its guid): each such row updates its word.
   */
  async importRows(
    input: ImportRows,
    onDuplicate: OnDuplicate,
    dryRun: boolean,
    known: Map<ImportRow, StoredWord> = new Map(),
  ): Promise<{ report: ImportReportDto; ids: Map<ImportRow, number> }> {
    return this.em.transactional(async (em) => {
      if (!dryRun) {
        // Every word before any is read, as the Anki import and a reset take them: what the import finds (the words
        // it updates, their groups) stays so until it commits. Locked after the reads, a word deleted or changed
        // meanwhile was written from the stale read (a 500, or a lost change), and two imports took the groups'
        // rows, which their memberships' triggers lock statement by statement, in crossed orders (a deadlock).
        await lockTable(em, Word);
        // Then every group, words before groups: the groups it names are looked up, then joined or created, and none of
        // those names is created (the import's own creation a 409) or deleted meanwhile.
        await this.groups.lockAll();
      }
      const { rows } = input;
      // A known row may give its word another text (an Anki note edited): the words holding that text are read too.
      const stored = await this.storedWords(rows);
      // The words known rows hold: no other row matches one by its text, which its row replaces (rows' texts differ).
      const held = new Set([...known.values()].map((word) => word.id));
      const ids = new Map<ImportRow, number>();
      const creates: ImportRow[] = [];
      const matches: { row: ImportRow; word: StoredWord }[] = [];
      const conflicts: FieldErrorDto[] = [];
      let skipped = 0;
      for (const row of rows) {
        const byText = stored.get(wordKey(row.thai, row.english));
        const word = known.get(row) ?? (byText && !held.has(byText.id) ? byText : undefined);
        if (word) {
          ids.set(row, word.id);
        }
        if (known.has(row)) {
          if (byText && byText.id !== word!.id && !held.has(byText.id)) {
            conflicts.push({
              row: row.row,
              field: 'thai',
              message: `"${row.thai}" with english "${row.english}" is word ${byText.id} already, not the word ${word!.id} this row changes`,
            });
          }
          matches.push({ row, word: word! });
        } else if (!word) {
          creates.push(row);
        } else if (onDuplicate === 'skip') {
          ids.delete(row);
          skipped++;
        } else if (onDuplicate === 'update') {
          matches.push({ row, word });
        } else {
          conflicts.push({
            row: row.row,
            field: 'thai',
            message: `"${row.thai}" with english "${row.english}" is word ${word.id} already (on_duplicate=error)`,
          });
        }
      }
      if (input.errors.length > 0) {
        const errors = [...input.errors, ...conflicts].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
        throw new ValidationFailedException(
          errors,
          summary(errors, input.count, ['cannot be imported', 'cannot be imported']),
        );
      }
      if (conflicts.length > 0) {
        throw new ConflictingFieldsException(
          conflicts,
          summary(conflicts, input.count, ['is a word that exists already', 'are words that exist already']),
        );
      }

      const named = await this.groups.findByNames(
        [...creates, ...matches.map(({ row }) => row)].flatMap((row) => row.groups),
      );
      const { ordered: updates, exchanging } = inWritingOrder(await this.changesOf(matches, named), stored);
      if (exchanging.length > 0) {
        const exchanges = exchanging.map(({ row, id }) => ({
          row: row.row,
          field: 'thai',
          message: `"${row.thai}" with english "${row.english}" is the text of a word another of these rows changes, while word ${id} takes it: words cannot exchange their texts in one import`,
        }));
        throw new ConflictingFieldsException(
          exchanges,
          summary(exchanges, input.count, ['exchanges texts with another', 'exchange texts with others']),
        );
      }
      // The groups to create, as the first row naming each spells it.
      const missing = new Map<string, string>();
      for (const name of [...creates, ...updates.map(({ row }) => row)].flatMap((row) => row.groups)) {
        if (!named.has(foldedName(name)) && !missing.has(foldedName(name))) {
          missing.set(foldedName(name), name);
        }
      }
      const report: ImportReportDto = {
        dry_run: dryRun,
        on_duplicate: onDuplicate,
        rows: input.count,
        created: creates.length,
        updated: updates.length,
        unchanged: matches.length - updates.length,
        skipped,
        groups_created: [...missing.values()],
      };
      if (dryRun) {
        creates.forEach((row) => ids.set(row, -row.row));
        return { report, ids };
      }

      for (const [folded, group] of await this.groups.createNamed([...missing.values()])) {
        named.set(folded, group);
      }
      const groupIdsOf = (names: string[]) => names.map((name) => named.get(foldedName(name))!.id);
      em.clear();
      // Updates first: a new word may take the text an updated word gives up.
      for (const chunk of chunksOf(updates, CHUNK)) {
        const changing = chunk.filter((update) => update.fields);
        if (changing.length > 0) {
          const words = new Map(
            (await em.find(Word, { id: { $in: changing.map((update) => update.id) } })).map((word) => [word.id, word]),
          );
          for (const { id, fields, moves } of changing) {
            em.assign(words.get(id)!, fields!);
            if (moves) {
              // Alone and in order: the unique index checks each statement, and the text it takes may be one given up before.
              await em.flush();
            }
          }
          await em.flush();
        }
        await this.groups.addMemberships(
          chunk.flatMap(({ id, joins }) => groupIdsOf(joins).map((group) => ({ word: id, group }))),
        );
        em.clear();
      }
      for (const chunk of chunksOf(creates, CHUNK)) {
        const words = chunk.map((row) =>
          em.create(Word, { thai: row.thai, english: row.english, parts: row.parts(undefined) }),
        );
        await em.flush();
        chunk.forEach((row, i) => ids.set(row, words[i].id));
        await this.groups.addMemberships(
          chunk.flatMap((row, i) => groupIdsOf(row.groups).map((group) => ({ word: words[i].id, group }))),
        );
        em.clear();
      }
      return { report, ids };
    });
  }

  /** The stored words whose `parts[key]` is one of these texts (an Anki note's guid), by that text. */
  async findByPart(key: string, values: string[]): Promise<Map<string, StoredWord>> {
    const found = new Map<string, StoredWord>();
    for (const chunk of chunksOf([...new Set(values)], CHUNK)) {
      const words = await this.em
        .createQueryBuilder(Word, 'w')
        .select(['id', 'thai', 'english', 'parts', raw(`${jsonText('w.parts', key)} as part`)])
        .where({ [raw(jsonText('w.parts', key))]: { $in: chunk } })
        .execute<(StoredWordRow & { part: string })[]>('all', false);
      for (const { part, ...word } of words) {
        found.set(part, { ...word, parts: partsOf(word) });
      }
    }
    return found;
  }

  /** The stored words the rows name (thai exactly, english ignoring case), by `wordKey`. */
  private async storedWords(rows: ImportRow[]): Promise<Map<string, StoredWord>> {
    const stored = new Map<string, StoredWord>();
    const keys = new Set(rows.map((row) => wordKey(row.thai, row.english)));
    for (const chunk of chunksOf([...new Set(rows.map((row) => row.thai))], CHUNK)) {
      // By thai, which leads the unique index of thai and english; english is compared here. Rows rather
      // than entities: only these fields are compared, for tens of thousands of words.
      const words = await this.em
        .createQueryBuilder(Word)
        .select(['id', 'thai', 'english', 'parts'])
        .where({ thai: { $in: chunk } })
        .execute<StoredWordRow[]>('all', false);
      for (const word of words) {
        const key = wordKey(word.thai, word.english);
        if (keys.has(key)) {
          stored.set(key, { ...word, parts: partsOf(word) });
        }
      }
    }
    return stored;
  }

  /**
   * What `on_duplicate=update` changes in each stored word a row matches: its english (the row's spelling)
   * and parts when they differ, and the groups it joins; a row that changes nothing is no update.
   */
  private async changesOf(
    matches: { row: ImportRow; word: StoredWord }[],
    named: Map<string, GroupNameRef>,
  ): Promise<Update[]> {
    const groupsOf = await this.groups.groupsOfWords(matches.map(({ word }) => word.id));
    const updates: Update[] = [];
    for (const { row, word } of matches) {
      const parts = row.parts(word.parts);
      const changed =
        row.thai !== word.thai || row.english !== word.english || canonicalJson(parts) !== canonicalJson(word.parts);
      const member = new Set((groupsOf.get(word.id) ?? []).map((group) => group.id));
      const joins = [...new Map(row.groups.map((name) => [foldedName(name), name])).values()].filter((name) => {
        const group = named.get(foldedName(name));
        return group === undefined || !member.has(group.id);
      });
      if (changed || joins.length > 0) {
        updates.push({
          row,
          id: word.id,
          ...(changed && { fields: { thai: row.thai, english: row.english, parts } }),
          moves: wordKey(row.thai, row.english) !== wordKey(word.thai, word.english),
          joins,
        });
      }
    }
    return updates;
  }

  /** Whether the group exists (404 otherwise), before an export of its words starts. */
  async assertGroup(groupId: number): Promise<void> {
    await this.groups.findGroup(groupId);
  }

  /** Every word (of a group), with its group names and counters, in pages by id. */
  async *exportWords(groupId?: number): AsyncGenerator<ExportedWordDto[]> {
    let after = 0;
    for (;;) {
      // A context of its own for every page: the stream is read long after the request's context.
      const page = await RequestContext.create(this.em, () => this.exportPage(after, groupId));
      if (page.length === 0) {
        return;
      }
      yield page;
      after = page[page.length - 1].id;
    }
  }

  private async exportPage(after: number, groupId?: number): Promise<ExportedWordDto[]> {
    const rows = await this.em
      .getKysely<TablesOf<typeof Word>>()
      .selectFrom('words')
      .select(WORD_FIELDS)
      .where('id', '>', after)
      .$if(groupId !== undefined, (words) => words.where('id', 'in', this.groups.memberIds(groupId!)))
      .orderBy('id')
      .limit(EXPORT_PAGE)
      .execute();
    const groupsOf = await this.groups.groupsOfWords(rows.map((row) => row.id));
    return rows.map((row) => {
      const { id, thai, english, parts, ...counters } = toWordDtoOfRow(row);
      return { id, thai, english, parts, groups: (groupsOf.get(id) ?? []).map((group) => group.name), ...counters };
    });
  }
}

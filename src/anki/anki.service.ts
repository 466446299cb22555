import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EntityManager } from '@mikro-orm/sql';
import { BadRequestException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { bytesOf, type Environment } from '../config.js';
import { hasAtMostCharacters } from '../core/json.js';
import type { ImportedAnswer } from '../reviews/cards.service.js';
import { ReviewsService } from '../reviews/reviews.service.js';
import type { OnDuplicate } from '../words/dto/word-transfer.dto.js';
import { MAX_WORD_TEXT } from '../words/dto/word.dto.js';
import { partsProblem } from '../words/dto/word-input.dto.js';
import { MAX_GROUP_NAME } from '../groups/dto/group-input.dto.js';
import { type ImportRow, wordKey } from '../words/word-import.rows.js';
import { type StoredWord, WordTransferService } from '../words/word-transfer.service.js';
import { WordsService } from '../words/words.service.js';
import { type FieldMap, mapNote } from './anki-notes.js';
import { type AnkiPackage, AnkiPackageError, readAnkiPackage } from './anki-package.js';
import type { AnkiFailedNoteDto, AnkiImportReportDto } from './dto/anki-import.dto.js';
import { isStoredMediaName, mediaDirectory, storedMediaName } from './media.js';

/** Reads from the package; what it cannot read is a 400 saying why. */
function fromPackage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof AnkiPackageError) {
      throw new BadRequestException(error.message);
    }
    throw error;
  }
}

/** Review log types: 0 learn, 1 review, 2 relearn, 3 filtered (cram); 4 manual and 5 rescheduled are no answers. */
const ANSWER_TYPES = new Set([0, 1, 2, 3]);

/**
 * A revlog id is when the answer was given (epoch ms). One before 1970 or in the future was never an answer,
 * and a future one would leave the word's card reviewed after now, which FSRS cannot schedule from.
 */
const isAnswerTime = (id: number, now: number) => Number.isSafeInteger(id) && id >= 0 && id <= now;

export interface AnkiImportOptions {
  dryRun: boolean;
  onDuplicate: OnDuplicate;
  fieldMap?: FieldMap;
}

/**
 * An Anki package brought in, all or nothing, in one transaction: its notes become words through the
 * word import (duplicates, groups named after decks), its review log becomes answers through the record
 * store (each word's card replayed from its whole history), its audio is stored under the media folder.
 */
@Injectable()
export class AnkiService {
  private readonly mediaDir: string;
  private readonly unpackedLimit: number;

  constructor(
    private readonly em: EntityManager,
    private readonly words: WordTransferService,
    private readonly allWords: WordsService,
    private readonly reviews: ReviewsService,
    config: ConfigService<Environment, true>,
  ) {
    this.mediaDir = mediaDirectory({
      MEDIA_PATH: config.get('MEDIA_PATH', { infer: true }),
      DATABASE_PATH: config.get('DATABASE_PATH', { infer: true }),
    });
    this.unpackedLimit = bytesOf(config.get('ANKI_UNPACKED_LIMIT', { infer: true }));
  }

  async import(data: Uint8Array, options: AnkiImportOptions): Promise<AnkiImportReportDto> {
    const pkg = fromPackage(() => readAnkiPackage(data, this.unpackedLimit));
    const failed: AnkiFailedNoteDto[] = [];
    const rows: ImportRow[] = [];
    const rowOfNote = new Map<number, ImportRow>();
    const rowOfKey = new Map<string, ImportRow>();
    const guidOfRow = new Map<ImportRow, string>();
    const audio = new Set<string>();
    // The stored name of each audio file (by its content), known once the notes are read: parts are built later.
    const storedAudio = new Map<string, string>();
    const audioPart = (name: string | undefined) => {
      const stored = name === undefined ? undefined : storedAudio.get(name);
      return stored === undefined ? {} : { audio: `/media/${stored}` };
    };
    const images = new Set<string>();
    let merged = 0;
    let missingMedia = 0;
    // A guid finds the word of one note: notes sharing it would all update that word, and a word each made by the
    // first import would make the next a 409.
    const noteOfGuid = new Map<string, number>();
    for (const note of pkg.notes) {
      const fail = (reason: string) =>
        failed.push({ note_id: note.id, guid: note.guid, note_type: note.noteType, reason });
      const sameGuid = noteOfGuid.get(note.guid);
      if (sameGuid !== undefined) {
        fail(`its guid is the earlier note ${sameGuid}’s too, and a guid names one note`);
        continue;
      }
      noteOfGuid.set(note.guid, note.id);
      const mapped = mapNote(note, options.fieldMap);
      if ('reason' in mapped) {
        fail(mapped.reason);
        continue;
      }
      const tooLong = (['thai', 'english'] as const).find(
        (field) => !hasAtMostCharacters(mapped[field], MAX_WORD_TEXT),
      );
      if (tooLong) {
        fail(`${tooLong} is longer than ${MAX_WORD_TEXT} characters`);
        continue;
      }
      // A field named as a key of parts the portal gives a meaning (`romanization`, `tones` …) has its type, as
      // POST /words takes it.
      const partsProblemOf = partsProblem(mapped.parts);
      if (partsProblemOf) {
        fail(partsProblemOf);
        continue;
      }
      const longDeck = note.decks.find((deck) => !hasAtMostCharacters(deck, MAX_GROUP_NAME));
      if (longDeck) {
        fail(`deck "${longDeck}" is longer than ${MAX_GROUP_NAME} characters, which a group name cannot be`);
        continue;
      }
      mapped.images.forEach((name) => images.add(name));
      const packaged = mapped.audio.filter((name) => pkg.mediaNames.has(name));
      missingMedia += mapped.audio.length - packaged.length;
      packaged.forEach((name) => audio.add(name));
      const key = wordKey(mapped.thai, mapped.english);
      const same = rowOfKey.get(key);
      if (same) {
        merged += 1;
        same.groups.push(...note.decks.filter((deck) => !same.groups.includes(deck)));
        rowOfNote.set(note.id, same);
        continue;
      }
      const row: ImportRow = {
        row: rows.length + 1,
        thai: mapped.thai,
        english: mapped.english,
        parts: (storedParts) => ({ ...storedParts, ...mapped.parts, ...audioPart(packaged[0]) }),
        groups: [...note.decks],
      };
      rows.push(row);
      rowOfKey.set(key, row);
      rowOfNote.set(note.id, row);
      guidOfRow.set(row, note.guid);
    }
    fromPackage(() => {
      for (const [name, content] of pkg.readMedia([...audio])) {
        storedAudio.set(name, storedMediaName(name, content));
      }
    });

    return this.em.transactional(async () => {
      if (!options.dryRun) {
        // Every word, as a reset locks them, before they are read: what the import finds stays so until it has
        // written their history. It adds memberships (their triggers lock the groups) before that history (whose
        // triggers lock the answer totals), the other way round from an answer: answers wait for it instead of
        // deadlocking with it on PostgreSQL.
        await this.allWords.lockAll();
      }
      const byGuid = await this.words.findByPart('anki_guid', [...guidOfRow.values()]);
      const known = new Map<ImportRow, StoredWord>();
      for (const [row, guid] of guidOfRow) {
        const word = byGuid.get(guid);
        if (word) {
          known.set(row, word);
        }
      }
      const { report, ids } = await this.words.importRows(
        { count: rows.length, rows, errors: [] },
        options.onDuplicate,
        options.dryRun,
        known,
      );

      const answers: ImportedAnswer[] = [];
      let skippedEntries = 0;
      let withoutWord = 0;
      const now = Date.now();
      for (const entry of pkg.revlog) {
        if (!ANSWER_TYPES.has(entry.type) || entry.ease < 1 || entry.ease > 4 || !isAnswerTime(entry.id, now)) {
          skippedEntries += 1;
          continue;
        }
        const row = rowOfNote.get(entry.noteId);
        const wordId = row && ids.get(row);
        if (wordId === undefined) {
          withoutWord += 1;
          continue;
        }
        answers.push({ wordId, correct: entry.ease >= 2, reviewedAt: entry.id, ankiRevlogId: entry.id });
      }
      pkg.revlog.length = 0;
      const history = await this.reviews.importHistory(answers, options.dryRun);
      const media = this.storeMedia(pkg, storedAudio, options.dryRun);
      return {
        dry_run: options.dryRun,
        format: pkg.format,
        notes: pkg.notes.length,
        words_created: report.created,
        words_updated: report.updated,
        words_unchanged: report.unchanged,
        words_skipped: report.skipped,
        notes_merged: merged,
        groups_created: report.groups_created,
        reviews_imported: history.imported,
        reviews_already_imported: history.known,
        reviews_skipped: skippedEntries,
        reviews_without_word: withoutWord,
        cards_scheduled: history.cards,
        media_stored: media.stored,
        media_unchanged: media.unchanged,
        media_missing: missingMedia,
        images_skipped: images.size,
        failed_notes: failed,
      };
    });
  }

  /**
   * Deletes every stored media file, for a full reset that deleted the words they belonged to. Called in the reset's
   * transaction: an import, which stores its audio in its own, holding the words the reset holds, cannot store a file
   * meanwhile that this would then delete under a committed word. The folder stays (MEDIA_PATH may be a mount), and
   * so does any file in it the portal did not write (MEDIA_PATH may name a folder shared with other files).
   */
  async forgetMedia(): Promise<void> {
    const names = await readdir(this.mediaDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        return [];
      }
      throw error;
    });
    for (const name of names.filter(isStoredMediaName)) {
      await rm(join(this.mediaDir, name), { force: true });
    }
  }

  /**
   * Writes the audio files not stored yet (each through a temporary file). A file's name is its content, so one
   * stored already holds these bytes, from this package or another.
   */
  private storeMedia(
    pkg: AnkiPackage,
    storedNames: Map<string, string>,
    dryRun: boolean,
  ): { stored: number; unchanged: number } {
    const unchanged = new Set<string>();
    const missing = new Map<string, string>();
    for (const [name, stored] of storedNames) {
      if (existsSync(join(this.mediaDir, stored))) {
        unchanged.add(stored);
      } else if (!missing.has(stored)) {
        missing.set(stored, name);
      }
    }
    if (!dryRun && missing.size > 0) {
      mkdirSync(this.mediaDir, { recursive: true });
      // Read once already (for their names), so they unpack without fail.
      for (const [name, content] of pkg.readMedia([...missing.values()])) {
        const path = join(this.mediaDir, storedNames.get(name)!);
        writeFileSync(`${path}.part`, content);
        renameSync(`${path}.part`, path);
      }
    }
    return { stored: missing.size, unchanged: unchanged.size };
  }
}

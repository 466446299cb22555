import { zstdDecompressSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import { protoFields } from './protobuf.js';
import { chunksOf } from '../core/chunks.js';
import { messageOf } from '../core/errors.js';
import { isJsonObject, storableText } from '../core/json.js';

/**
 * Reads an Anki package (`.apkg`, `.colpkg`) as Anki writes it (rslib/src/import_export/package/): a zip
 * with the collection (an SQLite database) and its media. Three formats:
 * - legacy 1: `collection.anki2`, `media` a JSON map of the zip's numbered files to names;
 * - legacy 2: `collection.anki21`, the same;
 * - latest (`meta` says version 3): `collection.anki21b` and the media files zstd-compressed, `media` a
 *   zstd-compressed protobuf `MediaEntries`; a dummy `collection.anki2` beside them is never read.
 * The collection's schema is 11 (note types and decks as JSON in `col`) or 18 (tables `notetypes`,
 * `fields`, `decks`), whatever the format.
 */

/** What makes a package unreadable: the import answers 400 with the message. */
export class AnkiPackageError extends Error {}

export type AnkiFormat = 'legacy1' | 'legacy2' | 'latest';

export interface AnkiNote {
  id: number;
  guid: string;
  noteType: string;
  /** The note type's field names and the note's values, in field order. */
  fields: { name: string; value: string }[];
  tags: string[];
  /** The decks of the note's cards (a card in a filtered deck counts in its home deck), `::` between levels. */
  decks: string[];
}

/** A review log entry: `id` is the review's epoch ms; `ease` 1 (Again) to 4 (Easy), 0 manual; `type` 0 learn … 5 rescheduled. */
export interface AnkiReview {
  id: number;
  noteId: number;
  ease: number;
  type: number;
  time: number;
}

export interface AnkiPackage {
  format: AnkiFormat;
  notes: AnkiNote[];
  revlog: AnkiReview[];
  /** The media files the package carries, by name. */
  mediaNames: Set<string>;
  /** The contents of these media files (those the package carries), unpacked a batch at a time. */
  readMedia(names: string[]): Iterable<[name: string, content: Uint8Array]>;
}

const VERSIONS: Record<number, AnkiFormat> = { 1: 'legacy1', 2: 'legacy2', 3: 'latest' };
const COLLECTIONS: Record<AnkiFormat, string> = {
  legacy1: 'collection.anki2',
  legacy2: 'collection.anki21',
  latest: 'collection.anki21b',
};
const MEDIA_BATCH = 200;

const utf8 = new TextDecoder('utf-8', { fatal: false });

const tooLarge = (what: string, limit: number) =>
  new AnkiPackageError(`${what} to more than ${limit} bytes, the most this portal unpacks at once`);

function zstd(data: Uint8Array, what: string, limit: number): Buffer {
  try {
    return zstdDecompressSync(data, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(`${what} unpacks`, limit);
    }
    throw new AnkiPackageError(`${what} is not zstd-compressed as a version 3 package has it (${messageOf(error)})`);
  }
}

/**
 * The files of the zip `nameOf` names (as a message names them), together at most `limit` bytes unpacked. fflate
 * unpacks a file into a buffer of the size its header gives, never more: what the headers say bounds the memory.
 */
function unzip(
  data: Uint8Array,
  nameOf: (zipName: string) => string | undefined,
  limit: number,
): Record<string, Uint8Array> {
  let unpacked = 0;
  try {
    return unzipSync(data, {
      filter: (file) => {
        const name = nameOf(file.name);
        if (name === undefined) {
          return false;
        }
        unpacked += file.originalSize;
        if (unpacked > limit) {
          throw tooLarge(
            unpacked === file.originalSize ? `${name} unpacks` : `${name} and the files read with it unpack`,
            limit,
          );
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof AnkiPackageError) {
      throw error;
    }
    throw new AnkiPackageError(
      `The file is not a zip archive, as .apkg and .colpkg packages are (${messageOf(error)})`,
    );
  }
}

/** The format the package says (`meta`) or, without one, the newest collection it holds. */
function formatOf(files: Record<string, Uint8Array>): AnkiFormat {
  const meta = files.meta;
  if (meta) {
    let version: number | undefined;
    try {
      version = protoFields(meta).find((field) => field.field === 1)?.varint;
    } catch (error) {
      throw new AnkiPackageError(`The package's meta file is not a PackageMetadata message (${messageOf(error)})`);
    }
    const format = VERSIONS[version ?? 0];
    if (!format) {
      throw new AnkiPackageError(
        `The package is of version ${version ?? 'unknown'}, which this portal does not read (it reads versions 1 to 3: Anki 2.1 and later)`,
      );
    }
    if (!files[COLLECTIONS[format]]) {
      throw new AnkiPackageError(
        `The package has no ${COLLECTIONS[format]}, the collection its version ${version} says it holds`,
      );
    }
    return format;
  }
  if (files[COLLECTIONS.legacy2]) {
    return 'legacy2';
  }
  if (files[COLLECTIONS.legacy1]) {
    return 'legacy1';
  }
  throw new AnkiPackageError('The zip archive holds no Anki collection (collection.anki21b, .anki21 or .anki2)');
}

/** Media names by the zip entry holding each file. */
function mediaEntries(data: Uint8Array | undefined, format: AnkiFormat, limit: number): Map<string, string> {
  const entries = new Map<string, string>();
  if (!data) {
    return entries;
  }
  try {
    if (format === 'latest') {
      protoFields(zstd(data, 'The media list', limit))
        .filter((field) => field.field === 1 && field.bytes)
        .forEach((entry, index) => {
          const fields = protoFields(entry.bytes!);
          const name = fields.find((field) => field.field === 1)?.bytes;
          const legacyName = fields.find((field) => field.field === 255)?.varint;
          if (name) {
            entries.set(String(legacyName ?? index), utf8.decode(name));
          }
        });
    } else {
      const map = JSON.parse(utf8.decode(data)) as Record<string, unknown>;
      for (const [zipName, name] of Object.entries(map ?? {})) {
        if (typeof name === 'string') {
          entries.set(zipName, name);
        }
      }
    }
  } catch (error) {
    if (error instanceof AnkiPackageError) {
      throw error;
    }
    throw new AnkiPackageError(`The package's media list cannot be read (${messageOf(error)})`);
  }
  return entries;
}

/**
 * A text column or JSON field as text the database can store. Anki writes text there, but a package may hold anything:
 * a number is its digits, anything else (NULL, an object) no text.
 */
const textOf = (value: unknown): string =>
  typeof value === 'string' ? storableText(value) : typeof value === 'number' ? String(value) : '';

/** Schema 11's JSON in `col` of note types or of decks: an object of objects by id, else a 400 saying so. */
function colJson(text: unknown, column: 'models' | 'decks'): Record<string, Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(textOf(text));
  } catch {
    value = undefined;
  }
  if (!isJsonObject(value) || !Object.values(value).every(isJsonObject)) {
    const what = column === 'models' ? 'note types' : 'decks';
    throw new AnkiPackageError(`The collection's ${what} (col.${column}) are not Anki's JSON: an object of them by id`);
  }
  return value as Record<string, Record<string, unknown>>;
}

/**
 * A deck's name as a group's, its levels joined by `::`: each level trimmed and the blank ones left out, as Anki
 * names decks, since a group's name is trimmed text. A deck of no name but blanks is no group.
 */
const addDeck = (decks: Map<number, string>, id: number, levels: string[]) => {
  const name = levels
    .map((level) => level.trim())
    .filter((level) => level !== '')
    .join('::');
  if (name !== '') {
    decks.set(id, name);
  }
};

interface NoteRow {
  id: number;
  guid: unknown;
  mid: number;
  tags: unknown;
  flds: unknown;
}

/**
 * Note types (name, field names in order) and deck names, from schema 18's tables or schema 11's `col` JSON. Their
 * text, as the notes' (`readCollection`), is made text the database can store, as a package may hold any.
 */
function modelsAndDecks(db: Database.Database): {
  noteTypes: Map<number, { name: string; fields: string[] }>;
  decks: Map<number, string>;
} {
  const noteTypes = new Map<number, { name: string; fields: string[] }>();
  const decks = new Map<number, string>();
  const hasTable = (name: string) =>
    db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
  if (hasTable('notetypes')) {
    for (const row of db.prepare('select id, name from notetypes').safeIntegers(false).all() as {
      id: number;
      name: unknown;
    }[]) {
      noteTypes.set(Number(row.id), { name: textOf(row.name), fields: [] });
    }
    const fields = db.prepare('select ntid, ord, name from fields order by ntid, ord').all() as {
      ntid: number;
      ord: number;
      name: unknown;
    }[];
    for (const field of fields) {
      noteTypes.get(Number(field.ntid))?.fields.push(textOf(field.name));
    }
    for (const row of db.prepare('select id, name from decks').all() as { id: number; name: unknown }[]) {
      addDeck(decks, Number(row.id), textOf(row.name).split('\u001f'));
    }
    return { noteTypes, decks };
  }
  const col = db.prepare('select models, decks from col').get() as { models: unknown; decks: unknown } | undefined;
  if (!col) {
    throw new AnkiPackageError('The collection has no col row');
  }
  for (const [id, model] of Object.entries(colJson(col.models, 'models'))) {
    // A note type without its list of fields names them by their place, as a note of an unknown type.
    const fields = (Array.isArray(model.flds) ? model.flds.filter(isJsonObject) : [])
      .sort((a, b) => Number(a.ord) - Number(b.ord))
      .map((field) => textOf(field.name));
    noteTypes.set(Number(id), { name: textOf(model.name), fields });
  }
  for (const [id, deck] of Object.entries(colJson(col.decks, 'decks'))) {
    addDeck(decks, Number(id), textOf(deck.name).split('::'));
  }
  return { noteTypes, decks };
}

/** The tables read, as SQLite names them (ignoring case). */
const READ_TABLES = ['col', 'notetypes', 'fields', 'decks', 'notes', 'cards', 'revlog'];

/**
 * Refuses a read table whose rows are computed as they are read, not stored: a view, a virtual table, a generated
 * column. Their queries may run without end (a recursive view) or make far more than the package holds, while the
 * reading, synchronous, holds up every other request.
 */
function assertStoredRows(db: Database.Database): void {
  const tables = db
    .prepare(
      `select name, type, sql from sqlite_master
        where type in ('table', 'view') and lower(name) in (${READ_TABLES.map(() => '?').join(', ')})`,
    )
    .all(...READ_TABLES) as { name: string; type: string; sql: string | null }[];
  for (const { name, type, sql } of tables) {
    if (type === 'view' || /^\s*create\s+virtual\b/i.test(sql ?? '')) {
      throw new AnkiPackageError(
        `The collection's ${name} is a ${type === 'view' ? 'view' : 'virtual table'}, not a table: this portal reads only rows the package stores`,
      );
    }
    const columns = db.prepare('select hidden from pragma_table_xinfo(?)').all(name) as { hidden: number }[];
    if (columns.some((column) => column.hidden !== 0)) {
      throw new AnkiPackageError(
        `The collection's ${name} has a computed column, not a table's stored one: this portal reads only rows the package stores`,
      );
    }
  }
}

function readCollection(data: Uint8Array): Pick<AnkiPackage, 'notes' | 'revlog'> {
  // Opening bytes checks nothing: bytes that are no SQLite database fail the first statement, as a corrupt one does.
  const db = new Database(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  try {
    assertStoredRows(db);
    const { noteTypes, decks } = modelsAndDecks(db);
    const decksOfNote = new Map<number, Set<string>>();
    const noteOfCard = new Map<number, number>();
    for (const card of db.prepare('select id, nid, did, odid from cards').raw().iterate() as Iterable<number[]>) {
      const [id, nid, did, odid] = card.map(Number);
      noteOfCard.set(id, nid);
      const deck = decks.get(odid || did);
      if (deck !== undefined) {
        const set = decksOfNote.get(nid) ?? new Set<string>();
        set.add(deck);
        decksOfNote.set(nid, set);
      }
    }
    const notes: AnkiNote[] = [];
    for (const row of db
      .prepare('select id, guid, mid, tags, flds from notes order by id')
      .iterate() as Iterable<NoteRow>) {
      const noteType = noteTypes.get(Number(row.mid));
      const values = textOf(row.flds).split('\u001f');
      notes.push({
        id: Number(row.id),
        guid: textOf(row.guid),
        noteType: noteType?.name ?? `Note type ${row.mid}`,
        fields: values.map((value, index) => ({ name: noteType?.fields[index] ?? `Field ${index + 1}`, value })),
        tags: textOf(row.tags).split(/\s+/).filter(Boolean),
        decks: [...(decksOfNote.get(Number(row.id)) ?? [])].sort(),
      });
    }
    const revlog: AnkiReview[] = [];
    for (const entry of db
      .prepare('select id, cid, ease, type, time from revlog order by id')
      .raw()
      .iterate() as Iterable<number[]>) {
      const noteId = noteOfCard.get(Number(entry[1]));
      if (noteId !== undefined) {
        revlog.push({
          id: Number(entry[0]),
          noteId,
          ease: Number(entry[2]),
          type: Number(entry[3]),
          time: Number(entry[4]),
        });
      }
    }
    return { notes, revlog };
  } catch (error) {
    if (error instanceof AnkiPackageError) {
      throw error;
    }
    throw new AnkiPackageError(`The collection cannot be read as an Anki collection (${messageOf(error)})`);
  } finally {
    db.close();
  }
}

/**
 * Reads a package's notes and review log, and lists its media; throws AnkiPackageError on anything unreadable, and on
 * files that would unpack to more than `unpackedLimit` bytes at once.
 */
export function readAnkiPackage(data: Uint8Array, unpackedLimit: number): AnkiPackage {
  const files = unzip(
    data,
    (name) =>
      name === 'meta' || name === 'media' || name.startsWith('collection.') ? `The package's ${name}` : undefined,
    unpackedLimit,
  );
  const format = formatOf(files);
  let collection: Uint8Array = files[COLLECTIONS[format]];
  const media = mediaEntries(files.media, format, unpackedLimit);
  for (const name of Object.keys(files)) {
    delete files[name];
  }
  if (format === 'latest') {
    collection = zstd(collection, 'The collection', unpackedLimit);
  }
  const { notes, revlog } = readCollection(collection);
  const zipNameOf = new Map([...media].map(([zipName, name]) => [name, zipName]));
  return {
    format,
    notes,
    revlog,
    mediaNames: new Set(zipNameOf.keys()),
    *readMedia(names: string[]): Iterable<[name: string, content: Uint8Array]> {
      const packaged = names.filter((name) => zipNameOf.has(name));
      for (const batch of chunksOf(packaged, MEDIA_BATCH)) {
        const wanted = new Map(batch.map((name) => [zipNameOf.get(name)!, name]));
        for (const [zipName, content] of Object.entries(
          unzip(
            data,
            (zipName) => (wanted.has(zipName) ? `The media file ${wanted.get(zipName)}` : undefined),
            unpackedLimit,
          ),
        )) {
          const name = wanted.get(zipName)!;
          yield [name, format === 'latest' ? zstd(content, `The media file ${name}`, unpackedLimit) : content];
        }
      }
    },
  };
}

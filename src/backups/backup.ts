import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from '../../database/migrations/index.js';
import { isStoredMediaName } from '../anki/media.js';
import { messageOf } from '../core/errors.js';
import { problemWithMigrations } from '../database/migrate.js';

/** What follows a backup's name: the time it was taken. */
const STAMP = String.raw`-\d{8}T\d{6}(\d{3})?Z\.sqlite$`;
const TIME = new RegExp(`^${STAMP}`);
/** A copy under way, or one a stopped backup left (SQLite's journal of it beside it). */
const PARTIAL = new RegExp(`^${STAMP.slice(0, -1)}\\.partial(-journal)?$`);
/** How long since it was last written a partial copy is left alone: no backup still writing it waits that long. */
const ABANDONED_MS = 60 * 60 * 1000;
/** A backup of any database, by its name. */
const BACKUP_NAME = new RegExp(`.${STAMP}`);

/** Where the backups of a database file are kept: `backups/` beside it. */
const backupFolderOf = (databasePath: string) => join(dirname(databasePath), 'backups');

/**
 * Where the media files the backups of a folder name are kept: `media/` beside them, one copy of each file for every
 * backup (a file's name is its content), so a backup copies only the audio imported since the one before.
 */
const mediaBackupOf = (backupFolder: string) => join(backupFolder, 'media');

/** A backup written, and what became of the media files its words name. */
export interface Backup {
  file: string;
  media: MediaCopy;
}

/** The media files copied, and those named that could not be (the folder copied from lacks them). */
export interface MediaCopy {
  copied: number;
  missing: string[];
}

/**
 * Writes a consistent copy of the database with SQLite's online backup (safe while the server writes),
 * named by the time it was taken, with the media files (`mediaFolder`) its words name, and deletes all but the
 * newest `keep` backups, and the media files only deleted backups named.
 */
export async function backUp(databasePath: string, keep: number, mediaFolder: string): Promise<Backup> {
  if (!existsSync(databasePath)) {
    throw new Error(
      `there is no database at ${databasePath} to back up: check DATABASE_PATH, or start the portal once`,
    );
  }
  const folder = backupFolderOf(databasePath);
  mkdirSync(folder, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  // Named after the database (lang-portal.sqlite's are lang-portal-<time>.sqlite), so that the backups of two
  // databases in one folder share backups/ without deleting each other's.
  const name = basename(databasePath).replace(/\.sqlite$/i, '');
  const target = join(folder, `${name}-${stamp}.sqlite`);
  const partial = `${target}.partial`;
  let media: MediaCopy;
  try {
    const source = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      // SQLite's online backup starts over whenever another connection writes between its steps: under a steady
      // stream of answers it never finishes. A read transaction held across the steps makes it copy that one
      // snapshot, and in WAL mode a reader holds no writer back.
      source.exec('begin');
      source.prepare('select count(*) from sqlite_master').get();
      await source.backup(partial);
    } finally {
      source.close();
    }
    // One file out of WAL mode (the copy takes the source's): read, checked and restored without a -wal or -shm
    // beside it, from a folder (or a medium) the reader may not write.
    const copy = new Database(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      // Before the backup is complete, so that no backup names audio it lacks.
      media = copyMedia(mediaNamedBy(copy), mediaFolder, mediaBackupOf(folder));
    } finally {
      copy.close();
    }
    renameSync(partial, target);
  } catch (error) {
    // A copy that failed midway (a full disk, most often) would take the space of a backup at every attempt.
    rmSync(partial, { force: true });
    throw error;
  }
  // The newest backup is the one just written, whatever the names of the others: after the clock was set back
  // (a replaced CMOS battery, a corrected year) it is not the last by name, and sorting it in would delete it.
  const others = readdirSync(folder)
    .filter((file) => file.startsWith(name) && TIME.test(file.slice(name.length)) && file !== basename(target))
    .sort();
  const deleted = others.slice(0, Math.max(0, others.length - (keep - 1)));
  for (const old of deleted) {
    rmSync(join(folder, old));
  }
  // A backup stopped midway (a signal, a power cut) could not delete its partial copy: it would stay for good.
  for (const file of readdirSync(folder)) {
    const path = join(folder, file);
    if (file.startsWith(name) && PARTIAL.test(file.slice(name.length)) && isAbandoned(path)) {
      rmSync(path, { force: true });
    }
  }
  // Only a deleted backup can leave a file unnamed: reading every backup's words takes ~0.3 s each on a large portal.
  if (deleted.length > 0) {
    forgetUnnamedMedia(folder);
  }
  return { file: target, media };
}

/** Not written for ABANDONED_MS; gone already (another backup swept it) is nothing to delete. */
function isAbandoned(path: string): boolean {
  const written = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  return written !== undefined && Date.now() - written > ABANDONED_MS;
}

/** How many of the media files not found a message names. */
const MISSING_NAMED = 3;

/** What a backup or a restore did with media files, for its message (nothing when its words name none). */
export function describeMedia({ copied, missing }: MediaCopy, done: 'copied' | 'put back'): string {
  if (copied === 0 && missing.length === 0) {
    return '';
  }
  const files = (count: number) => `${count} media file${count === 1 ? '' : 's'}`;
  // A few names to look for, not thousands when a whole media folder is gone.
  const named = missing.slice(0, MISSING_NAMED).join(', ') + (missing.length > MISSING_NAMED ? ', …' : '');
  const lacking =
    missing.length === 0
      ? ''
      : `; ${files(missing.length)} its words name could not be found, their audio is lost: ${named}`;
  return ` (${files(copied)} ${done}${lacking})`;
}

/** The media files of the portal that a database's words name (`parts.audio`: `/media/` and the stored name). */
function mediaNamedBy(database: Database.Database): string[] {
  const paths = database
    .prepare(
      `select distinct json_extract(parts, '$.audio') from words where json_extract(parts, '$.audio') like '/media/%'`,
    )
    .pluck()
    .all() as string[];
  return paths.map((path) => path.slice('/media/'.length)).filter(isStored);
}

/** A name the portal stores a media file under (`storedMediaName`), not a file being written. */
const isStored = (name: string) => isStoredMediaName(name) && !name.endsWith('.part');

/**
 * Copies the named files that `to` lacks from `from`, each through a `.part` file: a name is its content, so a file
 * of that name in `to` holds these bytes already.
 */
function copyMedia(names: string[], from: string, to: string): MediaCopy {
  const copy: MediaCopy = { copied: 0, missing: [] };
  for (const name of names) {
    const target = join(to, name);
    if (existsSync(target)) {
      continue;
    }
    mkdirSync(to, { recursive: true });
    try {
      copyFileSync(join(from, name), `${target}.part`);
    } catch (error) {
      rmSync(`${target}.part`, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        copy.missing.push(name);
        continue;
      }
      throw error;
    }
    renameSync(`${target}.part`, target);
    copy.copied++;
  }
  return copy;
}

/**
 * Deletes the backed-up media files that no backup of the folder (of any database) names any more; all stay while a
 * backup there cannot be read (what it names is not known).
 */
function forgetUnnamedMedia(folder: string): void {
  const media = mediaBackupOf(folder);
  if (!existsSync(media)) {
    return;
  }
  const named = new Set<string>();
  for (const file of readdirSync(folder).filter((name) => BACKUP_NAME.test(name))) {
    try {
      readBackup(join(folder, file), mediaNamedBy).forEach((name) => named.add(name));
    } catch {
      return;
    }
  }
  for (const file of readdirSync(media).filter((name) => isStored(name) && !named.has(name))) {
    rmSync(join(media, file), { force: true });
  }
}

/** Whether an SQLite file's header says WAL mode (its read and write versions, bytes 18 and 19, are 2). */
function isInWalMode(file: string): boolean {
  const header = Buffer.alloc(20);
  const descriptor = openSync(file, 'r');
  try {
    return readSync(descriptor, header, 0, header.length, 0) === header.length && header[18] === 2;
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Reads a backup, leaving nothing beside it: a backup in WAL mode (taken before backups were one file) is read from a
 * copy in the temporary folder (with its -wal file, if one is beside it), as SQLite reads such a file only beside -wal
 * and -shm files it writes there.
 */
function readBackup<T>(file: string, read: (database: Database.Database) => T): T {
  const copyFolder = isInWalMode(file) ? mkdtempSync(join(tmpdir(), 'lang-portal-backup-')) : undefined;
  const path = copyFolder ? join(copyFolder, basename(file)) : file;
  try {
    if (copyFolder) {
      copyFileSync(file, path);
      // A file copied with its -wal beside it (a running portal's, copied as it was) holds its last transactions there:
      // read without it, the backup would silently lack them.
      if (existsSync(`${file}-wal`)) {
        copyFileSync(`${file}-wal`, `${path}-wal`);
      }
    }
    const database = new Database(path, { readonly: !copyFolder, fileMustExist: true });
    try {
      return read(database);
    } finally {
      database.close();
    }
  } finally {
    if (copyFolder) {
      rmSync(copyFolder, { recursive: true, force: true });
    }
  }
}

/** Why a file cannot be restored (not SQLite, damaged, from a newer version of the portal), or nothing. */
export function problemWithBackup(file: string): string | undefined {
  if (!existsSync(file)) {
    return 'there is no such file';
  }
  try {
    return readBackup(file, (database) => {
      const [check] = database.pragma('integrity_check') as { integrity_check: string }[];
      if (check.integrity_check !== 'ok') {
        return `it fails SQLite's integrity check: ${check.integrity_check}`;
      }
      const applied = database.prepare('select name from mikro_orm_migrations').pluck().all() as string[];
      return problemWithMigrations(applied, migrations);
    });
  } catch (error) {
    return `it is not a portal database: ${messageOf(error)}`;
  }
}

/**
 * Whether a process (a running portal) has the database open: in WAL mode an idle connection holds no
 * lock on the file, but it does on its shared memory, so an exclusive lock is refused while one exists.
 */
export function isInUse(databasePath: string): boolean {
  if (!existsSync(databasePath)) {
    return false;
  }
  const database = new Database(databasePath, { timeout: 0 });
  try {
    database.pragma('locking_mode = EXCLUSIVE');
    database.exec('begin exclusive; commit');
    return false;
  } catch (error) {
    const { code } = error as { code?: string };
    if (code?.startsWith('SQLITE_BUSY')) {
      return true;
    }
    // No portal runs on a file that is no database (it stops at start-up): a database damaged beyond opening is
    // the one a restore replaces.
    if (code === 'SQLITE_NOTADB') {
      return false;
    }
    throw error;
  } finally {
    database.close();
  }
}

/**
 * Replaces the database with a backup (or creates it, its folder too), atomically, once the media files its words
 * name are in `mediaFolder` (from the backups' `media/`, where the folder lacks them); the server must be stopped.
 */
export function restore(file: string, databasePath: string, mediaFolder: string): MediaCopy {
  const media = copyMedia(readBackup(file, mediaNamedBy), mediaBackupOf(dirname(file)), mediaFolder);
  // A portal restored on a new machine: its database's folder need not exist yet.
  mkdirSync(dirname(databasePath), { recursive: true });
  const staged = join(dirname(databasePath), `.${basename(databasePath)}.restoring`);
  // What an interrupted restore left behind.
  rmSync(staged, { force: true });
  readBackup(file, (source) => source.prepare('vacuum into ?').run(staged));
  // The database replaced keeps its owner and mode: restored by root, it became root's and readable by every user,
  // and the server, run as its own user, could no longer write it.
  const replaced = statSync(databasePath, { throwIfNoEntry: false });
  if (replaced) {
    chmodSync(staged, replaced.mode & 0o7777);
    if (process.getuid?.() === 0) {
      chownSync(staged, replaced.uid, replaced.gid);
    }
  }
  for (const leftover of [`${databasePath}-wal`, `${databasePath}-shm`]) {
    rmSync(leftover, { force: true });
  }
  renameSync(staged, databasePath);
  return media;
}

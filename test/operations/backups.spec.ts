import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { jest } from '@jest/globals';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { storedMediaName } from '../../src/anki/media.js';
import { backUp, describeMedia, isInUse, problemWithBackup, restore } from '../../src/backups/backup.js';

/** The portal's table of words as far as backups read it: the audio each names in its parts. */
const WORDS = `create table words (id integer primary key, parts text not null default '{}')`;

/** A file of audio in a media folder, under the name the portal stores it by (its content). */
function audio(mediaFolder: string, content: string): string {
  const name = storedMediaName('sound.mp3', Buffer.from(content));
  mkdirSync(mediaFolder, { recursive: true });
  writeFileSync(join(mediaFolder, name), content);
  return name;
}

/** Words naming these media files as their audio (`parts.audio`), and one with none. */
function wordsWithAudio(database: Database.Database, names: string[]): void {
  const insert = database.prepare('insert into words (parts) values (?)');
  insert.run('{}');
  names.forEach((name) => insert.run(JSON.stringify({ audio: `/media/${name}`, romanization: 'siang' })));
}

/** backUp (src/backups/backup.ts), as `npm run db:backup` and BACKUP_CRON call it, on SQLite files of its own. */
describe('backUp', () => {
  let folder: string;
  let databasePath: string;
  let media: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'lang-portal-backups-'));
    databasePath = join(folder, 'portal.sqlite');
    media = join(folder, 'media');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  /** A database in WAL mode of about `pages` 4 KB pages, as the server keeps it, open for writing. */
  function database(pages: number): Database.Database {
    const writer = new Database(databasePath);
    writer.pragma('journal_mode = WAL');
    writer.exec(WORDS);
    writer.exec('create table filler (id integer primary key, bytes blob)');
    writer
      .prepare(
        'with recursive n(i) as (select 1 union all select i + 1 from n where i < ?) insert into filler (bytes) select randomblob(4000) from n',
      )
      .run(pages);
    return writer;
  }

  it('finishes while another connection writes between its steps, with the rows of the moment it began', async () => {
    const writer = database(2_000);
    const insert = writer.prepare('insert into filler (bytes) values (randomblob(10))');
    // The server, answering while the backup copies 100 pages a step: a write between every two steps.
    const timer = setInterval(() => insert.run(), 0);
    try {
      const backup = await Promise.race([
        backUp(databasePath, 7, media),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no backup after 10 s')), 10_000).unref()),
      ]);
      const copy = new Database(backup.file, { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      // The snapshot is taken before backUp first yields, so before the first of those writes.
      expect(copy.prepare('select count(*) from filler').pluck().get()).toBe(2_000);
      copy.close();
    } finally {
      clearInterval(timer);
      writer.close();
    }
  });

  it('keeps the backup it has just written when the clock was set back, deleting the oldest of the others', async () => {
    database(1).close();
    const backups = join(folder, 'backups');
    mkdirSync(backups);
    // Taken while the clock ran ahead (a machine set to the wrong year, then corrected).
    const ahead = ['portal-20990101T030000000Z.sqlite', 'portal-20990102T030000000Z.sqlite'];
    ahead.forEach((name) => writeFileSync(join(backups, name), 'a backup'));

    const backup = await backUp(databasePath, 2, media);

    expect(readdirSync(backups).sort()).toEqual([basename(backup.file), ahead[1]].sort());
  });

  it('keeps every backup while there are fewer than it keeps', async () => {
    database(1).close();
    const backups = join(folder, 'backups');
    mkdirSync(backups);
    const earlier = ['01', '02', '03', '04'].map((day) => `portal-202612${day}T030000000Z.sqlite`);
    earlier.forEach((name) => writeFileSync(join(backups, name), 'a backup'));

    const backup = await backUp(databasePath, 7, media);

    expect(readdirSync(backups).sort()).toEqual([...earlier, basename(backup.file)].sort());
  });

  it('is one file out of WAL mode, read without a -wal or -shm beside it', async () => {
    database(1).close();

    const { file } = await backUp(databasePath, 7, media);

    const header = readFileSync(file).subarray(18, 20);
    expect([...header]).toEqual([1, 1]);
  });

  it('leaves no partial copy behind when the copy fails midway (a full disk), and keeps the other backups', async () => {
    database(10).close();
    const backups = join(folder, 'backups');
    mkdirSync(backups);
    const earlier = 'portal-20261201T030000000Z.sqlite';
    writeFileSync(join(backups, earlier), 'a backup');
    // SQLite has written part of the copy when the disk fills up.
    const backup = jest.spyOn(Database.prototype, 'backup').mockImplementation(async (destination) => {
      writeFileSync(destination, 'the first pages');
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    try {
      await expect(backUp(databasePath, 7, media)).rejects.toThrow('database or disk is full');
    } finally {
      backup.mockRestore();
    }
    expect(readdirSync(backups)).toEqual([earlier]);
  });

  it('deletes the partial copy a stopped backup left, once an hour old, and no other backup’s copy under way', async () => {
    database(1).close();
    const backups = join(folder, 'backups');
    mkdirSync(backups);
    const left = ['portal-20261201T030000000Z.sqlite.partial', 'portal-20261201T030000000Z.sqlite.partial-journal'];
    const underWay = 'portal-20261201T040000000Z.sqlite.partial';
    const others = 'school-20261201T030000000Z.sqlite.partial';
    for (const file of [...left, underWay, others]) {
      writeFileSync(join(backups, file), 'the first pages');
    }
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const file of [...left, others]) {
      utimesSync(join(backups, file), twoHoursAgo, twoHoursAgo);
    }
    const older = new Date(Date.now() - 50 * 60 * 1000);
    utimesSync(join(backups, underWay), older, older);

    const { file } = await backUp(databasePath, 7, media);

    expect(readdirSync(backups).sort()).toEqual([basename(file), underWay, others].sort());
  });

  it('names the backups after their database, so that two databases of one folder keep their own', async () => {
    database(1).close();
    const other = join(folder, 'school.sqlite');
    new Database(other).exec(WORDS).close();

    const [first, second] = [await backUp(databasePath, 1, media), await backUp(other, 1, media)];
    const [third, fourth] = [await backUp(databasePath, 1, media), await backUp(other, 1, media)];

    expect(first.file).toMatch(/[/]portal-\d{8}T\d{9}Z\.sqlite$/);
    expect(second.file).toMatch(/[/]school-\d{8}T\d{9}Z\.sqlite$/);
    expect(readdirSync(join(folder, 'backups')).sort()).toEqual(
      [third, fourth].map(({ file }) => basename(file)).sort(),
    );
  });

  it('keeps the backups of a database whose name begins with its own', async () => {
    database(1).close();
    const longer = join(folder, 'portal-test.sqlite');
    new Database(longer).exec(WORDS).close();

    const theirs = await backUp(longer, 1, media);
    const own = await backUp(databasePath, 1, media);

    expect(readdirSync(join(folder, 'backups')).sort()).toEqual([basename(own.file), basename(theirs.file)].sort());
  });

  it('names the backups of a database called *.SQLITE after it without its extension', async () => {
    const upper = join(folder, 'School.SQLITE');
    new Database(upper).exec(WORDS).close();

    expect((await backUp(upper, 1, media)).file).toMatch(/[/]School-\d{8}T\d{9}Z\.sqlite$/);
  });

  it('copies the audio its words name into backups/media once for every backup, and forgets what only deleted backups named', async () => {
    const [kept, replaced, unnamed] = ['kept', 'replaced', 'unnamed'].map((content) => audio(media, content));
    const writer = database(1);
    wordsWithAudio(writer, [kept, replaced]);
    const backedUp = join(folder, 'backups', 'media');

    const first = await backUp(databasePath, 2, media);
    expect(first.media).toEqual({ copied: 2, missing: [] });
    expect(readdirSync(backedUp).sort()).toEqual([kept, replaced].sort());
    expect(readFileSync(join(backedUp, kept), 'utf8')).toBe('kept');

    // The word's audio replaced (a package imported again): the first backup still names the old file.
    const replacement = audio(media, 'replacement');
    writer
      .prepare('update words set parts = ? where parts like ?')
      .run(JSON.stringify({ audio: `/media/${replacement}` }), `%${replaced}%`);
    const second = await backUp(databasePath, 2, media);
    expect(second.media).toEqual({ copied: 1, missing: [] });
    expect(readdirSync(backedUp).sort()).toEqual([kept, replaced, replacement].sort());

    // The first backup deleted (2 kept): the file only it named goes with it.
    const third = await backUp(databasePath, 2, media);
    writer.close();
    expect(third.media).toEqual({ copied: 0, missing: [] });
    expect(readdirSync(backedUp).sort()).toEqual([kept, replacement].sort());
    expect(readdirSync(backedUp)).not.toContain(unnamed);
  });

  it('forgets no audio, nor files it did not write, while a backup of its folder cannot be read', async () => {
    const [first, second] = ['first', 'second'].map((content) => audio(media, content));
    const writer = database(1);
    wordsWithAudio(writer, [first]);
    await backUp(databasePath, 1, media);
    const backedUp = join(folder, 'backups', 'media');
    // Another backup copying a file now, and a file put there by hand.
    const copying = `${storedMediaName('x.mp3', Buffer.from('being copied'))}.part`;
    writeFileSync(join(backedUp, copying), 'half');
    writeFileSync(join(backedUp, 'README.txt'), 'audio of the backups');
    writer.prepare('update words set parts = ?').run(JSON.stringify({ audio: `/media/${second}` }));
    const unreadable = join(folder, 'backups', 'school-20261201T030000000Z.sqlite');
    writeFileSync(unreadable, 'no database');

    await backUp(databasePath, 1, media);
    expect(readdirSync(backedUp).sort()).toEqual([first, second, copying, 'README.txt'].sort());

    // Once every backup can be read, the file no backup names goes, and only it.
    rmSync(unreadable);
    await backUp(databasePath, 1, media);
    writer.close();
    expect(readdirSync(backedUp).sort()).toEqual([second, copying, 'README.txt'].sort());
  });

  it('names the audio its words name that the media folder lacks, and is written with the rest', async () => {
    const present = audio(media, 'present');
    const lost = storedMediaName('lost.mp3', Buffer.from('deleted by hand'));
    const writer = database(1);
    // Two words naming the lost file, one naming a file the portal does not store media under, one audio elsewhere.
    wordsWithAudio(writer, [present, lost, lost, 'notes.txt']);
    writer.prepare('insert into words (parts) values (?)').run(JSON.stringify({ audio: 'https://cdn.example/a.mp3' }));
    writer.close();

    const backup = await backUp(databasePath, 7, media);

    expect(backup.media).toEqual({ copied: 1, missing: [lost] });
    expect(readdirSync(join(folder, 'backups')).sort()).toEqual(['media', basename(backup.file)]);
    expect(readdirSync(join(folder, 'backups', 'media'))).toEqual([present]);
  });
});

/** restore (src/backups/backup.ts), as `npm run db:restore` calls it once the file is checked. */
describe('restore', () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'lang-portal-restore-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('restores a database copied with the -wal file beside it (a copy of a running portal) with the rows it holds', () => {
    const live = join(folder, 'portal.sqlite');
    const writer = new Database(live);
    writer.pragma('journal_mode = WAL');
    // The server's last transactions, not yet checkpointed into the file itself.
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table mikro_orm_migrations (id integer primary key, name text)');
    writer.exec(WORDS);
    writer.exec('create table filler (id integer primary key)');
    writer.prepare('insert into filler default values').run();
    writer.prepare('insert into filler default values').run();
    mkdirSync(join(folder, 'copy'));
    const copy = join(folder, 'copy', 'portal.sqlite');
    copyFileSync(live, copy);
    copyFileSync(`${live}-wal`, `${copy}-wal`);
    writer.close();
    const restored = join(folder, 'restored', 'portal.sqlite');

    expect(problemWithBackup(copy)).toBeUndefined();
    restore(copy, restored, join(folder, 'media'));

    const database = new Database(restored, { readonly: true });
    try {
      expect(database.prepare('select count(*) from filler').pluck().get()).toBe(2);
    } finally {
      database.close();
    }
    expect(readdirSync(join(folder, 'copy')).sort()).toEqual(['portal.sqlite', 'portal.sqlite-wal']);
  });

  it('puts the backup in place of a database left with a -wal file, and of what an interrupted restore left', async () => {
    const backedUp = join(folder, 'portal.sqlite');
    const writer = new Database(backedUp);
    writer.exec(WORDS);
    wordsWithAudio(writer, []);
    writer.close();
    const { file } = await backUp(backedUp, 7, join(folder, 'media'));
    // The database replaced: a server stopped without its last checkpoint, its -wal and -shm left beside it.
    const target = join(folder, 'server', 'portal.sqlite');
    mkdirSync(dirname(target));
    const server = new Database(target);
    server.pragma('journal_mode = WAL');
    server.pragma('wal_autocheckpoint = 0');
    server.exec('create table filler (id integer primary key)');
    server.prepare('insert into filler default values').run();
    copyFileSync(`${target}-wal`, join(folder, 'wal'));
    copyFileSync(`${target}-shm`, join(folder, 'shm'));
    server.close();
    copyFileSync(join(folder, 'wal'), `${target}-wal`);
    copyFileSync(join(folder, 'shm'), `${target}-shm`);
    writeFileSync(join(folder, 'server', '.portal.sqlite.restoring'), 'half a copy');

    // The server's own (nobody's, where the test may give it away: as root), kept private.
    chmodSync(target, 0o600);
    const [owner, group] = process.getuid!() === 0 ? [65534, 65534] : [process.getuid!(), process.getgid!()];
    chownSync(target, owner, group);

    restore(file, target, join(folder, 'media'));

    const { mode, uid, gid } = statSync(target);
    expect({ mode: mode & 0o7777, uid, gid }).toEqual({ mode: 0o600, uid: owner, gid: group });
    const restored = new Database(target);
    try {
      restored.pragma('journal_mode = WAL');
      expect(restored.prepare('select count(*) from words').pluck().get()).toBe(1);
      expect(restored.prepare("select count(*) from sqlite_master where name = 'filler'").pluck().get()).toBe(0);
    } finally {
      restored.close();
    }
    expect(readdirSync(join(folder, 'server'))).toEqual(['portal.sqlite']);
  });

  it('says there is no such file for a backup that is not there', () => {
    expect(problemWithBackup(join(folder, 'portal-20261201T030000000Z.sqlite'))).toBe('there is no such file');
  });

  it("refuses a damaged backup, naming SQLite's integrity check", () => {
    const damaged = join(folder, 'portal.sqlite');
    const writer = new Database(damaged);
    writer.exec('create table mikro_orm_migrations (id integer primary key, name text)');
    writer.exec(WORDS);
    writer.exec('create index words_parts_index on words (parts)');
    wordsWithAudio(writer, []);
    expect(problemWithBackup(damaged)).toBeUndefined();
    // The index now says it holds another column than the one its entries were made of: they no longer match the rows.
    writer.unsafeMode(true);
    writer.pragma('writable_schema = on');
    writer
      .prepare("update sqlite_schema set sql = 'create index words_parts_index on words (id)' where name = ?")
      .run('words_parts_index');
    writer.close();

    expect(problemWithBackup(damaged)).toMatch(/^it fails SQLite's integrity check: /);
  });

  it("puts back the audio the backup's words name that the media folder lacks, from the backups' media", async () => {
    const live = join(folder, 'portal.sqlite');
    const media = join(folder, 'media');
    const [kept, lost, unnamed] = ['kept', 'lost', 'unnamed'].map((content) => audio(media, content));
    const neverBackedUp = storedMediaName('old.mp3', Buffer.from('before backups took media'));
    const writer = new Database(live);
    writer.exec(WORDS);
    wordsWithAudio(writer, [kept, lost, neverBackedUp]);
    writer.close();
    const { file } = await backUp(live, 7, media);
    // A new machine: the backups copied there, the media folder empty but for one file.
    const machine = join(folder, 'machine');
    mkdirSync(join(machine, 'backups', 'media'), { recursive: true });
    copyFileSync(file, join(machine, 'backups', basename(file)));
    for (const name of readdirSync(join(folder, 'backups', 'media'))) {
      copyFileSync(join(folder, 'backups', 'media', name), join(machine, 'backups', 'media', name));
    }
    const machineMedia = join(machine, 'media');
    audio(machineMedia, 'kept');

    const putBack = restore(join(machine, 'backups', basename(file)), join(machine, 'portal.sqlite'), machineMedia);

    expect(putBack).toEqual({ copied: 1, missing: [neverBackedUp] });
    expect(readdirSync(machineMedia).sort()).toEqual([kept, lost].sort());
    expect(readFileSync(join(machineMedia, lost), 'utf8')).toBe('lost');
    expect(readdirSync(machineMedia)).not.toContain(unnamed);
  });
});

describe('isInUse', () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'lang-portal-in-use-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('is true while a connection has the database open in WAL mode, idle, and false once it is closed', () => {
    const path = join(folder, 'portal.sqlite');
    const server = new Database(path);
    server.pragma('journal_mode = WAL');
    server.exec(WORDS);
    try {
      expect(isInUse(path)).toBe(true);
    } finally {
      server.close();
    }
    expect(isInUse(path)).toBe(false);
  });

  it('is false for a file that is not there, or no database (which no portal runs on)', () => {
    expect(isInUse(join(folder, 'none.sqlite'))).toBe(false);
    const garbage = join(folder, 'garbage.sqlite');
    writeFileSync(garbage, 'x'.repeat(4096));
    expect(isInUse(garbage)).toBe(false);
  });
});

describe('describeMedia', () => {
  it('says nothing where no file was named, and names at most three of the files not found', () => {
    const lost = ['a', 'b', 'c', 'd'].map((content) => storedMediaName('x.mp3', Buffer.from(content)));
    expect(describeMedia({ copied: 0, missing: [] }, 'copied')).toBe('');
    expect(describeMedia({ copied: 2, missing: [] }, 'put back')).toBe(' (2 media files put back)');
    expect(describeMedia({ copied: 1, missing: lost.slice(0, 1) }, 'copied')).toBe(
      ` (1 media file copied; 1 media file its words name could not be found, their audio is lost: ${lost[0]})`,
    );
    expect(describeMedia({ copied: 0, missing: lost.slice(0, 3) }, 'copied')).toBe(
      ` (0 media files copied; 3 media files its words name could not be found, their audio is lost: ${lost.slice(0, 3).join(', ')})`,
    );
    expect(describeMedia({ copied: 0, missing: lost }, 'copied')).toBe(
      ` (0 media files copied; 4 media files its words name could not be found, their audio is lost: ${lost.slice(0, 3).join(', ')}, …)`,
    );
  });
});

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { jest } from '@jest/globals';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { backUp, problemWithBackup, restore } from '../../src/backups/backup.js';

/** backUp (src/backups/backup.ts), as `npm run db:backup` and BACKUP_CRON call it, on SQLite files of its own. */
describe('backUp', () => {
  let folder: string;
  let databasePath: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'lang-portal-backups-'));
    databasePath = join(folder, 'portal.sqlite');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  /** A database in WAL mode of about `pages` 4 KB pages, as the server keeps it, open for writing. */
  function database(pages: number): Database.Database {
    const writer = new Database(databasePath);
    writer.pragma('journal_mode = WAL');
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
        backUp(databasePath, 7),
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no backup after 10 s')), 10_000).unref()),
      ]);
      const copy = new Database(backup, { readonly: true });
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

    const backup = await backUp(databasePath, 2);

    expect(readdirSync(backups).sort()).toEqual([backup.slice(backups.length + 1), ahead[1]].sort());
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
      await expect(backUp(databasePath, 7)).rejects.toThrow('database or disk is full');
    } finally {
      backup.mockRestore();
    }
    expect(readdirSync(backups)).toEqual([earlier]);
  });

  it('names the backups after their database, so that two databases of one folder keep their own', async () => {
    database(1).close();
    const other = join(folder, 'school.sqlite');
    new Database(other).close();

    const [first, second] = [await backUp(databasePath, 1), await backUp(other, 1)];
    const [third, fourth] = [await backUp(databasePath, 1), await backUp(other, 1)];

    expect(first).toMatch(/[/]portal-\d{8}T\d{9}Z\.sqlite$/);
    expect(second).toMatch(/[/]school-\d{8}T\d{9}Z\.sqlite$/);
    expect(readdirSync(join(folder, 'backups')).sort()).toEqual([third, fourth].map((file) => basename(file)).sort());
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
    restore(copy, restored);

    const database = new Database(restored, { readonly: true });
    try {
      expect(database.prepare('select count(*) from filler').pluck().get()).toBe(2);
    } finally {
      database.close();
    }
    expect(readdirSync(join(folder, 'copy')).sort()).toEqual(['portal.sqlite', 'portal.sqlite-wal']);
  });
});

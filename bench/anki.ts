/**
 * An Anki package as a learner with years of history brings it: BENCH_ANKI_NOTES (20,000) Thai notes in
 * 20 decks, BENCH_ANKI_REVIEWS (500,000) review log entries, in the latest format (zstd, schema 18).
 * Imported into the built server (started here on a temporary database, with `npm start`'s heap limit):
 * a dry run, the import, and the same package again; with the server's peak memory.
 * Run: `npm run bench:anki` (builds, then `node dist/bench/anki.js`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ankiPackage, type CollectionSpec } from '../test/fixtures/anki.js';
import { thaiWord } from './import.js';

const NOTES = Number(process.env.BENCH_ANKI_NOTES ?? 20_000);
const REVIEWS = Number(process.env.BENCH_ANKI_REVIEWS ?? 500_000);
const PORT = 3312;
const DAY = 24 * 60 * 60 * 1000;

/** Notes with one card each, and the review log spread over their cards: learn, review and relearn entries over years. */
function largeCollection(): CollectionSpec {
  const start = Date.parse('2022-01-01T00:00:00Z');
  const spec: CollectionSpec = {
    noteTypes: [{ id: 1, name: 'Thai Vocabulary', fields: ['Thai', 'English', 'Romanization'] }],
    decks: Array.from({ length: 20 }, (_, i) => ({
      id: 100 + i,
      name: `Thai::Level ${Math.floor(i / 5) + 1}::Deck ${i}`,
    })),
    notes: [],
    cards: [],
    revlog: [],
    media: {},
  };
  for (let i = 0; i < NOTES; i++) {
    spec.notes.push({
      id: 1_000_000 + i,
      guid: `bench-${i}`,
      noteTypeId: 1,
      fields: [`<b>${thaiWord(i)}</b>`, `word ${i}`, `kham ${i}`],
      tags: [`level${i % 4}`],
    });
    spec.cards.push({ id: 2_000_000 + i, noteId: 1_000_000 + i, deckId: 100 + (i % 20) });
  }
  const perCard = Math.ceil(REVIEWS / NOTES);
  for (let r = 0; r < REVIEWS; r++) {
    const note = r % NOTES;
    const nth = Math.floor(r / NOTES);
    // Review times grow with each round over the notes; ids stay unique (epoch ms).
    const id = start + nth * Math.floor((3 * 365 * DAY) / perCard) + note * 1000 + (r % 7);
    const ease = (r * 7919) % 10 === 0 ? 1 : (r * 104729) % 13 === 0 ? 4 : 3;
    spec.revlog.push({
      id,
      cardId: 2_000_000 + note,
      ease,
      type: nth === 0 ? 0 : ease === 1 ? 1 : nth % 9 === 0 ? 2 : 1,
      time: 3000,
    });
  }
  return spec;
}

async function startServer(database: string, media: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--max-semi-space-size=4', '--max-old-space-size=256', 'dist/src/main.js'], {
    env: {
      ...process.env,
      DATABASE_PATH: database,
      MEDIA_PATH: media,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/api/v1/health`)).ok) {
        return child;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('the server did not start');
}

const peakRss = (pid: number) => /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

async function timed(name: string, file: Buffer, query: string): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([file]), 'bench.apkg');
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${PORT}/api/v1/import/anki${query}`, { method: 'POST', body: form });
  const body = await response.text();
  const seconds = (performance.now() - started) / 1000;
  if (!response.ok) {
    throw new Error(`${name}: ${response.status} ${body.slice(0, 500)}`);
  }
  const report = JSON.parse(body);
  const counts = {
    created: report.words_created,
    unchanged: report.words_unchanged,
    reviews: report.reviews_imported,
    known: report.reviews_already_imported,
    cards: report.cards_scheduled,
    groups: report.groups_created.length,
  };
  process.stdout.write(`${name.padEnd(36)} ${seconds.toFixed(2).padStart(7)} s   ${JSON.stringify(counts)}\n`);
}

const generated = performance.now();
const file = ankiPackage(largeCollection(), 'latest');
process.stdout.write(
  `\nAnki import: ${NOTES} notes, ${REVIEWS} review log entries, latest format ` +
    `(${(file.length / 2 ** 20).toFixed(1)} MB, generated in ${((performance.now() - generated) / 1000).toFixed(1)} s)\n`,
);
const dir = mkdtempSync(join(tmpdir(), 'bench-anki-'));
const server = await startServer(join(dir, 'anki.sqlite'), join(dir, 'media'));
try {
  await timed('POST /import/anki?dry_run=true', file, '?dry_run=true');
  await timed('POST /import/anki', file, '');
  await timed('POST /import/anki (the same again)', file, '');
  process.stdout.write(`server peak memory (VmHWM): ${Math.round(Number(peakRss(server.pid!)) / 1024)} MB\n`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

import '../src/node-version-guard.js';
import { closeSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import Database from 'better-sqlite3';
import { MikroORM } from '@mikro-orm/sql';
import { ormConfig } from '../mikro-orm.config.js';
import { validateEnvironment } from '../src/config.js';
import { sqliteDialect } from '../src/database/sqlite.dialect.js';
import { DEFAULT_PARAMETERS, type Memory, Scheduler } from '../src/scheduling/scheduler.js';
import { foldedName } from '../src/core/names.js';
import { thaiSortKey } from '../src/words/thai.js';
import { thaiWord } from './import.js';
import { seededRandom } from './random.js';

/**
 * Fills a file database with a large portal through the project's own schema: the migrations run through
 * the ORM configuration (`mikro-orm.config.ts`), then rows go in with prepared better-sqlite3 statements
 * in big transactions. Every answer's card state and every word's card are computed by the portal's
 * scheduler (FSRS, default settings without fuzz) over the word's answers in time order, as `npm run srs:rebuild`
 * would, so the server finds no stale card at start-up.
 *
 * What the database derives, it derives here too, in bulk instead of row by row: the triggers of the log (word,
 * session and group counters, answer_totals, answer_quarter_hours) cost ~50 µs per inserted row, and more without
 * the log's indexes, so every one of them is set aside while the answers go in, the same sums are then computed by set-based SQL, and the triggers
 * are put back from their own SQL text; the indexes of the log are built after the load the same way; the
 * full-text index is filled by FTS5's `rebuild` command. The
 * groups' word counts follow their trigger row by row. `bench/run.ts` checks every counter against the
 * log afterwards.
 *
 * `npx node dist/bench/generate.js --out F [--words N --groups N --sessions N --answers N --days N | --quick] [--seed N]`
 */

export interface PortalSize {
  words: number;
  groups: number;
  sessions: number;
  answers: number;
  /** The history spans this many days, ending an hour ago. */
  days: number;
  /** Which portal of that size: the same seed gives the same portal, another seed one generated independently. */
  seed: number;
}

export const LARGE: PortalSize = {
  words: 100_000,
  groups: 500,
  sessions: 20_000,
  answers: 2_000_000,
  days: 730,
  seed: 12,
};
export const QUICK: PortalSize = { words: 10_000, groups: 50, sessions: 2_000, answers: 200_000, days: 365, seed: 12 };

const DAY_MS = 24 * 60 * 60 * 1000;
const ANSWER_GAP_MS = 8_000;

const ADJECTIVES = ['big', 'small', 'red', 'green', 'old', 'new', 'quiet', 'loud', 'cold', 'hot', 'dark', 'bright'];
const ADJECTIVES_MORE = ['long', 'short', 'sweet', 'sour', 'fast', 'slow', 'deep', 'high', 'low', 'clean'];
const NOUNS = [
  'river',
  'house',
  'market',
  'temple',
  'rice',
  'water',
  'road',
  'school',
  'teacher',
  'friend',
  'mountain',
  'island',
  'boat',
  'train',
  'city',
  'village',
  'garden',
  'flower',
  'tree',
  'forest',
  'rain',
  'sun',
  'moon',
  'star',
  'fish',
  'bird',
  'dog',
  'cat',
  'elephant',
  'chicken',
  'pork',
  'noodle',
  'soup',
  'fruit',
  'mango',
  'banana',
  'coconut',
  'shirt',
  'shoe',
  'hat',
  'book',
  'pen',
  'paper',
  'table',
  'chair',
  'door',
  'window',
  'room',
  'kitchen',
  'bed',
  'riverbank',
  'hospital',
  'doctor',
  'police',
  'station',
  'airport',
  'ticket',
  'money',
  'bank',
  'shop',
  'price',
  'morning',
  'evening',
  'night',
  'week',
  'month',
  'year',
  'family',
  'mother',
  'father',
  'child',
  'brother',
  'sister',
];
const PARTS_OF_SPEECH = ['noun', 'verb', 'adjective', 'adverb', 'phrase'];
const SYLLABLES = ['ka', 'khi', 'ngu', 'cho', 'dam', 'tan', 'thong', 'na', 'bai', 'pla', 'phon', 'ma', 'yai', 'rot'];

const romanizationOf = (i: number) =>
  [0, 1, 2].map((k) => SYLLABLES[Math.floor(i / SYLLABLES.length ** k) % SYLLABLES.length]).join('');

function englishOf(i: number): string {
  const adjectives = [...ADJECTIVES, ...ADJECTIVES_MORE];
  return `${adjectives[i % adjectives.length]} ${NOUNS[Math.floor(i / adjectives.length) % NOUNS.length]} ${i}`;
}

export interface Generated {
  size: PortalSize;
  seconds: number;
  /** Ids the benchmark requests name: a group, a session with answers, a word with answers. */
  sample: { groupId: number; sessionId: number; wordId: number };
}

/** Writes the portal of `size` to the file `path` (replacing it). */
export async function generate(path: string, size: PortalSize, log = (_: string) => {}): Promise<Generated> {
  const started = performance.now();
  const step = (what: string) => log(`${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${what}`);
  for (const suffix of ['', '-wal', '-shm']) {
    rmSync(path + suffix, { force: true });
  }
  const orm = await MikroORM.init({
    ...ormConfig({ ...validateEnvironment({}), DATABASE_PATH: path }),
    logger: () => undefined,
  });
  await orm.migrator.up();
  await orm.close();
  step('schema migrated');

  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // A load, not a live portal: durability at the end (checkpoint) is enough; the generator writes valid rows only.
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -262144');
  const rand = seededRandom(size.seed);
  const end = Date.now() - 60 * 60 * 1000;
  const start = end - size.days * DAY_MS;
  const createdAt = start - 30 * DAY_MS;

  const triggers = setAside(db, 'trigger', ['word_indexed_for_search', ...triggersOf(db, 'words_review_items')]);
  db.transaction(() => {
    const app = db.prepare(
      `insert into learning_apps (name, name_folded, description, launch_url, thumbnail_url, created_at, updated_at)
         values (?, ?, ?, ?, null, ?, ?)`,
    );
    for (const name of ['Flashcards', 'Typing', 'Listening']) {
      const url = `http://127.0.0.1:8081/${name.toLowerCase()}`;
      app.run(name, foldedName(name), `${name} practice`, url, createdAt, createdAt);
    }
    const group = db.prepare('insert into groups (name, name_folded, created_at, updated_at) values (?, ?, ?, ?)');
    for (let g = 1; g <= size.groups; g++) {
      const name = `Group ${String(g).padStart(4, '0')}`;
      group.run(name, foldedName(name), createdAt + g, createdAt + g);
    }
    const word = db.prepare(
      `insert into words (thai, english, english_folded, parts, thai_sort, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let i = 0; i < size.words; i++) {
      const [thai, english] = [thaiWord(i), englishOf(i)];
      const parts = { romanization: romanizationOf(i), part_of_speech: PARTS_OF_SPEECH[i % PARTS_OF_SPEECH.length] };
      word.run(
        thai,
        english,
        foldedName(english),
        JSON.stringify(parts),
        thaiSortKey(thai),
        createdAt + i,
        createdAt + i,
      );
    }
  })();
  db.exec(`insert into words_search (words_search) values ('rebuild')`);
  step(`${size.words} words (and their search index), ${size.groups} groups`);

  // Every word is in one group, every other word in a second one as well.
  const members: number[][] = Array.from({ length: size.groups + 1 }, () => []);
  db.transaction(() => {
    const member = db.prepare('insert into words_groups (word_id, group_id, created_at) values (?, ?, ?)');
    for (let w = 1; w <= size.words; w++) {
      const first = ((w - 1) % size.groups) + 1;
      const groups = w % 2 === 0 && size.groups > 1 ? [first, (first % size.groups) + 1] : [first];
      for (const g of groups) {
        member.run(w, g, createdAt);
        members[g].push(w);
      }
    }
  })();
  step('memberships');

  // Sessions one after the other, evenly over the days (with some jitter, never overlapping); the
  // answers of a session 8 s apart, each a word of its group.
  const spacing = (end - start) / Math.max(1, size.sessions);
  const perSession = size.sessions === 0 ? 0 : size.answers / size.sessions;
  const answerWord = new Int32Array(size.answers);
  const answerSession = new Int32Array(size.answers);
  const answerAt = new Float64Array(size.answers);
  const answerRight = new Uint8Array(size.answers);
  const sessionGroup = new Int32Array(size.sessions + 1);
  let answers = 0;
  db.transaction(() => {
    const session = db.prepare('insert into study_sessions (group_id, learning_app_id, created_at) values (?, ?, ?)');
    for (let s = 1; s <= size.sessions; s++) {
      const g = 1 + Math.floor(rand() * size.groups);
      const at = Math.floor(start + (s - 1) * spacing + rand() * spacing * 0.2);
      sessionGroup[s] = g;
      session.run(g, s % 4 === 0 ? null : 1 + (s % 3), at);
      const count = Math.round(s * perSession) - Math.round((s - 1) * perSession);
      for (let k = 0; k < count && answers < size.answers; k++, answers++) {
        answerWord[answers] = members[g][Math.floor(rand() * members[g].length)];
        answerSession[answers] = s;
        answerAt[answers] = at + 1000 + k * ANSWER_GAP_MS;
        answerRight[answers] = rand() < 0.8 ? 1 : 0;
      }
    }
  })();
  step(`${size.sessions} sessions`);

  // The card state before each answer, and each word's card after its last one: FSRS over every word's
  // answers in time order (answers are generated in time order already), words split among workers.
  const shared = {
    word: shareOf(answerWord.subarray(0, answers)),
    at: shareOf(answerAt.subarray(0, answers)),
    right: shareOf(answerRight.subarray(0, answers)),
    state: new Uint8Array(new SharedArrayBuffer(answers)),
  };
  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  const cardRows = (
    await Promise.all(
      Array.from(
        { length: workers },
        (_, part) =>
          new Promise<Float64Array>((resolve, reject) => {
            const worker = new Worker(new URL(import.meta.url), { workerData: { ...shared, part, parts: workers } });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    )
  ).flatMap((rows) =>
    Array.from({ length: rows.length / CARD_FIELDS }, (_, i) => rows.subarray(i * CARD_FIELDS, (i + 1) * CARD_FIELDS)),
  );
  const cardState = shared.state;
  step(`FSRS over ${answers} answers (${workers} workers)`);

  // The log's indexes are built once after the load, from sorted data, instead of row by row.
  const indexes = setAside(db, 'index', [...indexesOf(db, 'words_review_items'), ...indexesOf(db, 'study_activities')]);
  const CHUNK = 200_000;
  const review = db.prepare(
    'insert into words_review_items (word_id, study_session_id, group_id, correct, reviewed_at, created_at, card_state) values (?, ?, ?, ?, ?, ?, ?)',
  );
  const activity = db.prepare(
    'insert into study_activities (session_id, word_id, correct, created_at) values (?, ?, ?, ?)',
  );
  for (let from = 0; from < answers; from += CHUNK) {
    db.transaction(() => {
      for (let a = from; a < Math.min(answers, from + CHUNK); a++) {
        const session = answerSession[a];
        review.run(
          answerWord[a],
          session,
          sessionGroup[session],
          answerRight[a],
          answerAt[a],
          answerAt[a],
          cardState[a],
        );
        activity.run(answerSession[a], answerWord[a], answerRight[a], answerAt[a]);
      }
    })();
  }
  restore(db, indexes);
  step(`${answers} answers (and their study activities), indexed`);

  // What the triggers set aside would have summed up, row by row (review-item.entity.ts).
  db.transaction(() => {
    db.exec(`update words set correct_count = t.correct, wrong_count = t.answers - t.correct, last_reviewed_at = t.last
      from (select word_id, sum(correct) as correct, count(*) as answers, max(reviewed_at) as last
        from words_review_items group by word_id) t
      where words.id = t.word_id`);
    db.exec(`update study_sessions set review_items_count = t.answers, correct_count = t.correct, last_reviewed_at = t.last
      from (select study_session_id, count(*) as answers, sum(correct) as correct, max(reviewed_at) as last
        from words_review_items group by study_session_id) t
      where study_sessions.id = t.study_session_id`);
    db.exec(`update groups set review_items_count = t.answers, correct_count = t.correct, studied_word_count = t.studied,
        last_reviewed_at = t.last
      from (select group_id, count(*) as answers, sum(correct) as correct, count(distinct word_id) as studied,
          max(reviewed_at) as last from words_review_items where group_id is not null group by group_id) t
      where groups.id = t.group_id`);
    if (answers > 0) {
      db.exec(`insert into answer_totals (id, answers, correct, studied_words)
        select 1, count(*), sum(correct), count(distinct word_id) from words_review_items`);
    }
    db.exec(`insert into answer_quarter_hours (quarter, answers, review_answers, review_correct)
      select ${sqliteDialect.quarterHourOf('reviewed_at')}, count(*), sum(coalesce(card_state, 0) = 2),
        sum((coalesce(card_state, 0) = 2) * correct)
      from words_review_items group by 1`);
    restore(db, triggers);
  })();
  step('counters and summaries');

  db.transaction(() => {
    const card = db.prepare(
      `insert into cards (word_id, due, stability, difficulty, elapsed_days, scheduled_days, learning_steps, reps,
        lapses, state, last_review, first_review, stale) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    for (const row of cardRows) {
      card.run(...row);
    }
  })();
  step(`${cardRows.length} cards`);
  // A portal that grew by use has the planner's statistics: its migrations ran ANALYZE, and every start-up's
  // PRAGMA optimize (dialect.ts) analyses again a table that grew tenfold since.
  db.exec('analyze');
  step('analysed');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  // Written to disk before anything is timed on it: during the kernel's writeback of the new file (until ~20 s after
  // the generator) both servers started ~30% slower (the portal 0.9–1.2 s, against 0.8–0.85 s once it was written).
  const file = openSync(path, 'r+');
  fsyncSync(file);
  closeSync(file);
  step('written to disk');

  const lastSession = answers > 0 ? answerSession[answers - 1] : Math.max(1, size.sessions);
  const sample = {
    groupId: sessionGroup[lastSession] || 1,
    sessionId: lastSession,
    wordId: answers > 0 ? answerWord[answers - 1] : 1,
  };
  return { size, seconds: (performance.now() - started) / 1000, sample };
}

/**
 * Reads a portal size from command-line flags (`--quick`, or any of the sizes), the caller's own `options`, and
 * the arguments that are no option's (`positionals`).
 */
export function sizeFromArgs(
  args: string[],
  options: ParseArgsOptionsConfig = {},
): { size: PortalSize; rest: Record<string, string | boolean | undefined>; positionals: string[] } {
  const { values, positionals } = parseArgs({
    args,
    strict: false,
    options: {
      ...options,
      quick: { type: 'boolean' },
      words: { type: 'string' },
      groups: { type: 'string' },
      sessions: { type: 'string' },
      answers: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const base = values.quick ? QUICK : LARGE;
  const number = (key: keyof PortalSize) => {
    const value = values[key] === undefined ? base[key] : Number(values[key]);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`--${key} takes a whole number, not ${String(values[key])}`);
    }
    return value;
  };
  const size = {
    words: number('words'),
    groups: number('groups'),
    sessions: number('sessions'),
    answers: number('answers'),
    days: number('days'),
    seed: number('seed'),
  };
  return { size, rest: values, positionals };
}

/** Drops these triggers or indexes, returning the SQL that creates them again. */
function setAside(db: Database.Database, type: 'trigger' | 'index', names: string[]): string[] {
  const sql = names.map(
    (name) =>
      (db.prepare(`select sql from sqlite_master where type = ? and name = ?`).get(type, name) as { sql: string }).sql,
  );
  for (const name of names) {
    db.exec(`drop ${type} ${name}`);
  }
  return sql;
}

/** The triggers of a table. */
function triggersOf(db: Database.Database, table: string): string[] {
  return (
    db.prepare(`select name from sqlite_master where type = 'trigger' and tbl_name = ?`).all(table) as {
      name: string;
    }[]
  ).map((row) => row.name);
}

/** The indexes of a table that SQLite did not create itself (those of a unique constraint or key). */
function indexesOf(db: Database.Database, table: string): string[] {
  return (
    db
      .prepare(`select name from sqlite_master where type = 'index' and tbl_name = ? and sql is not null`)
      .all(table) as { name: string }[]
  ).map((row) => row.name);
}

function restore(db: Database.Database, sql: string[]): void {
  for (const statement of sql) {
    db.exec(statement);
  }
}

function shareOf<T extends Int32Array | Float64Array | Uint8Array>(array: T): T {
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

// A card as a row of numbers: word, due, stability, difficulty, elapsed days, scheduled days, learning steps,
// reps, lapses, state, last review, first review.
const CARD_FIELDS = 12;

/** A worker: FSRS over the answers of the words `part` of `parts` (by word id), in time order. */
function replayPart(data: {
  word: Int32Array;
  at: Float64Array;
  right: Uint8Array;
  state: Uint8Array;
  part: number;
  parts: number;
}): Float64Array {
  const scheduler = new Scheduler({
    requestRetention: 0.9,
    maximumIntervalDays: 36500,
    learningSteps: ['1m', '10m'],
    // Fuzz (a seeded random spread of intervals) costs ~25 of the ~35 µs an answer takes; without it the
    // cards are those of the tests' settings.
    enableFuzz: false,
    parameters: [...DEFAULT_PARAMETERS],
  });
  const memories = new Map<number, Memory>();
  const first = new Map<number, number>();
  for (let a = 0; a < data.word.length; a++) {
    const word = data.word[a];
    if (word % data.parts !== data.part) {
      continue;
    }
    const previous = memories.get(word) ?? null;
    data.state[a] = previous?.state ?? 0;
    if (!previous) {
      first.set(word, data.at[a]);
    }
    memories.set(word, scheduler.answer(previous, { correct: data.right[a] === 1, reviewedAt: new Date(data.at[a]) }));
  }
  const rows = new Float64Array(memories.size * CARD_FIELDS);
  let i = 0;
  for (const [word, m] of memories) {
    rows.set(
      [
        word,
        m.due.getTime(),
        m.stability,
        m.difficulty,
        m.elapsedDays,
        m.scheduledDays,
        m.learningSteps,
        m.reps,
        m.lapses,
        m.state,
        m.lastReview.getTime(),
        first.get(word)!,
      ],
      i,
    );
    i += CARD_FIELDS;
  }
  return rows;
}

if (!isMainThread && workerData?.parts) {
  parentPort!.postMessage(replayPart(workerData));
} else if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { size, rest } = sizeFromArgs(process.argv.slice(2));
  const out = typeof rest.out === 'string' ? rest.out : 'bench/.data/portal.sqlite';
  const result = await generate(out, size, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${out}: ${JSON.stringify(result)}\n`);
}

import '../src/node-version-guard.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DAY_MS, dayIn, dayPlus, startOfDayIn } from '../src/core/calendar.js';
import { studyStreak } from './streak.js';
import { openSqlite } from '../src/database/sqlite.dialect.js';
import { DEFAULT_PARAMETERS, type Memory, Scheduler } from '../src/scheduling/scheduler.js';
import { cardDto } from '../src/srs/card.js';

/**
 * The baseline of the benchmark: the endpoints `run.ts` measures, answered with the same JSON as the
 * portal from the same database, by nothing but `node:http` and `better-sqlite3` with hand-written SQL,
 * each statement prepared once: what this stack can do at best. FSRS (the same scheduler as the portal)
 * moves the card of each answer; the calendar and streak functions, the card's JSON and the database's
 * settings are the portal's own.
 * It validates nothing and knows only the query parameters the benchmark sends (page, per_page, sort_by
 * and order of words, q, limit, days); anything else is a 404.
 *
 * `DATABASE_PATH=F PORT=N npx node dist/bench/baseline.js`
 */

const db = openSqlite(process.env.DATABASE_PATH ?? 'bench/.data/portal.sqlite');

const TIME_ZONE = process.env.APP_TIMEZONE ?? 'UTC';
const NEW_WORDS_PER_DAY = Number(process.env.SRS_NEW_WORDS_PER_DAY ?? 20);
const QUARTER_MS = 15 * 60 * 1000;
const scheduler = new Scheduler({
  requestRetention: Number(process.env.SRS_REQUEST_RETENTION ?? 0.9),
  maximumIntervalDays: 36500,
  learningSteps: ['1m', '10m'],
  enableFuzz: true,
  parameters: [...DEFAULT_PARAMETERS],
});

interface WordRow {
  id: number;
  thai: string;
  english: string;
  parts: string;
  correct_count: number;
  wrong_count: number;
  created_at: number;
  updated_at: number;
}
interface CardRow {
  word_id: number;
  due: number;
  stability: number;
  difficulty: number;
  elapsed_days: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  state: number;
  last_review: number;
  first_review: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const WORD_COLUMNS = 'w.id, w.thai, w.english, w.parts, w.correct_count, w.wrong_count, w.created_at, w.updated_at';
const wordDto = (w: WordRow) => ({
  id: w.id,
  thai: w.thai,
  english: w.english,
  parts: JSON.parse(w.parts),
  correct_count: w.correct_count,
  wrong_count: w.wrong_count,
  created_at: iso(w.created_at),
  updated_at: iso(w.updated_at),
});
const rate = (correct: number, total: number) => (total === 0 ? 0 : Math.round((correct / total) * 1000) / 10);
const pageOf = <T>(items: T[], total: number, page: number, perPage: number) => ({
  items,
  pagination: {
    current_page: page,
    total_pages: Math.ceil(total / perPage),
    total_items: total,
    items_per_page: perPage,
  },
});
const memoryOf = (c: CardRow): Memory => ({
  due: new Date(c.due),
  stability: c.stability,
  difficulty: c.difficulty,
  elapsedDays: c.elapsed_days,
  scheduledDays: c.scheduled_days,
  learningSteps: c.learning_steps,
  reps: c.reps,
  lapses: c.lapses,
  state: c.state,
  lastReview: new Date(c.last_review),
});

// Statements, each prepared once.
const sql = {
  wordCount: db.prepare('select count(*) from words').pluck(),
  wordsBy: Object.fromEntries(
    (
      [
        ['thai', 'w.thai_sort'],
        ['english', 'w.english'],
        ['correct_count', 'w.correct_count'],
        ['wrong_count', 'w.wrong_count'],
        ['created_at', 'w.created_at'],
        ['id', 'w.id'],
      ] as const
    ).flatMap(([sort, column]) =>
      (['asc', 'desc'] as const).map((order) => [
        `${sort} ${order}`,
        db.prepare(`select ${WORD_COLUMNS} from words w order by ${column} ${order}, w.id asc limit ? offset ?`),
      ]),
    ),
  ),
  search: db.prepare(
    `select ${WORD_COLUMNS} from words w where w.id in (select rowid from words_search where words_search match ?)
     order by case when w.thai = ? or unicode_lower(w.english) = ? or w.romanization_lower = ? then 0
       when w.thai_plain = ? then 1
       when substr(w.thai_plain, 1, ?) = ? or unicode_lower(substr(w.english, 1, ?)) = ? or substr(w.romanization_lower, 1, ?) = ? then 2
       else 3 end, w.thai_sort asc, w.id asc limit ? offset ?`,
  ),
  // External content: the index holds exactly the rows of words.
  searchCount: db.prepare('select count(*) from words_search where words_search match ?').pluck(),
  group: db.prepare(
    `select id, name, words_count, created_at, studied_word_count, correct_count, review_items_count, last_reviewed_at
     from groups where id = ?`,
  ),
  groupWords: db.prepare(
    `select ${WORD_COLUMNS} from words_groups m join words w on w.id = m.word_id where m.group_id = ?
     order by w.thai_sort asc, w.id asc limit ? offset ?`,
  ),
  sessionCount: db.prepare('select count(*) from study_sessions').pluck(),
  sessions: db.prepare(
    `select s.id, s.group_id, g.name as group_name, s.learning_app_id, a.name as learning_app_name, s.created_at,
       s.review_items_count, s.correct_count, s.last_reviewed_at
     from study_sessions s join groups g on g.id = s.group_id left join learning_apps a on a.id = s.learning_app_id
     order by s.created_at desc, s.id desc limit ? offset ?`,
  ),
  sessionExists: db.prepare('select id, group_id, created_at from study_sessions where id = ?'),
  sessionWordCount: db
    .prepare('select count(distinct word_id) from words_review_items where study_session_id = ?')
    .pluck(),
  sessionWords: db.prepare(
    `select ${WORD_COLUMNS}, t.correct as session_correct, t.total as session_total
     from (select word_id, min(id) as first, sum(correct) as correct, count(*) as total from words_review_items
           where study_session_id = ? group by word_id) t join words w on w.id = t.word_id
     order by t.first asc, w.id asc limit ? offset ?`,
  ),
  totals: db.prepare('select answers, correct, studied_words from answer_totals where id = 1'),
  firstAnswer: db.prepare('select min(reviewed_at) from words_review_items').pluck(),
  activeGroups: db.prepare('select count(distinct group_id) from study_sessions').pluck(),
  activeQuarters: db.prepare('select quarter from answer_quarter_hours where quarter >= ? and answers > 0').pluck(),
  mastered: db.prepare('select count(*) from cards where state = 2 and stability >= 21').pluck(),
  dueBefore: db.prepare('select count(*) from cards where due < ?').pluck(),
  dues: db.prepare('select due from cards where due >= ? and due < ? order by due').pluck(),
  word: db.prepare(`select ${WORD_COLUMNS}, w.last_reviewed_at from words w where w.id = ?`),
  wordGroups: db.prepare(
    `select g.id, g.name, g.words_count from words_groups m join groups g on g.id = m.group_id where m.word_id = ?
     order by g.name asc, g.id asc`,
  ),
  reviews: db.prepare(
    `select r.id, r.word_id, w.thai, w.english, r.correct, r.reviewed_at, r.study_session_id
     from words_review_items r join words w on w.id = r.word_id order by r.reviewed_at desc, r.id desc limit ? offset ?`,
  ),
  // The page from the due index's entries alone, then its cards (the portal's statement).
  dueCards: db.prepare(
    `select * from cards c where c.word_id in (select c.word_id from cards c where c.due <= @now
       order by ((@now - c.last_review) / ${DAY_MS}) / c.stability desc, c.due asc, c.word_id asc limit @limit)
     order by ((@now - c.last_review) / ${DAY_MS}) / c.stability desc, c.due asc, c.word_id asc`,
  ),
  introducedSince: db.prepare('select count(*) from cards where first_review >= ?').pluck(),
  unstudied: db.prepare(
    `select ${WORD_COLUMNS} from words w where w.correct_count = 0 and w.wrong_count = 0 order by w.id limit ?`,
  ),
  member: db.prepare('select 1 from words_groups where group_id = ? and word_id = ?').pluck(),
  card: db.prepare('select * from cards where word_id = ?'),
  insertActivity: db.prepare(
    'insert into study_activities (session_id, word_id, correct, created_at) values (?, ?, ?, ?)',
  ),
  insertReview: db.prepare(
    `insert into words_review_items (word_id, study_session_id, group_id, correct, reviewed_at, created_at, card_state)
     values (?, ?, ?, ?, ?, ?, ?)`,
  ),
  upsertCard: db.prepare(
    `insert into cards (word_id, due, stability, difficulty, elapsed_days, scheduled_days, learning_steps, reps,
       lapses, state, last_review, first_review, stale) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
     on conflict (word_id) do update set due = excluded.due, stability = excluded.stability,
       difficulty = excluded.difficulty, elapsed_days = excluded.elapsed_days, scheduled_days = excluded.scheduled_days,
       learning_steps = excluded.learning_steps, reps = excluded.reps, lapses = excluded.lapses, state = excluded.state,
       last_review = excluded.last_review`,
  ),
};

class NotFound extends Error {}

function paging(query: URLSearchParams): { page: number; perPage: number; offset: number } {
  const page = Number(query.get('page') ?? 1);
  const perPage = Number(query.get('per_page') ?? 100);
  return { page, perPage, offset: (page - 1) * perPage };
}

function words(query: URLSearchParams) {
  const { page, perPage, offset } = paging(query);
  const q = query.get('q');
  if (q) {
    // The benchmark searches Latin text of three letters or more: no tone marks, the trigram index.
    const latin = q.toLowerCase();
    const [length, latinLength] = [[...q].length, [...latin].length];
    const rows = sql.search.all(
      `{thai_plain english romanization_lower} : "${q.replaceAll('"', '""')}"`,
      q,
      latin,
      latin,
      q,
      length,
      q,
      latinLength,
      latin,
      latinLength,
      latin,
      perPage,
      offset,
    ) as WordRow[];
    const total = sql.searchCount.get(`{thai_plain english romanization_lower} : "${q.replaceAll('"', '""')}"`);
    return pageOf(rows.map(wordDto), total as number, page, perPage);
  }
  const statement = sql.wordsBy[`${query.get('sort_by') ?? 'thai'} ${query.get('order') ?? 'asc'}`];
  const rows = statement.all(perPage, offset) as WordRow[];
  return pageOf(rows.map(wordDto), sql.wordCount.get() as number, page, perPage);
}

interface GroupRow {
  id: number;
  name: string;
  words_count: number;
  created_at: number;
  studied_word_count: number;
  correct_count: number;
  review_items_count: number;
  last_reviewed_at: number | null;
}

function groupOf(id: number) {
  const group = sql.group.get(id) as GroupRow | undefined;
  if (!group) {
    throw new NotFound();
  }
  return group;
}

function groupWords(id: number, query: URLSearchParams) {
  const group = groupOf(id);
  const { page, perPage, offset } = paging(query);
  const rows = sql.groupWords.all(id, perPage, offset) as WordRow[];
  return pageOf(rows.map(wordDto), group.words_count, page, perPage);
}

function group(id: number) {
  const g = groupOf(id);
  return {
    id: g.id,
    name: g.name,
    words_count: g.words_count,
    created_at: iso(g.created_at),
    stats: {
      total_word_count: g.words_count,
      studied_word_count: g.studied_word_count,
      correct_count: g.correct_count,
      wrong_count: g.review_items_count - g.correct_count,
      success_rate: rate(g.correct_count, g.review_items_count),
      last_studied_at: iso(g.last_reviewed_at),
    },
  };
}

function sessions(query: URLSearchParams) {
  const { page, perPage, offset } = paging(query);
  const rows = sql.sessions.all(perPage, offset) as {
    id: number;
    group_id: number;
    group_name: string;
    learning_app_id: number | null;
    learning_app_name: string | null;
    created_at: number;
    review_items_count: number;
    correct_count: number;
    last_reviewed_at: number | null;
  }[];
  const items = rows.map((s) => ({
    id: s.id,
    group_id: s.group_id,
    group_name: s.group_name,
    learning_app_id: s.learning_app_id,
    learning_app_name: s.learning_app_name,
    start_time: iso(s.created_at),
    end_time: iso(s.last_reviewed_at),
    review_items_count: s.review_items_count,
    correct_count: s.correct_count,
    wrong_count: s.review_items_count - s.correct_count,
  }));
  return pageOf(items, sql.sessionCount.get() as number, page, perPage);
}

function sessionWords(id: number, query: URLSearchParams) {
  if (!sql.sessionExists.get(id)) {
    throw new NotFound();
  }
  const { page, perPage, offset } = paging(query);
  const rows = sql.sessionWords.all(id, perPage, offset) as (WordRow & {
    session_correct: number;
    session_total: number;
  })[];
  const items = rows.map((row) => ({
    ...wordDto(row),
    session_correct_count: row.session_correct,
    session_wrong_count: row.session_total - row.session_correct,
  }));
  return pageOf(items, sql.sessionWordCount.get(id) as number, page, perPage);
}

function totals() {
  const row = sql.totals.get() as { answers: number; correct: number; studied_words: number } | undefined;
  return { answers: row?.answers ?? 0, correct: row?.correct ?? 0, studied: row?.studied_words ?? 0 };
}

/** The first instants of `count` days in the time zone, today first. */
function dayStarts(now: Date, count: number): Date[] {
  const today = dayIn(TIME_ZONE, now);
  return Array.from({ length: count }, (_, i) => startOfDayIn(TIME_ZONE, dayPlus(today, i)));
}

function streak(now: Date, first: number | null): number {
  for (let days = 32; ; days *= 4) {
    const since = now.getTime() - (days + 2) * DAY_MS;
    const quarters = sql.activeQuarters.all(Math.floor(since / QUARTER_MS)) as number[];
    const result = studyStreak(
      quarters.map((quarter) => new Date(quarter * QUARTER_MS)),
      now,
      TIME_ZONE,
    );
    if (result < days || first === null || first >= since) {
      return result;
    }
  }
}

function quickStats() {
  const now = new Date();
  const t = totals();
  return {
    success_rate: rate(t.correct, t.answers),
    total_study_sessions: sql.sessionCount.get(),
    total_active_groups: sql.activeGroups.get(),
    study_streak_days: streak(now, sql.firstAnswer.get() as number | null),
    mastered_words: sql.mastered.get(),
    due_today: sql.dueBefore.get(dayStarts(now, 2)[1].getTime()),
  };
}

function forecast(query: URLSearchParams) {
  const days = Number(query.get('days') ?? 30);
  const starts = dayStarts(new Date(), days + 1);
  // Overdue and today's cards counted in the index, the later days' due dates read.
  const before = sql.dueBefore.get(starts[1].getTime()) as number;
  const dues = sql.dues.all(starts[1].getTime(), starts.at(-1)!.getTime()) as number[];
  let count = 0;
  const dueBefore = starts.slice(1).map((end) => {
    while (count < dues.length && dues[count] < end.getTime()) {
      count += 1;
    }
    return before + count;
  });
  return {
    days: dueBefore.map((due, i) => ({
      date: dayIn(TIME_ZONE, starts[i]),
      due: due - (i === 0 ? 0 : dueBefore[i - 1]),
    })),
    total: dueBefore.at(-1),
  };
}

function word(id: number) {
  const row = sql.word.get(id) as (WordRow & { last_reviewed_at: number | null }) | undefined;
  if (!row) {
    throw new NotFound();
  }
  return {
    ...wordDto(row),
    groups: sql.wordGroups.all(id),
    last_reviewed_at: iso(row.last_reviewed_at),
  };
}

function reviews(query: URLSearchParams) {
  const { page, perPage, offset } = paging(query);
  const rows = sql.reviews.all(perPage, offset) as {
    id: number;
    word_id: number;
    thai: string;
    english: string;
    correct: number;
    reviewed_at: number;
    study_session_id: number | null;
  }[];
  const items = rows.map((r) => ({ ...r, correct: r.correct === 1, reviewed_at: iso(r.reviewed_at) }));
  // The whole log's size is a summary row.
  return pageOf(items, totals().answers, page, perPage);
}

function queue(query: URLSearchParams) {
  const now = new Date();
  const limit = Number(query.get('limit') ?? 20);
  // An integer (BigInt), so that the whole days are an integer division, as in the portal.
  const due = sql.dueCards.all({ now: BigInt(now.getTime()), limit }) as CardRow[];
  const introduced = sql.introducedSince.get(startOfDayIn(TIME_ZONE, dayIn(TIME_ZONE, now)).getTime()) as number;
  const remaining = Math.max(0, NEW_WORDS_PER_DAY - introduced);
  const fresh =
    due.length < limit && remaining > 0
      ? (sql.unstudied.all(Math.min(remaining, limit - due.length)) as WordRow[])
      : [];
  const items = [
    ...due.map((card) => {
      const memory = memoryOf(card);
      return {
        ...wordDto(sql.word.get(card.word_id) as WordRow),
        card: cardDto(memory, scheduler.retrievability(memory, now), now),
      };
    }),
    ...fresh.map((w) => ({ ...wordDto(w), card: cardDto(null, 0, now) })),
  ];
  return { items, new_words_remaining_today: remaining - fresh.length };
}

/** Records one answer of the session in the caller's transaction, moving the word's card. */
function record(sessionId: number, wordId: number, correct: boolean) {
  const session = sql.sessionExists.get(sessionId) as { id: number; group_id: number } | undefined;
  if (!session || !sql.word.get(wordId)) {
    throw new NotFound();
  }
  if (!sql.member.get(session.group_id, wordId)) {
    throw new Error('not a member');
  }
  const now = new Date();
  const card = sql.card.get(wordId) as CardRow | undefined;
  const memory = card ? memoryOf(card) : null;
  sql.insertActivity.run(sessionId, wordId, correct ? 1 : 0, now.getTime());
  sql.insertReview.run(
    wordId,
    sessionId,
    session.group_id,
    correct ? 1 : 0,
    now.getTime(),
    now.getTime(),
    memory?.state ?? 0,
  );
  const next = scheduler.answer(memory, { correct, reviewedAt: now });
  sql.upsertCard.run(
    wordId,
    next.due.getTime(),
    next.stability,
    next.difficulty,
    next.elapsedDays,
    next.scheduledDays,
    next.learningSteps,
    next.reps,
    next.lapses,
    next.state,
    next.lastReview.getTime(),
    card?.first_review ?? now.getTime(),
  );
  return { success: true, word_id: wordId, study_session_id: sessionId, correct, created_at: now.toISOString() };
}

const answer = db.transaction(record);
const answers = db.transaction((sessionId: number, list: { word_id: number; correct: boolean }[]) => ({
  answers: list.map((one) => record(sessionId, one.word_id, one.correct)),
}));

const ROUTES: [string, RegExp, (match: number[], query: URLSearchParams, body: string) => unknown][] = [
  ['GET', /^\/api\/v1\/words$/, (_, q) => words(q)],
  ['GET', /^\/api\/v1\/words\/(\d+)$/, ([id]) => word(id)],
  ['GET', /^\/api\/v1\/groups\/(\d+)$/, ([id]) => group(id)],
  ['GET', /^\/api\/v1\/groups\/(\d+)\/words$/, ([id], q) => groupWords(id, q)],
  ['GET', /^\/api\/v1\/study_sessions$/, (_, q) => sessions(q)],
  ['GET', /^\/api\/v1\/study_sessions\/(\d+)\/words$/, ([id], q) => sessionWords(id, q)],
  ['GET', /^\/api\/v1\/dashboard\/quick_stats$/, () => quickStats()],
  [
    'GET',
    /^\/api\/v1\/dashboard\/study_progress$/,
    () => ({ total_words_studied: totals().studied, total_available_words: sql.wordCount.get() }),
  ],
  ['GET', /^\/api\/v1\/dashboard\/forecast$/, (_, q) => forecast(q)],
  ['GET', /^\/api\/v1\/reviews$/, (_, q) => reviews(q)],
  ['GET', /^\/api\/v1\/reviews\/queue$/, (_, q) => queue(q)],
  [
    'POST',
    /^\/api\/v1\/study_sessions\/(\d+)\/words\/(\d+)\/review$/,
    // `begin immediate`, as the portal's: a transaction that reads before it writes cannot wait for another
    // process's write (SQLite refuses it as busy at once).
    ([id, wordId], _, body) => answer.immediate(id, wordId, (JSON.parse(body) as { correct: boolean }).correct),
  ],
  [
    'POST',
    /^\/api\/v1\/study_sessions\/(\d+)\/answers$/,
    ([id], _, body) =>
      answers.immediate(id, (JSON.parse(body) as { answers: { word_id: number; correct: boolean }[] }).answers),
  ],
];

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function handle(request: IncomingMessage, response: ServerResponse, body: string): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(url.pathname);
    if (match && request.method === method) {
      try {
        send(response, method === 'POST' ? 201 : 200, handler(match.slice(1).map(Number), url.searchParams, body));
      } catch (error) {
        send(response, error instanceof NotFound ? 404 : 422, { detail: String(error) });
      }
      return;
    }
  }
  send(response, 404, { detail: 'Not found' });
}

const server = createServer((request, response) => {
  if (request.method === 'POST') {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString()));
  } else {
    handle(request, response, '');
  }
});
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`baseline listening on ${process.env.PORT ?? 3001}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => server.close(() => (db.close(), process.exit(0))));
}

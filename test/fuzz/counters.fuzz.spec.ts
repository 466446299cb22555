import fc from 'fast-check';
import type { Test } from 'supertest';
import { instantOf } from '../../src/database/dialect.js';
import { clearDatabase, countRows, sql } from '../api.js';
import { useTestApp } from '../app.js';
import { expectStoredFiguresMatchLog, portal } from '../fixtures.js';
import { referenceCard, SRS_SETTINGS } from '../fsrs-reference.js';

/**
 * Random sequences of the writes that move a counter or a summary of the review log: answers in and out of
 * sessions, one by one and in batches, retried with their Idempotency-Key, dated in the past; memberships; forced
 * deletes of words and groups; the history reset. After each sequence the log holds exactly the answers recorded and
 * not deleted since, every stored figure equals what the log says, and every card is its word's answers replayed by
 * ts-fsrs. The e2e tests check each write in scenarios of their own; this checks them in orders nobody wrote down, on
 * both databases. `COUNTERS_RUNS` and `COUNTERS_SEED` run it longer or with other sequences.
 */
const RUNS = Number(process.env.COUNTERS_RUNS ?? 50);
const SEED = Number(process.env.COUNTERS_SEED ?? 20261206);

interface Answer {
  pick: number;
  correct: boolean;
  /** Where in its allowed span the answer is dated: 0 its earliest instant, 1 now. */
  at: number;
}

/**
 * How answers are sent: all at once, each in a request of its own sent before any is answered; a retry carries the
 * first request's Idempotency-Key and must record nothing more.
 */
const SENDINGS = [
  'one by one',
  'all at once',
  'in a batch',
  'one by one, each retried',
  'in a batch, retried',
] as const;
type Sending = (typeof SENDINGS)[number];

type Command =
  | { kind: 'word' }
  | { kind: 'group'; picks: number[] }
  | { kind: 'join'; group: number; picks: number[] }
  | { kind: 'leave'; group: number; pick: number }
  | { kind: 'session'; group: number }
  | { kind: 'session answers'; session: number; answers: Answer[]; sending: Sending }
  | { kind: 'answers outside sessions'; answers: Answer[]; sending: Sending }
  | { kind: 'forced word delete'; pick: number }
  | { kind: 'forced group delete'; group: number }
  | { kind: 'history reset' };

const index = fc.nat(1000);
const answers = fc.array(
  fc.record({ pick: index, correct: fc.boolean(), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  {
    minLength: 1,
    maxLength: 6,
  },
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'word' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('group' as const), picks: fc.array(index, { maxLength: 4 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      group: index,
      picks: fc.array(index, { minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), group: index, pick: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('session' as const), group: index }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('session answers' as const),
      session: index,
      answers,
      sending: fc.constantFrom(...SENDINGS),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('answers outside sessions' as const),
      answers,
      sending: fc.constantFrom(...SENDINGS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forced word delete' as const), pick: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forced group delete' as const), group: index }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'history reset' as const }) },
);

const DAY = 24 * 60 * 60 * 1000;
const pick = <T>(list: T[], n: number): T => list[n % list.length];

describe('counters and summaries after random sequences of writes', () => {
  const t = useTestApp(SRS_SETTINGS);
  const client = portal(t);

  /** What the writes made so far: the words, each group's members, the sessions, the answers (word and session). */
  interface Written {
    words: number[];
    groups: Map<number, Set<number>>;
    sessions: { id: number; group: number; start: number }[];
    answers: string[];
  }

  /** Numbers the words, groups and Idempotency-Keys, unique across the runs. */
  let serial = 0;

  async function run(state: Written, step: Command): Promise<void> {
    const groupIds = [...state.groups.keys()];
    const now = Date.now();
    switch (step.kind) {
      case 'word': {
        serial += 1;
        state.words.push((await client.createWord({ thai: `คำ ${serial}`, english: `word ${serial}` })).id);
        return;
      }
      case 'group': {
        serial += 1;
        const members = state.words.length === 0 ? [] : step.picks.map((n) => pick(state.words, n));
        const group = await client.createGroup(`Group ${serial}`, members);
        state.groups.set(group.id, new Set(members));
        return;
      }
      case 'join': {
        if (groupIds.length === 0 || state.words.length === 0) return;
        const group = pick(groupIds, step.group);
        const members = step.picks.map((n) => pick(state.words, n));
        await client.post(`/groups/${group}/words`, { word_ids: members }).expect(200);
        members.forEach((word) => state.groups.get(group)!.add(word));
        return;
      }
      case 'leave': {
        if (groupIds.length === 0) return;
        const group = pick(groupIds, step.group);
        const members = [...state.groups.get(group)!];
        if (members.length === 0) return;
        const word = pick(members, step.pick);
        await client.delete(`/groups/${group}/words/${word}`).expect(204);
        state.groups.get(group)!.delete(word);
        return;
      }
      case 'session': {
        if (groupIds.length === 0) return;
        const group = pick(groupIds, step.group);
        const session = await client.createSession(group);
        state.sessions.push({ id: session.id, group, start: Date.parse(session.start_time) });
        return;
      }
      case 'session answers': {
        if (state.sessions.length === 0) return;
        const session = pick(state.sessions, step.session);
        const members = [...state.groups.get(session.group)!];
        if (members.length === 0) return;
        const list = step.answers.map((answer) => ({
          word_id: pick(members, answer.pick),
          correct: answer.correct,
          reviewed_at: new Date(session.start + Math.floor(answer.at * (now - session.start))).toISOString(),
        }));
        await record(state, session.id, `/study_sessions/${session.id}/answers`, list, step.sending, (one) =>
          client.post(`/study_sessions/${session.id}/words/${one.word_id}/review`, {
            correct: one.correct,
            reviewed_at: one.reviewed_at,
          }),
        );
        return;
      }
      case 'answers outside sessions': {
        if (state.words.length === 0) return;
        // Up to 40 days back, in any order: older than a word's last answer, other days and quarter hours.
        const list = step.answers.map((answer) => ({
          word_id: pick(state.words, answer.pick),
          correct: answer.correct,
          reviewed_at: new Date(now - Math.floor((1 - answer.at) * 40 * DAY)).toISOString(),
        }));
        await record(state, null, '/reviews/batch', list, step.sending, (one) => client.post('/reviews', one));
        return;
      }
      case 'forced word delete': {
        if (state.words.length === 0) return;
        const word = pick(state.words, step.pick);
        await client.delete(`/words/${word}?force=true`).expect(204);
        state.words = state.words.filter((id) => id !== word);
        state.groups.forEach((members) => members.delete(word));
        state.answers = state.answers.filter((answer) => !answer.startsWith(`${word} `));
        return;
      }
      case 'forced group delete': {
        if (groupIds.length === 0) return;
        const group = pick(groupIds, step.group);
        await client.delete(`/groups/${group}?force=true`).expect(204);
        state.groups.delete(group);
        const gone = new Set(state.sessions.filter((session) => session.group === group).map(({ id }) => ` ${id}`));
        state.answers = state.answers.filter((answer) => !gone.has(answer.slice(answer.indexOf(' '))));
        state.sessions = state.sessions.filter((session) => session.group !== group);
        return;
      }
      case 'history reset': {
        await client.post('/reset_history', { confirm: 'reset_history' }).expect(200);
        state.sessions = [];
        state.answers = [];
        return;
      }
    }
  }

  /** The answers in one batch request, or each in a request of its own; a retried request is sent twice. */
  async function record<A extends { word_id: number }>(
    state: Written,
    session: number | null,
    batchPath: string,
    list: A[],
    sending: Sending,
    single: (answer: A) => Test,
  ): Promise<void> {
    const send = async (request: () => Test) => {
      if (!sending.endsWith('retried')) {
        await request().expect(201);
        return;
      }
      serial += 1;
      const first = await request().set('Idempotency-Key', `key ${serial}`).expect(201);
      const again = await request().set('Idempotency-Key', `key ${serial}`).expect(201);
      expect(again.body).toEqual(first.body);
    };
    if (sending.startsWith('in a batch')) {
      await send(() => client.post(batchPath, { answers: list }));
    } else if (sending === 'all at once') {
      await Promise.all(list.map((answer) => send(() => single(answer))));
    } else {
      for (const answer of list) {
        await send(() => single(answer));
      }
    }
    state.answers.push(...list.map((answer) => `${answer.word_id} ${session}`));
  }

  /** A figure as both databases give it: a count as a number, an instant in ms (never NaN: that would equal NaN). */
  function comparable(value: unknown, instant = false): number | null {
    const figure = instant ? (instantOf(value as string | number | null)?.getTime() ?? null) : Number(value);
    if (Number.isNaN(figure)) {
      throw new Error(`${String(value)} is not a ${instant ? 'time' : 'number'}`);
    }
    return figure;
  }

  async function expectEveryFigureFromTheLog(recorded: string[]): Promise<void> {
    await expectStoredFiguresMatchLog(t);

    const groupCounts = await sql<{
      id: number;
      words_count: unknown;
      members: unknown;
      sessions_count: unknown;
      sessions: unknown;
    }>(
      t,
      `select g.id, g.words_count, (select count(*) from words_groups m where m.group_id = g.id) as members,
              g.study_sessions_count as sessions_count, (select count(*) from study_sessions s where s.group_id = g.id) as sessions
         from groups g order by g.id`,
    );
    expect(groupCounts.map((g) => [g.id, Number(g.words_count), Number(g.sessions_count)])).toEqual(
      groupCounts.map((g) => [g.id, Number(g.members), Number(g.sessions)]),
    );

    const log = await sql<{
      word_id: number;
      study_session_id: number | null;
      correct: unknown;
      reviewed_at: unknown;
      card_state: unknown;
    }>(
      t,
      'select word_id, study_session_id, correct, reviewed_at, card_state from words_review_items order by reviewed_at, id',
    );
    expect(log.map((answer) => `${answer.word_id} ${answer.study_session_id}`).sort()).toEqual([...recorded].sort());
    const right = (answer: { correct: unknown }) => answer.correct === true || Number(answer.correct) === 1;

    const [totals] = await sql<{ answers: unknown; correct: unknown; studied_words: unknown }>(
      t,
      'select answers, correct, studied_words from answer_totals',
    );
    expect(totals ? [totals.answers, totals.correct, totals.studied_words].map(Number) : [0, 0, 0]).toEqual([
      log.length,
      log.filter(right).length,
      new Set(log.map((answer) => answer.word_id)).size,
    ]);

    // Every time zone's days are whole UTC quarter hours: the per-day figures are sums of these.
    const quarters = new Map<number, [answers: number, inReview: number, rightInReview: number]>();
    for (const answer of log) {
      const quarter = Math.floor(comparable(answer.reviewed_at, true)! / (15 * 60 * 1000));
      const figures = quarters.get(quarter) ?? [0, 0, 0];
      const inReview = Number(answer.card_state) === 2;
      quarters.set(quarter, [
        figures[0] + 1,
        figures[1] + Number(inReview),
        figures[2] + Number(inReview && right(answer)),
      ]);
    }
    const stored = await sql<{ quarter: unknown; answers: unknown; review_answers: unknown; review_correct: unknown }>(
      t,
      `select quarter, answers, review_answers, review_correct from answer_quarter_hours
        where answers <> 0 or review_answers <> 0 or review_correct <> 0 order by quarter`,
    );
    expect(stored.map((row) => [row.quarter, row.answers, row.review_answers, row.review_correct].map(Number))).toEqual(
      [...quarters].sort(([a], [b]) => a - b).map(([quarter, figures]) => [quarter, ...figures]),
    );

    // Each word's card is its answers replayed (after deletes and answers dated before others too), as the schedule
    // gives it (whose read recomputes the stale cards) and as stored; and each answer holds its card's state before it.
    const states = ['new', 'learning', 'review', 'relearning'];
    const words = await sql<{ id: number }>(t, 'select id from words order by id');
    for (const { id: word } of words) {
      const history = log
        .filter((answer) => answer.word_id === word)
        .map((answer) => ({ correct: right(answer), at: new Date(comparable(answer.reviewed_at, true)!) }));
      const { card } = (await client.get(`/words/${word}/schedule`).expect(200)).body;
      if (history.length === 0) {
        expect({ word, card }).toMatchObject({ word, card: { state: 'new', reps: 0, last_review: null } });
        expect({ word, cards: await countRows(t, 'cards', 'word_id = ?', [word]) }).toEqual({ word, cards: 0 });
        continue;
      }
      const expected = referenceCard(history);
      const fields = {
        word,
        state: states[expected.state],
        due: expected.due.getTime(),
        stability: expected.stability,
        difficulty: expected.difficulty,
        reps: expected.reps,
        lapses: expected.lapses,
        last_review: expected.last_review!.getTime(),
      };
      expect({ ...card, word, due: Date.parse(card.due), last_review: Date.parse(card.last_review) }).toEqual({
        ...fields,
        retrievability: card.retrievability,
      });
      const [stored] = await sql<Record<string, unknown>>(
        t,
        'select state, due, stability, difficulty, reps, lapses, last_review, stale from cards where word_id = ?',
        [word],
      );
      expect(
        stored && {
          word,
          state: states[Number(stored.state)],
          due: comparable(stored.due, true),
          stability: Number(stored.stability),
          difficulty: Number(stored.difficulty),
          reps: Number(stored.reps),
          lapses: Number(stored.lapses),
          last_review: comparable(stored.last_review, true),
          stale: Boolean(stored.stale),
        },
      ).toEqual({ ...fields, stale: false });
      const givenTo = (
        await sql<{ card_state: unknown }>(
          t,
          'select card_state from words_review_items where word_id = ? order by reviewed_at, id',
          [word],
        )
      ).map((answer) => Number(answer.card_state));
      expect({ word, givenTo }).toEqual({
        word,
        givenTo: history.map((_, index) => (index === 0 ? 0 : referenceCard(history.slice(0, index)).state)),
      });
    }

    // A session's answers are its study activities too.
    const activities = await sql<{ session_id: number; word_id: number; correct: unknown }>(
      t,
      'select session_id, word_id, correct from study_activities',
    );
    expect(activities.map((row) => `${row.session_id} ${row.word_id} ${right(row)}`).sort()).toEqual(
      log
        .filter((answer) => answer.study_session_id !== null)
        .map((answer) => `${answer.study_session_id} ${answer.word_id} ${right(answer)}`)
        .sort(),
    );
  }

  it(
    `keeps every figure equal to the log over ${RUNS} random sequences`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 30 }), async (steps) => {
          await clearDatabase(t);
          const state: Written = { words: [], groups: new Map(), sessions: [], answers: [] };
          for (const step of steps) {
            await run(state, step);
          }
          await expectEveryFigureFromTheLog(state.answers);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    60_000 + RUNS * 4_000,
  );
});

import { MikroORM } from '@mikro-orm/sql';
import { ormConfig } from '../../mikro-orm.config.js';
import { validateEnvironment } from '../../src/config.js';
import { asInteger, dialect, quarterHour } from '../../src/database/dialect.js';
import { migrations } from '../../database/migrations/index.js';
import { freshDatabase } from '../postgres.js';

const QUARTER = 15 * 60 * 1000;

/** SQL for the instant `ms` epoch milliseconds, as the database stores timestamps. */
const at = (ms: number) => (dialect.name === 'sqlite' ? `${ms}` : `to_timestamp(${ms / 1000})`);

/** What the summaries must hold: the same figures computed from the log itself. */
async function fromLog(orm: MikroORM) {
  const em = orm.em.fork();
  const [totals] = await em.execute(
    `select count(*) as answers, coalesce(sum(${asInteger('correct')}), 0) as correct,
       count(distinct word_id) as studied_words
     from words_review_items`,
  );
  const inReview = 'coalesce(card_state, 0) = 2';
  const quarters = await em.execute(
    `select ${quarterHour.sql('reviewed_at')} as quarter, count(*) as answers,
       sum(${asInteger(inReview)}) as review_answers, sum(${asInteger(`${inReview} and correct`)}) as review_correct
     from words_review_items group by 1 order by 1`,
  );
  return { totals: totals.answers === 0 ? [] : [{ id: 1, ...totals }], quarters };
}

async function summaries(orm: MikroORM) {
  const em = orm.em.fork();
  return {
    totals: await em.execute('select id, answers, correct, studied_words from answer_totals where answers > 0'),
    quarters: await em.execute(
      'select quarter, answers, review_answers, review_correct from answer_quarter_hours where answers > 0 order by quarter',
    ),
  };
}

describe('the summaries of the review log', () => {
  let orm: MikroORM;
  beforeEach(async () => {
    // A database of the test's own: in memory, or on PostgreSQL a fresh copy of the migrated template.
    const database =
      dialect.name === 'sqlite' ? { DATABASE_PATH: ':memory:' } : { DATABASE_URL: await freshDatabase() };
    orm = await MikroORM.init({
      ...ormConfig({ ...validateEnvironment(process.env), ...database }),
      logger: () => undefined,
    });
  });
  afterEach(() => orm.close());

  const insertWords = (ids: number[]) =>
    orm.em
      .fork()
      .execute(
        `insert into words (id, thai, english, parts, correct_count, wrong_count, created_at, updated_at) values ${ids
          .map((id) => `(${id}, 'คำ${id}', 'word ${id}', '{}', 0, 0, ${at(0)}, ${at(0)})`)
          .join(', ')}`,
      );

  // SQLite's migrations only: PostgreSQL's schema is one migration, made when there was no log to fill them from.
  (dialect.name === 'sqlite' ? it : it.skip)(
    'are filled from the log by their migration, and answered words get a stale card to compute',
    async () => {
      const cards = migrations.findIndex((migration) => migration.name === 'Migration20261130110000_cards');
      await orm.migrator.up({ to: migrations[cards - 1].name });
      await insertWords([1, 2, 3]);
      await orm.em.fork().execute(
        `insert into words_review_items (word_id, correct, reviewed_at, created_at) values
         (1, 1, ${QUARTER * 10}, 0), (1, 0, ${QUARTER * 10 + 5}, 0), (2, 1, ${QUARTER * 11}, 0)`,
      );

      await orm.migrator.up();

      expect(await summaries(orm)).toEqual({
        totals: [{ id: 1, answers: 3, correct: 2, studied_words: 2 }],
        quarters: [
          { quarter: 10, answers: 2, review_answers: 0, review_correct: 0 },
          { quarter: 11, answers: 1, review_answers: 0, review_correct: 0 },
        ],
      });
      expect(await orm.em.fork().execute('select word_id, stale from cards order by word_id')).toEqual([
        { word_id: 1, stale: 1 },
        { word_id: 2, stale: 1 },
      ]);
    },
  );

  (dialect.name === 'sqlite' ? it : it.skip)(
    'are counted again before 1970 by their migration, in the quarter hours that hold those answers',
    async () => {
      const rounded = migrations.findIndex((migration) => migration.name.endsWith('_quarters_before_1970'));
      await orm.migrator.up({ to: migrations[rounded - 1].name });
      await insertWords([1, 2]);
      // Rounded toward zero, the first two were counted in the quarter hours 0 and -1.
      await orm.em.fork().execute(
        `insert into words_review_items (word_id, correct, reviewed_at, card_state, created_at) values
         (1, 1, -1, 2, 0), (2, 0, ${-QUARTER - 1}, 2, 0), (1, 1, 5, null, 0), (2, 1, ${QUARTER * 2}, 2, 0)`,
      );

      await orm.migrator.up();

      expect((await summaries(orm)).quarters).toEqual([
        { quarter: -2, answers: 1, review_answers: 1, review_correct: 0 },
        { quarter: -1, answers: 1, review_answers: 1, review_correct: 1 },
        { quarter: 0, answers: 1, review_answers: 0, review_correct: 0 },
        { quarter: 2, answers: 1, review_answers: 1, review_correct: 1 },
      ]);
    },
  );

  it('count an answer before 1970 in the quarter hour that holds it, as after', async () => {
    await orm.migrator.up();
    await insertWords([1]);
    const em = orm.em.fork();
    await em.execute(
      `insert into words_review_items (word_id, correct, reviewed_at, created_at) values
       (1, true, ${at(-1)}, ${at(0)}), (1, false, ${at(-QUARTER)}, ${at(0)}), (1, true, ${at(-QUARTER - 1)}, ${at(0)}),
       (1, true, ${at(0)}, ${at(0)})`,
    );
    expect((await summaries(orm)).quarters).toEqual([
      { quarter: -2, answers: 1, review_answers: 0, review_correct: 0 },
      { quarter: -1, answers: 2, review_answers: 0, review_correct: 0 },
      { quarter: 0, answers: 1, review_answers: 0, review_correct: 0 },
    ]);
    await em.execute(`update words_review_items set card_state = 2 where reviewed_at < ${at(0)}`);
    expect((await summaries(orm)).quarters.slice(0, 2)).toEqual([
      { quarter: -2, answers: 1, review_answers: 1, review_correct: 1 },
      { quarter: -1, answers: 2, review_answers: 2, review_correct: 1 },
    ]);
    await em.execute(`delete from words_review_items where reviewed_at = ${at(-QUARTER)}`);
    expect(await summaries(orm)).toEqual(await fromLog(orm));
  });

  it('follow every insert, card state change and delete (a cascade too) in the database', async () => {
    await orm.migrator.up();
    await insertWords([1, 2, 3]);
    const em = orm.em.fork();
    const expectExact = async () => expect(await summaries(orm)).toEqual(await fromLog(orm));

    await em.execute(
      `insert into words_review_items (word_id, correct, reviewed_at, card_state, created_at) values
       (1, true, ${at(QUARTER * 3 + 1)}, null, ${at(0)}), (1, true, ${at(QUARTER * 3 + 2)}, 2, ${at(0)}),
       (2, false, ${at(QUARTER * 4)}, 2, ${at(0)}), (3, true, ${at(QUARTER * 4 + 7)}, 1, ${at(0)}),
       (3, false, ${at(QUARTER * 90)}, 2, ${at(0)})`,
    );
    await expectExact();
    await em.execute('update words_review_items set card_state = 2 where word_id = 1');
    await em.execute('update words_review_items set card_state = 1 where word_id = 2');
    await expectExact();
    await em.execute('delete from words_review_items where word_id = 3 and not correct');
    await expectExact();
    await em.execute('delete from words where id = 1');
    await expectExact();
    await em.execute('delete from words_review_items');
    await expectExact();
    expect((await summaries(orm)).totals).toEqual([]);
  });

  /**
   * Words 1 to 4, groups 1 and 2, sessions 1 and 2 of group 1 and 3 of group 2, and a card for each word; `answer`
   * inserts answers ([word, session, correct, minute], session 0 none) in one statement, and `expectExact` compares
   * every word's, session's and group's counters, studied words and last answer, and the summaries, with the log.
   */
  async function sessionsOfGroups() {
    await orm.migrator.up();
    await insertWords([1, 2, 3, 4]);
    const em = orm.em.fork();
    await em.execute(
      `insert into groups (id, name, name_folded, created_at, updated_at)
       values (1, 'One', 'one', ${at(0)}, ${at(0)}), (2, 'Two', 'two', ${at(0)}, ${at(0)})`,
    );
    await em.execute(
      `insert into study_sessions (id, group_id, created_at) values (1, 1, ${at(0)}), (2, 1, ${at(0)}), (3, 2, ${at(0)})`,
    );
    await em.execute(
      `insert into cards (word_id, due, stability, difficulty, elapsed_days, scheduled_days, learning_steps, reps, lapses,
         state, last_review, first_review) values ${[1, 2, 3, 4]
           .map((word) => `(${word}, ${at(0)}, 1, 5, 0, 0, 0, 1, 0, 2, ${at(0)}, ${at(0)})`)
           .join(', ')}`,
    );
    const groupOf = (session: number) => (session === 0 ? 'null' : session === 3 ? '2' : '1');
    const answer = (answers: (readonly [number, number, boolean, number])[]) =>
      em.execute(
        `insert into words_review_items (word_id, study_session_id, group_id, correct, reviewed_at, created_at) values ${answers
          .map(
            ([word, session, correct, minute]) =>
              `(${word}, ${session || 'null'}, ${groupOf(session)}, ${correct}, ${at(minute * 60_000)}, ${at(0)})`,
          )
          .join(', ')}`,
      );
    const counters = (table: string, columns: string) => em.execute(`select id, ${columns} from ${table} order by id`);
    // Each row's counters as the log gives them, beside the stored ones.
    const fromTheLog = (table: string, key: string, more = '') =>
      em.execute(
        `select t.id, count(r.id) as review_items_count, coalesce(sum(${asInteger('r.correct')}), 0) as correct_count${more},
           max(r.reviewed_at) as last_reviewed_at
         from ${table} t left join words_review_items r on r.${key} = t.id group by t.id order by t.id`,
      );
    const expectExact = async () => {
      const words = await fromTheLog('words', 'word_id');
      expect(await counters('words', 'correct_count, wrong_count, last_reviewed_at')).toEqual(
        words.map(({ id, review_items_count, correct_count, last_reviewed_at }) => ({
          id,
          correct_count,
          wrong_count: review_items_count - correct_count,
          last_reviewed_at,
        })),
      );
      expect(await counters('study_sessions', 'review_items_count, correct_count, last_reviewed_at')).toEqual(
        await fromTheLog('study_sessions', 'study_session_id'),
      );
      expect(
        await counters('groups', 'review_items_count, correct_count, studied_word_count, last_reviewed_at'),
      ).toEqual(await fromTheLog('groups', 'group_id', ', count(distinct r.word_id) as studied_word_count'));
      expect(await summaries(orm)).toEqual(await fromLog(orm));
    };
    return { em, answer, expectExact };
  }

  it('count every answer a statement inserts into its word, its session and its group, a first answer once', async () => {
    const { answer, expectExact } = await sessionsOfGroups();

    // Word 1 twice in session 1, and in session 2 of the same group: one studied word of group 1.
    await answer([
      [1, 1, true, 30],
      [1, 1, false, 10],
      [1, 2, true, 20],
      [2, 0, true, 40],
    ]);
    await expectExact();
    // Words answered before (1 in group 1, 2 outside any group) and not (3), older and newer than the last answers.
    await answer([
      [2, 1, false, 5],
      [1, 1, true, 50],
      [3, 3, true, 45],
      [1, 3, false, 1],
      [3, 3, false, 60],
      [4, 0, true, 2],
    ]);
    await expectExact();
    await answer([[4, 2, false, 70]]);
    await expectExact();
  });

  it('count every answer a statement deletes out of its word, its session and its group, and mark its card stale', async () => {
    const { em, answer, expectExact } = await sessionsOfGroups();
    // Word 1 is answered in every session and outside them.
    await answer([
      [1, 1, true, 10],
      [1, 1, false, 20],
      [2, 1, true, 30],
      [1, 2, true, 40],
      [3, 2, false, 50],
      [1, 3, true, 60],
      [2, 3, false, 70],
      [4, 0, true, 80],
      [1, 0, false, 90],
    ]);
    await expectExact();

    // The newest answer of word 1 and of session 2, and the only one of word 3 (in session 2 and group 1).
    await em.execute(
      `delete from words_review_items where reviewed_at in (${[20, 50, 90].map((m) => at(m * 60_000))})`,
    );
    await expectExact();
    expect(await em.execute('select word_id, stale from cards order by word_id')).toEqual(
      [true, false, true, false].map((stale, index) => ({
        word_id: index + 1,
        stale: dialect.name === 'sqlite' ? Number(stale) : stale,
      })),
    );
    await em.execute('delete from study_sessions where id = 1');
    await expectExact();
    await em.execute('delete from words where id = 2');
    await expectExact();
    await em.execute('delete from groups where id = 2');
    await expectExact();
    await em.execute('delete from words_review_items');
    await expectExact();
  });
});

import { RequestContext } from '@mikro-orm/core';
import type { ConfigService } from '@nestjs/config';
import type { Environment } from '../../src/config.js';
import { DashboardService } from '../../src/dashboard/dashboard.service.js';
import { dayIn, dayPlus, startOfDayIn } from '../../src/core/calendar.js';
import { studyStreak } from '../../bench/streak.js';
import { walkStreak } from '../../src/dashboard/streak.js';
import { CardsService } from '../../src/reviews/cards.service.js';
import { ReviewItem } from '../../src/reviews/review-item.entity.js';
import { ReviewsService, type Span } from '../../src/reviews/reviews.service.js';
import { StudySessionsService } from '../../src/study-sessions/study-sessions.service.js';
import { Word } from '../../src/words/word.entity.js';
import { WordsService } from '../../src/words/words.service.js';
import { closeTestApp, createTestApp, type TestApp } from '../app.js';

const at = (iso: string) => new Date(iso);
const streak = (reviews: string[], now: string, timeZone = 'UTC') => studyStreak(reviews.map(at), at(now), timeZone);

describe('dayIn', () => {
  it.each([
    ['UTC', '2026-11-24T00:00:00.000Z', '2026-11-24'],
    ['UTC', '2026-11-24T23:59:59.999Z', '2026-11-24'],
    // 23:30 in Bangkok (+07:00) is 16:30Z; 00:00 the next Bangkok day is 17:00Z.
    ['Asia/Bangkok', '2026-11-24T16:30:00.000Z', '2026-11-24'],
    ['Asia/Bangkok', '2026-11-24T16:59:59.999Z', '2026-11-24'],
    ['Asia/Bangkok', '2026-11-24T17:00:00.000Z', '2026-11-25'],
    // 02:00Z on the 25th is still the evening of the 24th in Los Angeles (-08:00 in November).
    ['America/Los_Angeles', '2026-11-25T02:00:00.000Z', '2026-11-24'],
    ['America/Los_Angeles', '2026-11-25T08:00:00.000Z', '2026-11-25'],
    // Kathmandu is +05:45: its day starts at 18:15Z.
    ['Asia/Kathmandu', '2026-11-24T18:14:59.999Z', '2026-11-24'],
    ['Asia/Kathmandu', '2026-11-24T18:15:00.000Z', '2026-11-25'],
    // New York on 2026-03-08 (clocks go from 02:00 EST to 03:00 EDT): the day is 23 hours, 05:00Z to 04:00Z.
    ['America/New_York', '2026-03-08T04:59:59.999Z', '2026-03-07'],
    ['America/New_York', '2026-03-08T05:00:00.000Z', '2026-03-08'],
    ['America/New_York', '2026-03-09T03:59:59.999Z', '2026-03-08'],
    ['America/New_York', '2026-03-09T04:00:00.000Z', '2026-03-09'],
    // Years below 1000, which the formatter writes with fewer digits: Bangkok kept its local mean time, +06:42:04.
    ['UTC', '0001-01-01T00:00:00.000Z', '0001-01-01'],
    ['Asia/Bangkok', '0050-06-01T17:17:55.999Z', '0050-06-01'],
    ['Asia/Bangkok', '0999-12-31T17:17:56.000Z', '1000-01-01'],
  ])('in %s, %s is on %s', (timeZone, instant, day) => {
    expect(dayIn(timeZone, at(instant))).toBe(day);
  });
});

describe('dayPlus', () => {
  it.each([
    ['2026-11-25', '2026-11-24'],
    ['2026-03-01', '2026-02-28'],
    ['2028-03-01', '2028-02-29'],
    ['2100-03-01', '2100-02-28'],
    ['2000-03-01', '2000-02-29'],
    ['2026-05-01', '2026-04-30'],
    ['2027-01-01', '2026-12-31'],
    ['2026-03-09', '2026-03-08'],
  ])('the day before %s is %s', (day, before) => {
    expect(dayPlus(day, -1)).toBe(before);
    expect(dayPlus(before, 1)).toBe(day);
  });
});

describe('startOfDayIn', () => {
  it.each([
    ['UTC', '2026-11-24', '2026-11-24T00:00:00.000Z'],
    ['Asia/Bangkok', '2026-11-25', '2026-11-24T17:00:00.000Z'],
    ['America/Los_Angeles', '2026-11-25', '2026-11-25T08:00:00.000Z'],
    ['Asia/Kathmandu', '2026-11-25', '2026-11-24T18:15:00.000Z'],
    // New York's 23-hour day and the day after it, which starts on daylight time.
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z'],
    ['America/New_York', '2026-03-09', '2026-03-09T04:00:00.000Z'],
    // Santiago skips its midnight when it starts summer time (2026-09-06 starts at 01:00 -03:00).
    ['America/Santiago', '2026-09-06', '2026-09-06T04:00:00.000Z'],
    // Amman set its clocks back from 01:00 (+03:00) to 00:00 (+02:00) on 2021-10-29: the day starts at the first
    // midnight, an hour before the second.
    ['Asia/Amman', '2021-10-29', '2021-10-28T21:00:00.000Z'],
    // Monrovia moved from -00:44:30 to UTC at midnight on 1972-01-07: a gap of less than an hour.
    ['Africa/Monrovia', '1972-01-07', '1972-01-07T00:44:30.000Z'],
    // Toronto jumped from 23:30 (-05:00) to 00:30 (-04:00) on 1919-03-31: the day starts at the jump, before midnight
    // in either offset.
    ['America/Toronto', '1919-03-31', '1919-03-31T04:30:00.000Z'],
    // Casey set its clocks back from 02:00 (+11:00) to 23:00 (+08:00) the day before on 2010-03-05: the day starts at
    // the first of its two midnights, three hours before the second.
    ['Antarctica/Casey', '2010-03-05', '2010-03-04T13:00:00.000Z'],
    // Years below 100, which Date.UTC takes for 19xx.
    ['Asia/Bangkok', '0050-06-02', '0050-06-01T17:17:56.000Z'],
    ['UTC', '0001-01-02', '0001-01-02T00:00:00.000Z'],
  ])('in %s, %s starts at %s', (timeZone, day, instant) => {
    expect(startOfDayIn(timeZone, day).toISOString()).toBe(instant);
    expect(dayIn(timeZone, startOfDayIn(timeZone, day))).toBe(day);
    expect(dayIn(timeZone, new Date(startOfDayIn(timeZone, day).getTime() - 1))).toBe(dayPlus(day, -1));
  });

  it('gives a day the clocks skip whole no time: Samoa went from 2011-12-29 to 2011-12-31 (-10:00 to +14:00)', () => {
    const skipped = startOfDayIn('Pacific/Apia', '2011-12-30');
    expect(skipped.toISOString()).toBe('2011-12-30T10:00:00.000Z');
    expect(startOfDayIn('Pacific/Apia', '2011-12-31')).toEqual(skipped);
    expect(dayIn('Pacific/Apia', new Date(skipped.getTime() - 1))).toBe('2011-12-29');
  });
});

describe('studyStreak', () => {
  it('is 0 without reviews', () => {
    expect(streak([], '2026-11-24T12:00:00Z')).toBe(0);
  });

  it('counts consecutive days ending today, however many reviews a day has', () => {
    const reviews = [
      '2026-11-22T08:00:00Z',
      '2026-11-23T08:00:00Z',
      '2026-11-23T09:00:00Z',
      '2026-11-24T00:00:00Z',
      '2026-11-24T11:59:00Z',
    ];
    expect(streak(reviews, '2026-11-24T12:00:00Z')).toBe(3);
  });

  it('ends yesterday when nothing was reviewed yet today', () => {
    expect(streak(['2026-11-22T08:00:00Z', '2026-11-23T23:59:59.999Z'], '2026-11-24T00:00:00Z')).toBe(2);
  });

  it('is 0 when the last review was two days ago', () => {
    expect(streak(['2026-11-21T08:00:00Z', '2026-11-22T23:59:59.999Z'], '2026-11-24T00:00:00Z')).toBe(0);
  });

  it('stops at a gap', () => {
    const reviews = ['2026-11-19T08:00:00Z', '2026-11-20T08:00:00Z', '2026-11-22T08:00:00Z', '2026-11-23T08:00:00Z'];
    expect(streak([...reviews, '2026-11-24T08:00:00Z'], '2026-11-24T12:00:00Z')).toBe(3);
    expect(streak(reviews, '2026-11-24T12:00:00Z')).toBe(2);
  });

  it('ignores the order of the reviews and reviews after now', () => {
    const reviews = ['2026-11-24T08:00:00Z', '2026-11-22T08:00:00Z', '2026-11-23T08:00:00Z'];
    expect(streak(reviews, '2026-11-24T12:00:00Z')).toBe(3);
    expect(streak([...reviews, '2026-11-26T08:00:00Z'], '2026-11-24T12:00:00Z')).toBe(3);
  });

  it('counts the days on both sides of midnight', () => {
    expect(streak(['2026-11-23T23:59:59.999Z', '2026-11-24T00:00:00.000Z'], '2026-11-24T00:00:01Z')).toBe(2);
  });

  it.each([
    [
      'a month end',
      ['2026-04-29T10:00:00Z', '2026-04-30T10:00:00Z', '2026-05-01T10:00:00Z'],
      '2026-05-01T12:00:00Z',
      3,
    ],
    [
      'Feb 28 → Mar 1',
      ['2026-02-27T10:00:00Z', '2026-02-28T10:00:00Z', '2026-03-01T10:00:00Z'],
      '2026-03-01T12:00:00Z',
      3,
    ],
    [
      'Feb 28 → Feb 29 → Mar 1 (leap year)',
      ['2028-02-28T10:00:00Z', '2028-02-29T10:00:00Z', '2028-03-01T10:00:00Z'],
      '2028-03-01T12:00:00Z',
      3,
    ],
    ['Feb 28 → Mar 1 skips the leap day', ['2028-02-28T10:00:00Z', '2028-03-01T10:00:00Z'], '2028-03-01T12:00:00Z', 1],
    [
      'Dec 31 → Jan 1',
      ['2026-12-30T10:00:00Z', '2026-12-31T10:00:00Z', '2027-01-01T10:00:00Z'],
      '2027-01-01T12:00:00Z',
      3,
    ],
    ['Dec 31 → Jan 1, ending yesterday', ['2026-12-30T10:00:00Z', '2026-12-31T10:00:00Z'], '2027-01-01T12:00:00Z', 2],
  ])('runs across %s', (_, reviews, now, expected) => {
    expect(streak(reviews, now)).toBe(expected);
  });

  describe('time zones', () => {
    it('counts 23:30 in Bangkok (16:30Z) for that Bangkok day, not the next', () => {
      // Bangkok days 24 and 25 (now is 10:00 on the 25th in Bangkok).
      const reviews = ['2026-11-24T16:30:00Z', '2026-11-25T03:00:00Z'];
      expect(streak(reviews, '2026-11-25T03:00:00Z', 'Asia/Bangkok')).toBe(2);
      // Alone, 23:30 on the 24th is yesterday for the 25th, and two days back for the 26th.
      expect(streak(['2026-11-24T16:30:00Z'], '2026-11-25T03:00:00Z', 'Asia/Bangkok')).toBe(1);
      expect(streak(['2026-11-24T16:30:00Z'], '2026-11-25T17:00:00Z', 'Asia/Bangkok')).toBe(0);
    });

    it('takes days in the configured zone, not in UTC', () => {
      // Both on 2026-11-24 in UTC, but 2026-11-23 and 2026-11-24 in Los Angeles.
      const reviews = ['2026-11-24T01:00:00Z', '2026-11-24T20:00:00Z'];
      const now = '2026-11-24T21:00:00Z';
      expect(streak(reviews, now, 'UTC')).toBe(1);
      expect(streak(reviews, now, 'America/Los_Angeles')).toBe(2);
      // 05:00Z on the 25th is still the 24th in Los Angeles, so the streak goes on "today".
      expect(streak(reviews, '2026-11-25T05:00:00Z', 'America/Los_Angeles')).toBe(2);
      expect(streak(reviews, '2026-11-25T05:00:00Z', 'UTC')).toBe(1);
    });

    it('uses the offset of each date around the DST change in New York (2026-03-08)', () => {
      // 04:30Z on the 8th is 23:30 EST on the 7th; 04:30Z on the 9th is 00:30 EDT on the 9th: nothing on the 8th.
      const reviews = ['2026-03-08T04:30:00Z', '2026-03-09T04:30:00Z'];
      expect(streak(reviews, '2026-03-09T12:00:00Z', 'America/New_York')).toBe(1);
      // 00:00 EST on the 8th (05:00Z) closes the gap.
      expect(streak([...reviews, '2026-03-08T05:00:00Z'], '2026-03-09T12:00:00Z', 'America/New_York')).toBe(3);
      // So does 23:59 EDT on the 8th (03:59Z on the 9th): the 8th has only 23 hours.
      expect(streak([...reviews, '2026-03-09T03:59:00Z'], '2026-03-09T12:00:00Z', 'America/New_York')).toBe(3);
    });

    it('handles the +05:45 quarter-hour offset of Kathmandu', () => {
      // 18:14Z is 23:59 on the 24th, 18:15Z is 00:00 on the 25th in Kathmandu.
      expect(streak(['2026-11-24T18:14:00Z', '2026-11-24T18:15:00Z'], '2026-11-25T06:00:00Z', 'Asia/Kathmandu')).toBe(
        2,
      );
      expect(streak(['2026-11-24T18:00:00Z', '2026-11-24T18:14:59Z'], '2026-11-25T06:00:00Z', 'Asia/Kathmandu')).toBe(
        1,
      );
      // The same instants are all on the 24th in UTC.
      expect(streak(['2026-11-24T18:14:00Z', '2026-11-24T18:15:00Z'], '2026-11-25T06:00:00Z', 'UTC')).toBe(1);
    });
  });
});

/**
 * DashboardService asks the quarter-hour summary (not the log) whether each local day, in whole UTC quarter
 * hours, had a review; that must give the same streak as the exact instants would.
 */
describe('walkStreak, walking back a batch of days at a time', () => {
  /** The batches of days asked about, as the log with a review on each of `days` days up to today would answer. */
  async function batchesAsked(days: number, now: string, timeZone: string) {
    const batches: Span[][] = [];
    const today = startOfDayIn(timeZone, dayIn(timeZone, at(now)));
    const first = startOfDayIn(timeZone, dayPlus(dayIn(timeZone, at(now)), 1 - days));
    const answeredIn = async (spans: Span[]) => {
      batches.push(spans);
      return spans.map(({ start }) => start >= first && start <= today);
    };
    return { streak: await walkStreak(answeredIn, at(now), timeZone), batches };
  }

  /** Which days hold one of the instants, as the log would answer. */
  const answeredAmong =
    (instants: Date[]) =>
    async (days: Span[]): Promise<boolean[]> =>
      days.map(({ start, end }) => instants.some((instant) => instant >= start && instant < end));

  it.each([
    ['UTC', [], '2026-11-24T12:00:00Z'],
    ['UTC', ['2026-11-22T08:00:00Z', '2026-11-23T23:59:59.999Z'], '2026-11-24T00:00:00Z'],
    ['UTC', ['2026-11-21T08:00:00Z', '2026-11-22T23:59:59.999Z'], '2026-11-24T00:00:00Z'],
    [
      'UTC',
      ['2026-11-20T08:00:00Z', '2026-11-22T08:00:00Z', '2026-11-23T08:00:00Z', '2026-11-24T08:00:00Z'],
      '2026-11-24T12:00:00Z',
    ],
    ['UTC', ['2026-11-24T08:00:00Z', '2026-11-26T08:00:00Z'], '2026-11-24T12:00:00Z'],
    ['Asia/Bangkok', ['2026-11-24T16:30:00Z', '2026-11-25T03:00:00Z'], '2026-11-25T03:00:00Z'],
    ['America/Los_Angeles', ['2026-11-24T01:00:00Z', '2026-11-24T20:00:00Z'], '2026-11-25T05:00:00Z'],
    ['America/New_York', ['2026-03-08T04:30:00Z', '2026-03-09T04:30:00Z'], '2026-03-09T12:00:00Z'],
    [
      'America/New_York',
      ['2026-03-08T04:30:00Z', '2026-03-09T03:59:00Z', '2026-03-09T04:30:00Z'],
      '2026-03-09T12:00:00Z',
    ],
    ['America/Santiago', ['2026-09-05T12:00:00Z', '2026-09-06T04:00:00Z'], '2026-09-06T12:00:00Z'],
    ['Asia/Kathmandu', ['2026-11-24T18:14:00Z', '2026-11-24T18:15:00Z'], '2026-11-25T06:00:00Z'],
    ['Asia/Kathmandu', ['2026-11-24T18:00:00Z', '2026-11-24T18:14:59Z'], '2026-11-25T06:00:00Z'],
  ])('in %s, over reviews at %j, seen at %s, counts as studyStreak does', async (timeZone, reviews, now) => {
    const instants = reviews.map(at);
    expect(await walkStreak(answeredAmong(instants), at(now), timeZone)).toBe(studyStreak(instants, at(now), timeZone));
  });

  it('asks 8 days, then 32, 128 and 256 at a time, only while the streak goes on', async () => {
    expect((await batchesAsked(0, '2026-11-24T12:00:00Z', 'UTC')).batches.map((b) => b.length)).toEqual([8]);
    expect((await batchesAsked(8, '2026-11-24T12:00:00Z', 'UTC')).batches.map((b) => b.length)).toEqual([8, 32]);
    const { streak: long, batches } = await batchesAsked(731, '2026-11-24T12:00:00Z', 'UTC');
    expect(long).toBe(731);
    expect(batches.map((batch) => batch.length)).toEqual([8, 32, 128, 256, 256, 256]);
  });

  it.each([
    ['UTC', '2026-11-24T12:00:00Z'],
    ['America/New_York', '2026-11-24T12:00:00Z'],
    // Today is 25 hours long: New York's clocks go back from 02:00 EDT to 01:00 EST.
    ['America/New_York', '2026-11-01T12:00:00Z'],
    ['Asia/Kathmandu', '2026-11-24T12:00:00Z'],
    ['America/Santiago', '2026-11-24T12:00:00Z'],
    ['Pacific/Chatham', '2026-11-24T12:00:00Z'],
  ])(
    'asks about every local day in %s seen at %s once, newest first, each from its first instant to the next day’s',
    async (timeZone, now) => {
      const { streak: days, batches } = await batchesAsked(400, now, timeZone);
      expect(days).toBe(400);
      const spans = batches.flat();
      let day = dayIn(timeZone, at(now));
      for (const span of spans) {
        expect(span.start).toEqual(startOfDayIn(timeZone, day));
        expect(span.end).toEqual(startOfDayIn(timeZone, dayPlus(day, 1)));
        // Whole UTC quarter hours, as the summary counts them.
        expect(span.start.getTime() % (15 * 60 * 1000)).toBe(0);
        day = dayPlus(day, -1);
      }
    },
  );
});

describe('the streak of GET /dashboard/quick_stats, over quarter-hour buckets', () => {
  let t: TestApp;
  let wordId: number;

  beforeAll(async () => {
    t = await createTestApp();
    const em = t.orm.em.fork();
    const word = em.create(Word, { thai: 'น้ำ', english: 'water', parts: {} });
    await em.flush();
    wordId = word.id;
  });
  afterAll(() => closeTestApp(t));

  async function dashboardStreak(timeZone: string, reviews: string[], now: string): Promise<number> {
    const em = t.orm.em.fork();
    await em.nativeDelete(ReviewItem, {});
    for (const reviewedAt of reviews) {
      em.create(ReviewItem, { word: wordId, studySession: null, correct: true, reviewedAt: at(reviewedAt) });
    }
    await em.flush();
    const config = { get: () => timeZone } as unknown as ConfigService<Environment, true>;
    const dashboard = new DashboardService(
      t.app.get(ReviewsService),
      t.app.get(CardsService),
      t.app.get(StudySessionsService),
      t.app.get(WordsService),
      config,
    );
    return (await RequestContext.create(em, () => dashboard.quickStats(at(now)))).study_streak_days;
  }

  it.each([
    // Asia/Kolkata (+05:30): the 24th starts at 18:30Z on the 23rd.
    ['Asia/Kolkata', ['2026-11-23T18:14:00Z', '2026-11-23T18:16:00Z'], '2026-11-24T06:00:00Z', 1],
    ['Asia/Kolkata', ['2026-11-23T18:29:59.999Z', '2026-11-23T18:30:00Z'], '2026-11-24T06:00:00Z', 2],
    // Asia/Kathmandu (+05:45): the 24th starts at 18:15Z on the 23rd.
    ['Asia/Kathmandu', ['2026-11-23T18:14:59.999Z', '2026-11-23T18:16:00Z'], '2026-11-24T06:00:00Z', 2],
    ['Asia/Kathmandu', ['2026-11-23T18:16:00Z'], '2026-11-25T00:00:00Z', 1],
    ['Asia/Kathmandu', ['2026-11-23T18:14:59.999Z'], '2026-11-25T00:00:00Z', 0],
    // Pacific/Chatham (+13:45 in November): the 25th starts at 10:15Z on the 24th.
    ['Pacific/Chatham', ['2026-11-24T10:14:59.999Z', '2026-11-24T10:15:00Z'], '2026-11-24T12:00:00Z', 2],
    // America/New_York around the DST change: 23:30 EST on the 7th and 00:30 EDT on the 9th.
    ['America/New_York', ['2026-03-08T04:30:00Z', '2026-03-09T04:30:00Z'], '2026-03-09T12:00:00Z', 1],
    // Asia/Amman on 2021-10-29, whose first hour was repeated: 00:30 (+03:00) in the first is on the 29th.
    ['Asia/Amman', ['2021-10-28T10:00:00Z', '2021-10-28T21:30:00Z'], '2021-10-29T12:00:00Z', 2],
    ['UTC', ['2026-11-23T23:59:59.999Z', '2026-11-24T00:00:00Z'], '2026-11-24T12:00:00Z', 2],
  ])('in %s, reviews at %j, seen at %s, make a streak of %s', async (timeZone, reviews, now, expected) => {
    expect(streak(reviews, now, timeZone)).toBe(expected);
    expect(await dashboardStreak(timeZone, reviews, now)).toBe(expected);
  });

  /** One review at 23:30 in Bangkok (16:30Z) on each of `days` days up to the 24th, but for `gaps`. */
  const daily = (days: number, gaps: number[] = []) =>
    Array.from({ length: days }, (_, back) => back)
      .filter((back) => !gaps.includes(back))
      .map((back) => new Date(Date.UTC(2026, 10, 24 - back, 16, 30)).toISOString());

  // The service asks about the last 8 days first, then 32, 128 and 256 at a time, while the streak reaches
  // that far; now is already the 25th in Bangkok, so the streak ends yesterday.
  it.each([
    [8, [], 8],
    [9, [], 9],
    [31, [], 31],
    [33, [], 33],
    [40, [35], 35],
    [41, [], 41],
    [200, [], 200],
    [200, [150], 150],
    [169, [168], 168],
    [450, [], 450],
  ])('counts a streak of %s days with gaps %j back as %s days', async (days, gaps, expected) => {
    const reviews = daily(days, gaps);
    expect(streak(reviews, '2026-11-24T20:00:00Z', 'Asia/Bangkok')).toBe(expected);
    expect(await dashboardStreak('Asia/Bangkok', reviews, '2026-11-24T20:00:00Z')).toBe(expected);
  });
});

import { clearDatabase } from '../api.js';
import { useTestApp } from '../app.js';
import { portal } from '../fixtures.js';

// Kathmandu (+05:45, no daylight time) is ahead of UTC by a quarter-hour offset: whole days back from now
// are whole local days back.
const t = useTestApp({ APP_TIMEZONE: 'Asia/Kathmandu' });
const client = portal(t);

const DAY = 24 * 60 * 60 * 1000;

/** One answer to the word on each of the days `back` days before now. */
async function answerDaysBack(wordId: number, back: number[]): Promise<void> {
  const now = Date.now();
  const answers = back.map((days) => ({ word_id: wordId, correct: true, reviewed_at: new Date(now - days * DAY) }));
  await client.post('/reviews/batch', { answers }).expect(201);
}

const streakDays = async () => (await client.get('/dashboard/quick_stats').expect(200)).body.study_streak_days;

describe('the study streak of GET /dashboard/quick_stats', () => {
  let wordId: number;
  beforeEach(async () => {
    await clearDatabase(t);
    wordId = (await client.groupWithWords('Streak', 1)).words[0].id;
  });

  it('reaches back over more days than one question asks about, up to the first gap', async () => {
    // Every day from 300 days ago to yesterday but 250 days ago: nothing yet today.
    await answerDaysBack(
      wordId,
      Array.from({ length: 300 }, (_, index) => index + 1).filter((days) => days !== 250),
    );
    expect(await streakDays()).toBe(249);
    await answerDaysBack(wordId, [0]);
    expect(await streakDays()).toBe(250);
    await answerDaysBack(wordId, [250]);
    expect(await streakDays()).toBe(301);
  });

  it('is 0 without answers, and after a day without any', async () => {
    expect(await streakDays()).toBe(0);
    await answerDaysBack(wordId, [2, 3, 4]);
    expect(await streakDays()).toBe(0);
  });
});

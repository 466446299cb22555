import { dayIn, epochDayOf, startOfEpochDayIn } from '../core/calendar.js';
import type { Span } from '../reviews/reviews.service.js';

// Days asked about at a time, growing: a short streak costs one small question, a long one a few of at most 256.
const FIRST_BATCH = 8;
const BATCH_GROWTH = 4;
const LARGEST_BATCH = 256;

/**
 * Consecutive calendar days with at least one review, ending today, or yesterday when nothing was
 * reviewed yet today; days are taken in `timeZone`. `answeredIn` tells which of some days (their spans
 * of time, newest first) have a review: the days are walked back from today a batch at a time, so the
 * cost grows with the streak, not with the history.
 */
export async function walkStreak(
  answeredIn: (days: Span[]) => Promise<boolean[]>,
  now: Date,
  timeZone: string,
): Promise<number> {
  // Days as numbers: a long streak walks hundreds of them on every request.
  let day = epochDayOf(dayIn(timeZone, now));
  let end = startOfEpochDayIn(timeZone, day + 1);
  let streak = 0;
  let today = true;
  for (let batch = FIRST_BATCH; ; batch = Math.min(batch * BATCH_GROWTH, LARGEST_BATCH)) {
    const days: Span[] = [];
    for (let index = 0; index < batch; index += 1) {
      const start = startOfEpochDayIn(timeZone, day);
      days.push({ start: new Date(start), end: new Date(end) });
      end = start;
      day -= 1;
    }
    for (const answered of await answeredIn(days)) {
      if (answered) {
        streak += 1;
      } else if (!today) {
        return streak;
      }
      today = false;
    }
  }
}

import { dayIn, dayPlus, startOfDayIn } from '../src/core/calendar.js';

/**
 * Consecutive calendar days with at least one review, ending today, or yesterday when nothing was
 * reviewed yet today; days are taken in `timeZone`, over the instants of the reviews: as the baseline counts,
 * and the tests' reference (the portal walks days back instead: walkStreak in src/dashboard/streak.ts).
 */
export function studyStreak(reviewedAt: Iterable<Date>, now: Date, timeZone: string): number {
  const days = new Set<string>();
  // The day of an instant costs a formatting; instants come in time order, many to a day: format once a day.
  let [dayStart, dayEnd] = [Infinity, -Infinity];
  for (const instant of reviewedAt) {
    const time = instant.getTime();
    if (time >= dayStart && time < dayEnd) {
      continue;
    }
    const day = dayIn(timeZone, instant);
    days.add(day);
    [dayStart, dayEnd] = [startOfDayIn(timeZone, day).getTime(), startOfDayIn(timeZone, dayPlus(day, 1)).getTime()];
  }
  let day = dayIn(timeZone, now);
  if (!days.has(day)) {
    day = dayPlus(day, -1);
  }
  let streak = 0;
  while (days.has(day)) {
    streak += 1;
    day = dayPlus(day, -1);
  }
  return streak;
}

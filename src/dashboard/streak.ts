import { dayIn, dayPlus } from '../core/calendar.js';

/**
 * Consecutive calendar days with at least one review, ending today, or yesterday when nothing was
 * reviewed yet today; days are taken in `timeZone`.
 */
export function studyStreak(reviewedAt: Iterable<Date>, now: Date, timeZone: string): number {
  const days = new Set<string>();
  for (const instant of reviewedAt) {
    days.add(dayIn(timeZone, instant));
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

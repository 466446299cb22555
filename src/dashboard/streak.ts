// Building a formatter costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) of an instant in an IANA time zone. */
export function dayIn(timeZone: string, instant: Date): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(instant);
}

/** The calendar day before a YYYY-MM-DD day. */
export function dayBefore(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date - 1)).toISOString().slice(0, 10);
}

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
    day = dayBefore(day);
  }
  let streak = 0;
  while (days.has(day)) {
    streak += 1;
    day = dayBefore(day);
  }
  return streak;
}

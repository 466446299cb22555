// Building a formatter costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterIn(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      ...{ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar day (YYYY-MM-DD) of an instant in an IANA time zone. */
export function dayIn(timeZone: string, instant: Date): string {
  const text = formatterIn(timeZone).format(instant);
  if (text[10] === ',') {
    return text.slice(0, 10);
  }
  // A year below 1000, which the formatter writes with fewer than four digits.
  const dash = text.indexOf('-');
  return text.slice(0, dash).padStart(4, '0') + text.slice(dash, dash + 6);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A YYYY-MM-DD day (zero-padded, as `dayIn` gives it) as a number: the days since 1970-01-01 (a walk over days
 * steps by 1, with no date text).
 */
export const epochDayOf = (day: string): number => Date.parse(day) / DAY_MS;
const dayOfEpochDay = (epochDay: number): string => new Date(epochDay * DAY_MS).toISOString().slice(0, 10);

/** The calendar day `days` after (or before, if negative) a YYYY-MM-DD day. */
export function dayPlus(day: string, days: number): string {
  return dayOfEpochDay(epochDayOf(day) + days);
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(timeZone: string, instant: number): number {
  const parts = Object.fromEntries(
    formatterIn(timeZone)
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  // Set apart from the rest: Date.UTC takes a year below 100 for 19xx.
  const wall = new Date(Date.UTC(2000, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second));
  wall.setUTCFullYear(+parts.year);
  return wall.getTime() - Math.floor(instant / 1000) * 1000;
}

// A day's first instant never changes, and a long streak asks for hundreds of them on every request.
const dayStarts = new Map<string, Map<number, number>>();
/** Days remembered at most per zone (centuries; the portal asks about one zone, APP_TIMEZONE). */
const REMEMBERED_DAYS = 100_000;

/** The first instant (epoch ms) of a day, given as `epochDayOf` numbers it, in an IANA time zone. */
export function startOfEpochDayIn(timeZone: string, epochDay: number): number {
  const starts = dayStarts.get(timeZone);
  let start = starts?.get(epochDay);
  if (start === undefined) {
    // Computed first: a zone that does not exist throws here, and is not remembered.
    start = firstInstantOf(timeZone, dayOfEpochDay(epochDay));
    if (!starts) {
      dayStarts.set(timeZone, new Map([[epochDay, start]]));
    } else {
      if (starts.size >= REMEMBERED_DAYS) {
        starts.clear();
      }
      starts.set(epochDay, start);
    }
  }
  return start;
}

/** The first instant of a YYYY-MM-DD day in an IANA time zone (its first midnight, or the jump over midnight). */
export function startOfDayIn(timeZone: string, day: string): Date {
  return new Date(startOfEpochDayIn(timeZone, epochDayOf(day)));
}

// Offsets from UTC stay within 16 hours, local mean times of the 19th century included.
const WIDEST_OFFSET_MS = 16 * 60 * 60 * 1000;

/**
 * The first instant of a YYYY-MM-DD day in a zone: the first at which its clock reads the day's midnight, or, when the
 * clocks jump over midnight, the jump.
 */
function firstInstantOf(timeZone: string, day: string): number {
  const midnight = Date.parse(`${day}T00:00:00Z`);
  // The day's midnight in each offset the zone has around it: one, or two across a change of offset, in either order
  // (the clocks read midnight twice when they go back over it: Casey's 2010-03-05 from 02:00 to 23:00 the day before).
  const [first, second] = [midnight - WIDEST_OFFSET_MS, midnight + WIDEST_OFFSET_MS]
    .map((instant) => midnight - offsetAt(timeZone, instant))
    .sort((a, b) => a - b);
  const readsMidnight = (instant: number) => midnight - offsetAt(timeZone, instant) === instant;
  if (readsMidnight(first)) {
    return first;
  }
  if (readsMidnight(second)) {
    return second;
  }
  // Neither: the clocks jumped over midnight, between the two (Toronto's 1919-03-31 from 23:30 to 00:30). A day the
  // jump skips whole (Samoa's 2011-12-30) starts, and ends, where the next day starts.
  return jumpInto(timeZone, day, first, second);
}

/**
 * The instant the clocks jump into `day` (or past it), found by halving the time between `before`, still in an
 * earlier day, and `after`, not.
 */
function jumpInto(timeZone: string, day: string, before: number, after: number): number {
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (dayIn(timeZone, new Date(middle)) >= day) {
      after = middle;
    } else {
      before = middle;
    }
  }
  return after;
}

/**
 * The first whole millisecond at or after an ISO 8601 timestamp. `Date` drops the digits past the millisecond, which
 * moves an instant that has them back, before itself: right for an upper bound, not for a lower one.
 */
export function millisecondAtOrAfter(timestamp: string): Date {
  const instant = Date.parse(timestamp);
  return new Date(/\.\d{3}\d*[1-9]/.test(timestamp) ? instant + 1 : instant);
}

/** A date, a time of day and an offset from UTC, as written (the offset's fields may be absent: UTC). */
export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  offsetHours?: number;
  offsetMinutes?: number;
}

/**
 * Whether a written date and time exist: a day the calendar has (from year 1; no 2026-02-30), and a time of day and
 * an offset in range. Checked on the fields: `Date.UTC` and class-validator's ISO 8601 check take a year below 100
 * for one of the 1900s.
 */
export function isRealDateTime(fields: DateTimeFields): boolean {
  const { year, month, day, hour, minute, second, offsetHours = 0, offsetMinutes = 0 } = fields;
  const lastDayOfMonth = new Date(0);
  lastDayOfMonth.setUTCFullYear(year, month, 0);
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= lastDayOfMonth.getUTCDate() &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

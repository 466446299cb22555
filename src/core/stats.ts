/** Percentage of correct answers, 0–100 with one decimal; 0 when there are none. */
export function successRate(correct: number, total: number): number {
  return total === 0 ? 0 : Math.round((correct / total) * 1000) / 10;
}

/** A timestamp column read by raw SQL (epoch milliseconds in SQLite) as the API's ISO 8601 form. */
export function isoOrNull(epochMs: number | string | null | undefined): string | null {
  return epochMs === null || epochMs === undefined ? null : new Date(Number(epochMs)).toISOString();
}

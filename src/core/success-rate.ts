/** Percentage of correct answers, 0–100 with one decimal; 0 when there are none. */
export function successRate(correct: number, total: number): number {
  return total === 0 ? 0 : Math.round((correct / total) * 1000) / 10;
}

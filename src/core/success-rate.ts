/** Percentage of correct answers, 0–100 with one decimal (halves up); 0 when there are none. */
export function successRate(correct: number, total: number): number {
  // In integers: (correct / total) * 1000 in floating point puts some halves just below (203 of 400: 507.4999…).
  return total === 0 ? 0 : Math.floor((2000 * correct + total) / (2 * total)) / 10;
}

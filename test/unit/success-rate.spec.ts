import { successRate } from '../../src/core/success-rate.js';

describe('successRate', () => {
  it.each([
    [0, 0, 0],
    [0, 3, 0],
    [3, 3, 100],
    [1, 3, 33.3],
    [2, 3, 66.7],
    // Exact halves round up, though (correct / total) * 1000 in floating point falls just below them.
    [203, 400, 50.8],
    [1, 8, 12.5],
    [1, 16, 6.3],
    [1, 2000, 0.1],
    [1, 2001, 0],
  ])('%i correct of %i: %d%%', (correct, total, rate) => {
    expect(successRate(correct, total)).toBe(rate);
  });

  it('equals the exact percentage rounded half up, for every count of answers up to 400', () => {
    for (let total = 1; total <= 400; total++) {
      for (let correct = 0; correct <= total; correct++) {
        // The exact rate in tenths is (1000 * correct) / total; rounded half up in integers by BigInt division.
        const tenths = (2000n * BigInt(correct) + BigInt(total)) / (2n * BigInt(total));
        expect(successRate(correct, total)).toBe(Number(tenths) / 10);
      }
    }
  });
});

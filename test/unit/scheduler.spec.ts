import { FSRSBinding, FSRSBindingItem, FSRSBindingReview } from '@open-spaced-repetition/binding';
import { Rating } from 'ts-fsrs';
import {
  DEFAULT_PARAMETERS,
  fitParameters,
  MINIMUM_TRAINING_REVIEWS,
  Scheduler,
} from '../../src/scheduling/scheduler.js';

const DAY = 24 * 60 * 60 * 1000;

/** A seeded generator (mulberry32): the same log on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A learner whose memory follows FSRS with `parameters`: each word is reviewed when a scheduler with the
 * default parameters says (as the portal would, before fitting), and recalled with the probability the
 * learner's own memory gives at that moment.
 */
function simulatedLog(parameters: number[], words: number, reviewsPerWord: number) {
  const settings = { requestRetention: 0.9, maximumIntervalDays: 36500, learningSteps: [], enableFuzz: false };
  const learner = new Scheduler({ ...settings, parameters });
  const portal = new Scheduler({ ...settings, parameters: [...DEFAULT_PARAMETERS] });
  const next = random(42);
  const start = Date.UTC(2025, 0, 1);
  return Array.from({ length: words }, (_, word) => {
    const history = [];
    let truth = null;
    let schedule = null;
    let at = new Date(start + (word % 30) * DAY);
    for (let review = 0; review < reviewsPerWord; review += 1) {
      const correct = review === 0 ? next() < 0.7 : next() < learner.retrievability(truth, at);
      history.push({ correct, reviewedAt: at });
      truth = learner.answer(truth, { correct, reviewedAt: at });
      schedule = portal.answer(schedule, { correct, reviewedAt: at });
      // Reviewed on the due day, or a little late, as learners are.
      at = new Date(Math.max(schedule.due.getTime(), at.getTime() + DAY) + Math.floor(next() * 3) * DAY);
    }
    return history;
  });
}

describe('fitParameters (the FSRS optimizer)', () => {
  it('recovers parameters that predict a generated log better than the defaults', async () => {
    // A learner who forgets faster than FSRS's average learner: initial stabilities a quarter of the defaults.
    const truth = DEFAULT_PARAMETERS.map((value, index) => (index < 4 ? value / 4 : value));
    const fit = await fitParameters(simulatedLog(truth, 300, 8));
    expect(fit.parameters).toHaveLength(21);
    expect(fit.fitted!.log_loss).toBeLessThan(fit.defaults!.log_loss);
    // The fitted initial stability after a right first answer moves from the default towards the truth.
    expect(Math.abs(fit.parameters![2] - truth[2])).toBeLessThan(Math.abs(DEFAULT_PARAMETERS[2] - truth[2]));
  });

  it('learns from the reviews that follow an earlier day’s review of the word: 64 of them are fitted, 63 are not', async () => {
    // Each word answered twice on its first day and once the day after: one review to learn from.
    const log = (words: number) =>
      Array.from({ length: words }, () =>
        [0, 0, 1].map((day) => ({ correct: true, reviewedAt: new Date(Date.UTC(2025, 0, 1) + day * DAY) })),
      );
    expect(await fitParameters(log(MINIMUM_TRAINING_REVIEWS - 1))).toEqual({
      parameters: null,
      reviews: MINIMUM_TRAINING_REVIEWS - 1,
      defaults: null,
      fitted: null,
    });
    const fit = await fitParameters(log(MINIMUM_TRAINING_REVIEWS));
    expect(fit.reviews).toBe(MINIMUM_TRAINING_REVIEWS);
    expect(fit.parameters).toHaveLength(21);

    // Each set evaluated by the optimizer's own model on the log's reviews (Good after 0, 0 and 1 days), each figure
    // under its name.
    const items = Array.from(
      { length: MINIMUM_TRAINING_REVIEWS },
      () => new FSRSBindingItem([0, 0, 1].map((days) => new FSRSBindingReview(Rating.Good, days))),
    );
    const evaluation = (parameters: number[]) => {
      const { logLoss, rmseBins } = new FSRSBinding(parameters).evaluate(items);
      return { log_loss: logLoss, rmse: rmseBins };
    };
    expect(fit.defaults).toEqual(evaluation([...DEFAULT_PARAMETERS]));
    expect(fit.fitted).toEqual(evaluation(fit.parameters!));
    expect(fit.fitted).not.toEqual(fit.defaults);
  });

  it('keeps no parameters when the optimizer keeps the defaults: every word reviewed again after its own number of days', async () => {
    const log = Array.from({ length: MINIMUM_TRAINING_REVIEWS }, (_, word) =>
      [0, word + 1].map((day) => ({ correct: true, reviewedAt: new Date(Date.UTC(2025, 0, 1) + day * DAY) })),
    );
    expect(await fitParameters(log)).toEqual({
      parameters: null,
      reviews: MINIMUM_TRAINING_REVIEWS,
      defaults: null,
      fitted: null,
    });
  });

  it('does not fit a log shorter than the minimum', async () => {
    const fit = await fitParameters(simulatedLog([...DEFAULT_PARAMETERS], 5, 3));
    expect(fit.reviews).toBeLessThan(MINIMUM_TRAINING_REVIEWS);
    expect(fit).toMatchObject({ parameters: null, defaults: null, fitted: null });
  });
});

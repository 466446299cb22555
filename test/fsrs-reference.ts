import { type Card, createEmptyCard, type FSRS, type FSRSParameters, fsrs, generatorParameters, Rating } from 'ts-fsrs';

/** The portal's SRS settings in the suites that compare cards with ts-fsrs: fuzz off, steps 1m and 10m. */
export const SRS_SETTINGS = {
  SRS_ENABLE_FUZZ: false,
  SRS_REQUEST_RETENTION: 0.9,
  SRS_MAXIMUM_INTERVAL_DAYS: 36500,
  SRS_LEARNING_STEPS: '1m,10m',
};

/** ts-fsrs alone, configured as SRS_SETTINGS but for `overrides` (a suite's own settings). */
export const referenceWith = (overrides: Partial<FSRSParameters> = {}): FSRS =>
  fsrs(
    generatorParameters({
      enable_fuzz: false,
      learning_steps: ['1m', '10m'],
      request_retention: 0.9,
      maximum_interval: 36500,
      ...overrides,
    }),
  );

/** ts-fsrs alone, configured as SRS_SETTINGS: what the portal's cards must equal. */
export const reference = referenceWith();

/** The card ts-fsrs computes from a word's answers (right = Good, wrong = Again), replayed oldest first. */
export function referenceCard(answers: { correct: boolean; at: Date }[], scheduler = reference): Card {
  const ordered = [...answers].sort((a, b) => a.at.getTime() - b.at.getTime());
  let card = createEmptyCard(ordered[0].at);
  for (const { correct, at } of ordered) {
    card = scheduler.next(card, at, correct ? Rating.Good : Rating.Again).card;
  }
  return card;
}

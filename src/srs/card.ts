import { CARD_STATES, type Memory } from '../scheduling/scheduler.js';
import type { CardDto } from './dto/srs.dto.js';

/** A word's card as the API shows it; `memory` null for a word never answered (a new card, due `now`). */
export function cardDto(memory: Memory | null, retrievability: number, now: Date): CardDto {
  return {
    state: CARD_STATES[memory?.state ?? 0],
    due: (memory?.due ?? now).toISOString(),
    stability: memory?.stability ?? 0,
    difficulty: memory?.difficulty ?? 0,
    reps: memory?.reps ?? 0,
    lapses: memory?.lapses ?? 0,
    retrievability,
    last_review: memory?.lastReview.toISOString() ?? null,
  };
}

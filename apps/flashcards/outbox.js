// The answers not yet known to be recorded, kept in localStorage until the portal has them.
//
// Every answer is written here before it is sent, with its own Idempotency-Key, and leaves only on a 201 (or on
// a 4xx that can never succeed). An item says how it may be sent, because a key belongs to an endpoint: an
// answer that may already have reached `POST …/review` must be retried there with the same key, never put
// into a batch, or a lost response would record it twice.
//
//   via: 'review'  sent, or to be sent, on its own to POST …/words/:word_id/review with its key;
//   via: 'batch'   frozen into the batch `batch` (the batch's Idempotency-Key): retried with exactly the same
//                  answers until the portal answers, so a retried flush is the same request;
//   via: null      never sent anywhere: goes into the next batch (POST …/answers).

import { describe, outcomeOf } from './api.js';
import { batchKey } from './keys.js';

const MAX_BATCH = 500;

/** localStorage, or memory where the browser refuses it (storage disabled, quota, private mode). */
class Store {
  constructor(key) {
    this.key = key;
    this.memory = [];
    this.persistent = true;
    try {
      const saved = JSON.parse(localStorage.getItem(key) ?? '[]');
      this.memory = Array.isArray(saved) ? saved.filter(isAnswer) : [];
    } catch {
      this.persistent = false;
    }
  }

  read() {
    if (!this.persistent) return this.memory.slice();
    try {
      const saved = JSON.parse(localStorage.getItem(this.key) ?? '[]');
      return Array.isArray(saved) ? saved.filter(isAnswer) : [];
    } catch {
      return this.memory.slice();
    }
  }

  write(items) {
    this.memory = items;
    if (!this.persistent) return;
    try {
      if (items.length > 0) localStorage.setItem(this.key, JSON.stringify(items));
      else localStorage.removeItem(this.key);
    } catch {
      this.persistent = false;
    }
  }
}

function isAnswer(item) {
  return (
    typeof item?.key === 'string' &&
    Number.isSafeInteger(item.word_id) &&
    typeof item.correct === 'boolean' &&
    typeof item.reviewed_at === 'string'
  );
}

export class Outbox {
  /**
   * @param api        the portal (api.js)
   * @param sessionId  the study session the answers belong to
   * @param storageKey where the queue is kept (one per portal and session)
   * @param onChange   called with `{ waiting, total }` whenever the queue changes
   * @param onRejected called with `(answer, reason)` for an answer dropped because it can never be recorded
   */
  constructor({ api, sessionId, storageKey, onChange, onRejected }) {
    this.api = api;
    this.sessionId = sessionId;
    this.store = new Store(storageKey);
    this.lockName = `flashcards-outbox:${storageKey}`;
    this.onChange = onChange;
    this.onRejected = onRejected;
    /** Keys of answers sent straight away whose first attempt has not ended: not "waiting" (yet). */
    this.firstFlight = new Set();
    this.running = null;
    this.again = false;
  }

  get persistent() {
    return this.store.persistent;
  }

  /** A pass is under way. */
  get busy() {
    return this.running !== null;
  }

  /** How many answers wait to be sent (`waiting`), and how many are not yet known to be recorded (`total`). */
  counts() {
    const items = this.store.read();
    return { waiting: items.filter((item) => !this.firstFlight.has(item.key)).length, total: items.length };
  }

  /**
   * Keeps an answer `{ key, word_id, correct, reviewed_at }` and starts sending it. It goes out on its own
   * when nothing else waits and the browser thinks it is online; otherwise it waits for the next batch.
   */
  add(answer) {
    const direct = this.counts().waiting === 0 && navigator.onLine !== false;
    this.store.write([...this.store.read(), { ...answer, via: direct ? 'review' : null }]);
    if (direct) this.firstFlight.add(answer.key);
    this.changed();
    return this.sync();
  }

  /** Sends what waits, one pass at a time; resolves once the pass (and any asked for meanwhile) ended. */
  sync() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          // One tab at a time sends a session's queue (Web Locks exist in secure contexts only).
          await (navigator.locks ? navigator.locks.request(this.lockName, () => this.flush()) : this.flush());
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  changed() {
    this.onChange?.(this.counts());
  }

  remove(keys) {
    this.store.write(this.store.read().filter((item) => !keys.includes(item.key)));
  }

  /** Sends until the queue is empty (true) or the portal cannot take more now (false). */
  async flush() {
    const later = new Set();
    let emptied = false;
    try {
      for (;;) {
        const items = this.store.read();
        const frozen = items.find((item) => item.via === 'batch');
        if (frozen) {
          const batch = items.filter((item) => item.via === 'batch' && item.batch === frozen.batch);
          const response = await this.api.answers(this.sessionId, batch, frozen.batch);
          const outcome = outcomeOf(response);
          if (outcome === 'recorded') {
            this.remove(batch.map((item) => item.key));
          } else if (outcome === 'rejected' || response?.status === 400) {
            // Nothing of the batch was recorded; its answers go one by one, so that only a bad one is dropped.
            const keys = new Set(batch.map((item) => item.key));
            this.store.write(
              this.store
                .read()
                .map((item) => (keys.has(item.key) ? { ...item, via: 'review', batch: undefined } : item)),
            );
          } else {
            return false;
          }
          this.changed();
          continue;
        }
        const single = items.find((item) => item.via === 'review' && !later.has(item.key));
        if (single) {
          const response = await this.api.review(this.sessionId, single);
          this.firstFlight.delete(single.key);
          const outcome = outcomeOf(response);
          if (outcome === 'recorded') {
            this.remove([single.key]);
          } else if (outcome === 'rejected') {
            this.remove([single.key]);
            this.onRejected?.(single, describe(response));
          } else if (response?.status === 400) {
            // Dated ahead of the portal's clock: recordable once the portal's clock has passed it.
            later.add(single.key);
          } else {
            return false;
          }
          this.changed();
          continue;
        }
        const fresh = items.filter((item) => !item.via).slice(0, MAX_BATCH);
        if (fresh.length > 0) {
          // Frozen before it is sent: from now on these answers travel only in this batch, under this key.
          const key = batchKey(fresh.map((item) => item.key));
          const keys = new Set(fresh.map((item) => item.key));
          this.store.write(items.map((item) => (keys.has(item.key) ? { ...item, via: 'batch', batch: key } : item)));
          continue;
        }
        emptied = items.length === 0;
        return emptied;
      }
    } finally {
      // Whatever did not get through now waits, the answers not tried yet included.
      if (!emptied) this.firstFlight.clear();
      this.changed();
    }
  }
}

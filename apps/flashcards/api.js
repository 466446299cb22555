// The part of the portal's public API the app uses (docs/api.md, "Launching a learning app").

const TIMEOUT_MS = 15_000;

/** The request never got an HTTP response: offline, connection refused or reset, timed out. */
export class NetworkError extends Error {}

/**
 * What an HTTP outcome means for an answer:
 * - `recorded`: 201;
 * - `retry`: nothing was recorded, or nobody knows yet; the same request may succeed later (no response,
 *   5xx, 408, 429, 409 for a key whose first request is still running, and a `reviewed_at` "in the future",
 *   which only means the server's clock is behind this device's: it will not be once the server catches up);
 * - `rejected`: any other 4xx, which can never succeed.
 */
export function outcomeOf(response) {
  if (response === null) return 'retry';
  const { status, body } = response;
  if (status === 201) return 'recorded';
  if (status >= 500 || status === 408 || status === 409 || status === 429) return 'retry';
  if (status === 400 && aheadOfServer(body)) return 'retry';
  return status >= 400 ? 'rejected' : 'retry';
}

function aheadOfServer(problem) {
  const errors = Array.isArray(problem?.errors) ? problem.errors : [];
  return (
    errors.length > 0 && errors.every((error) => /reviewed_at$/.test(error?.field) && /future/.test(error?.message))
  );
}

/** A problem document's `detail`, or the status. */
export function describe(response) {
  if (response === null) return 'the portal could not be reached';
  return typeof response.body?.detail === 'string' ? response.body.detail : `HTTP ${response.status}`;
}

export class Api {
  constructor(base) {
    this.base = base.replace(/\/+$/, '');
  }

  /**
   * One request. Resolves to `{ status, body, serverDate }` for any HTTP response (`serverDate`: the `Date`
   * header in ms, readable when the portal serves the app itself), rejects with NetworkError otherwise.
   */
  async request(method, path, { body, idempotencyKey } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    let response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(TIMEOUT_MS) : undefined,
      });
    } catch (error) {
      throw new NetworkError(error instanceof Error ? error.message : String(error));
    }
    let parsed = null;
    try {
      parsed = /json/.test(response.headers.get('Content-Type') ?? '') ? await response.json() : null;
    } catch {
      // A body cut short is the same as none for the caller: the status still tells what happened.
    }
    const date = Date.parse(response.headers.get('Date') ?? '');
    return { status: response.status, body: parsed, serverDate: Number.isNaN(date) ? null : date };
  }

  /** Like `request`, but a failed connection resolves to `null` instead of rejecting. */
  async attempt(method, path, options) {
    try {
      return await this.request(method, path, options);
    } catch (error) {
      if (error instanceof NetworkError) return null;
      throw error;
    }
  }

  words(groupId) {
    return this.request('GET', `/groups/${groupId}/words/raw`);
  }

  session(sessionId) {
    return this.request('GET', `/study_sessions/${sessionId}`);
  }

  /** One answer: `POST /study_sessions/:id/words/:word_id/review`. */
  review(sessionId, answer) {
    return this.attempt('POST', `/study_sessions/${sessionId}/words/${answer.word_id}/review`, {
      body: { correct: answer.correct, reviewed_at: answer.reviewed_at },
      idempotencyKey: answer.key,
    });
  }

  /** Answers recorded together, all or none: `POST /study_sessions/:id/answers`. */
  answers(sessionId, answers, idempotencyKey) {
    return this.attempt('POST', `/study_sessions/${sessionId}/answers`, {
      body: {
        answers: answers.map(({ word_id, correct, reviewed_at }) => ({ word_id, correct, reviewed_at })),
      },
      idempotencyKey,
    });
  }
}

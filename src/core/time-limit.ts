import { setTimeout } from 'node:timers/promises';

/**
 * `work`'s result, or a rejection once `ms` have passed without one: for the probes and scrapes that must answer while
 * the database does not (PostgreSQL cut off by the network keeps a query waiting for minutes).
 */
export async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      work,
      setTimeout(ms, undefined, { signal: timer.signal }).then(() => {
        throw new Error(`no answer within ${ms} ms`);
      }),
    ]);
  } finally {
    timer.abort();
  }
}

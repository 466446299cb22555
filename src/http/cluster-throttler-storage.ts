import cluster, { type Worker } from 'node:cluster';
import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';

/**
 * RATE_LIMIT_PER_MINUTE under `npm run start:cluster` (src/cluster.ts). Each worker counting its own share let a client
 * make the limit as many times over as there are workers (the primary hands its connections to each in turn). Instead
 * every worker asks the primary, which keeps the one count per client address, with the throttler's own storage.
 */

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const REQUEST = 'lang-portal:throttle';
const REPLY = 'lang-portal:throttle-reply';

interface IncrementRequest {
  type: typeof REQUEST;
  id: number;
  key: string;
  ttl: number;
  limit: number;
  blockDuration: number;
  throttlerName: string;
}

interface IncrementReply {
  type: typeof REPLY;
  id: number;
  record: ThrottlerStorageRecord;
}

/** In the primary: counts every worker's requests in one storage. */
export function serveClusterThrottling(): void {
  const storage = new ThrottlerStorageService();
  cluster.on('message', (worker: Worker, message: Partial<IncrementRequest> | undefined) => {
    if (message?.type !== REQUEST || typeof message.id !== 'number') {
      return;
    }
    const { id, key, ttl, limit, blockDuration, throttlerName } = message as IncrementRequest;
    void storage.increment(key, ttl, limit, blockDuration, throttlerName).then((record) => {
      // A worker that died meanwhile has no one left to answer; send() to it would fail.
      if (worker.isConnected()) {
        worker.send({ type: REPLY, id, record } satisfies IncrementReply);
      }
    });
  });
}

/** In a cluster worker: the throttler's storage, kept by the primary. */
export class ClusterThrottlerStorage implements ThrottlerStorage {
  private readonly waiting = new Map<number, (record: ThrottlerStorageRecord) => void>();
  private nextId = 0;

  constructor() {
    process.on('message', (message: Partial<IncrementReply> | undefined) => {
      if (message?.type === REPLY && typeof message.id === 'number') {
        this.waiting.get(message.id)?.(message.record!);
        this.waiting.delete(message.id);
      }
    });
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      process.send!({
        type: REQUEST,
        id,
        key,
        ttl,
        limit,
        blockDuration,
        throttlerName,
      } satisfies IncrementRequest);
    });
  }
}

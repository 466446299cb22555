import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { messageOf } from '../core/errors.js';

/**
 * GET /metrics under `npm run start:cluster` (src/cluster.ts). Every worker counts in its own registry and a scrape's
 * connection goes to any one worker, so that worker alone would answer with its own counts, a counter Prometheus sees
 * drop at every other scrape. Instead the worker asks the primary, whose prom-client AggregatorRegistry collects every
 * worker's registry over the cluster's IPC channel and aggregates them: series of the same labels summed (a worker's
 * requests and process carry its slot, metrics.service.ts), gauges by their `aggregator`. The primary serves no HTTP,
 * so the worker sends the text on.
 */

const REQUEST = 'lang-portal:cluster-metrics';
const REPLY = 'lang-portal:cluster-metrics-reply';

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}

/** The cluster's metrics in Prometheus' text format, or why they could not be collected. */
interface MetricsReply {
  type: typeof REPLY;
  id: number;
  metrics?: string;
  error?: string;
}

/** In the primary: answers every worker's request for the cluster's metrics. */
export function serveClusterMetrics(): void {
  const registry = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: Partial<MetricsRequest> | undefined) => {
    if (message?.type !== REQUEST || typeof message.id !== 'number') {
      return;
    }
    const { id } = message;
    const answer = (reply: Pick<MetricsReply, 'metrics' | 'error'>) => {
      // A worker that died meanwhile has no one left to answer; send() to it would fail.
      if (worker.isConnected()) {
        worker.send({ type: REPLY, id, ...reply } satisfies MetricsReply);
      }
    };
    // prom-client gives up on a worker that does not answer within 5 s ("Operation timed out.").
    registry.clusterMetrics().then(
      (metrics) => answer({ metrics }),
      (error: unknown) => answer({ error: messageOf(error) }),
    );
  });
}

/** In a cluster worker: its part of the cluster's metrics, and the whole of them from the primary. */
export class WorkerMetrics {
  private readonly waiting = new Map<number, (reply: MetricsReply) => void>();
  private nextId = 0;

  constructor() {
    // Loading prom-client is not enough: its listener that answers the primary with this worker's registry (the
    // global one) is added by the AggregatorRegistry constructor.
    new AggregatorRegistry();
    process.on('message', (message: Partial<MetricsReply> | undefined) => {
      if (message?.type === REPLY && typeof message.id === 'number') {
        this.waiting.get(message.id)?.(message as MetricsReply);
        this.waiting.delete(message.id);
      }
    });
  }

  /** Every worker's metrics, aggregated by the primary; rejects when a worker failed or did not answer in time. */
  collect(): Promise<string> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, ({ metrics, error }) =>
        error === undefined ? resolve(metrics!) : reject(new Error(error)),
      );
      process.send!({ type: REQUEST, id } satisfies MetricsRequest);
    });
  }
}

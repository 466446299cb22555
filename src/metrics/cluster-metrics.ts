import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, register } from 'prom-client';
import { messageOf } from '../core/errors.js';

/**
 * GET /metrics under `npm run start:cluster` (src/cluster.ts). Every worker counts in its own registry and a scrape's
 * connection goes to any one worker, so that worker alone would answer with its own counts, a counter Prometheus sees
 * drop at every other scrape. Instead the worker asks the primary, which collects the registry of every worker that
 * listens over the cluster's IPC channel and aggregates them with prom-client: series of the same labels summed (a
 * worker's requests and process carry its slot, metrics.service.ts), gauges by their `aggregator`. The primary serves
 * no HTTP, so the worker sends the text on.
 *
 * prom-client's own collection (`AggregatorRegistry.clusterMetrics`) asks every forked worker: a scrape while a
 * worker started after a crash waited for its start to get as far as its listener (0.7 s), or, sent before that, went
 * unanswered (a 503 after 5 s). A worker that has not listened yet has served nothing, and is not asked.
 */

/** How long the primary waits for each worker's registry: within Prometheus' 10 s scrape timeout. */
const WORKER_TIMEOUT_MS = 5_000;

/** Worker → primary: the cluster's metrics, please; answered with a `ClusterMetrics`. */
const CLUSTER_REQUEST = 'lang-portal:cluster-metrics';
const CLUSTER_REPLY = 'lang-portal:cluster-metrics-reply';
/** Primary → worker: its own registry, please; answered with a `WorkerRegistry`. */
const REGISTRY_REQUEST = 'lang-portal:worker-registry';
const REGISTRY_REPLY = 'lang-portal:worker-registry-reply';

interface Request {
  type: typeof CLUSTER_REQUEST | typeof REGISTRY_REQUEST;
  id: number;
}

/** The cluster's metrics in Prometheus' text format, or why they could not be collected. */
interface ClusterMetrics {
  type: typeof CLUSTER_REPLY;
  id: number;
  metrics?: string;
  error?: string;
}

/** A worker's registry as prom-client's `getMetricsAsJSON` gives it, or why it could not. */
interface WorkerRegistry {
  type: typeof REGISTRY_REPLY;
  id: number;
  metrics?: object[];
  error?: string;
}

/** In the primary: answers every worker's request for the cluster's metrics. */
export function serveClusterMetrics(): void {
  const serving = new Set<Worker>();
  /** The registries asked for and not received yet, by request id: who was asked, and what to do with the answer. */
  const asked = new Map<number, { worker: Worker; settle: (reply: Partial<WorkerRegistry>) => void }>();
  let nextId = 0;

  const registryOf = (worker: Worker): Promise<object[]> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timeout = setTimeout(
        () => settle({ error: `worker pid ${worker.process.pid} did not answer within ${WORKER_TIMEOUT_MS / 1000} s` }),
        WORKER_TIMEOUT_MS,
      );
      const settle = ({ metrics, error }: Partial<WorkerRegistry>) => {
        clearTimeout(timeout);
        asked.delete(id);
        if (error === undefined) {
          resolve(metrics ?? []);
        } else {
          reject(new Error(error));
        }
      };
      asked.set(id, { worker, settle });
      worker.send({ type: REGISTRY_REQUEST, id } satisfies Request);
    });

  /** The registries of every worker that listens, aggregated into Prometheus text. */
  const collect = async (): Promise<string> => {
    const listening = [...serving].filter((worker) => worker.isConnected());
    return AggregatorRegistry.aggregate(await Promise.all(listening.map(registryOf))).metrics();
  };

  cluster.on('listening', (worker) => serving.add(worker));
  cluster.on('exit', (worker) => {
    serving.delete(worker);
    // A worker that died while asked is not waited for: its counts went with it.
    for (const registry of asked.values()) {
      if (registry.worker === worker) {
        registry.settle({});
      }
    }
  });
  cluster.on('message', (worker: Worker, message: Partial<Request | WorkerRegistry> | undefined) => {
    if (typeof message?.id !== 'number') {
      return;
    }
    const { id } = message;
    if (message.type === REGISTRY_REPLY && asked.get(id)?.worker === worker) {
      asked.get(id)!.settle(message);
    } else if (message.type === CLUSTER_REQUEST) {
      collect().then(
        (metrics) => reply(worker, { type: CLUSTER_REPLY, id, metrics }),
        (error: unknown) => reply(worker, { type: CLUSTER_REPLY, id, error: messageOf(error) }),
      );
    }
  });
}

/** A worker that died meanwhile has no one left to answer; send() to it would fail. */
function reply(worker: Worker, message: ClusterMetrics): void {
  if (worker.isConnected()) {
    worker.send(message);
  }
}

/** In a cluster worker: its part of the cluster's metrics, and the whole of them from the primary. */
export class WorkerMetrics {
  private readonly waiting = new Map<number, (reply: ClusterMetrics) => void>();
  private nextId = 0;

  constructor() {
    process.on('message', (message: Partial<Request | ClusterMetrics> | undefined) => {
      if (typeof message?.id !== 'number') {
        return;
      }
      const { id } = message;
      if (message.type === REGISTRY_REQUEST) {
        register.getMetricsAsJSON().then(
          (metrics) => process.send!({ type: REGISTRY_REPLY, id, metrics } satisfies WorkerRegistry),
          (error: unknown) =>
            process.send!({ type: REGISTRY_REPLY, id, error: messageOf(error) } satisfies WorkerRegistry),
        );
      } else if (message.type === CLUSTER_REPLY) {
        this.waiting.get(id)?.(message as ClusterMetrics);
        this.waiting.delete(id);
      }
    });
  }

  /** Every listening worker's metrics, aggregated by the primary; rejects when a worker failed or did not answer in time. */
  collect(): Promise<string> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, ({ metrics, error }) =>
        error === undefined ? resolve(metrics!) : reject(new Error(error)),
      );
      process.send!({ type: CLUSTER_REQUEST, id } satisfies Request);
    });
  }
}

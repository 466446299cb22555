import { MikroORM } from '@mikro-orm/core';
import { RequestContext } from '@mikro-orm/sql';
import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { WORKER_SLOT } from '../config.js';
import { within } from '../core/time-limit.js';
import { ReviewsService } from '../reviews/reviews.service.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import { WordsService } from '../words/words.service.js';

/**
 * Under the cluster, a worker's slot (1 to WORKERS) as the label `worker` of its requests and process metrics, so
 * that the cluster's series are per slot: summed over the workers, a counter lost the counts of a worker that died
 * and dropped, which Prometheus takes for a reset to zero (its rate() then spiked by the whole sum); per slot only the
 * series of the replaced worker start from zero again.
 */
export const workerLabels: Record<string, string> = process.env[WORKER_SLOT]
  ? { worker: process.env[WORKER_SLOT] }
  : {};

const LABELS = ['method', 'route', 'status', ...Object.keys(workerLabels)];

/**
 * How long a scrape waits for each count: well within Prometheus' 10 s scrape timeout, and the 5 s the cluster's
 * primary gives each worker (src/metrics/cluster-metrics.ts).
 */
const COUNT_TIMEOUT_MS = 1500;

const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames: LABELS });
const latency = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time to answer an HTTP request',
  labelNames: LABELS,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/**
 * Counts and times every request by method, route template (not the URL: ids would explode the series) and status.
 * A request whose client went away before the whole answer was sent (a timeout of the client's or of a proxy) counts
 * with nginx's status for it, 499: it never finishes, so counted at "finish" it was missing, the slowest first.
 */
export function recordRequestMetrics(request: Request, response: Response, next: NextFunction): void {
  const stop = latency.startTimer();
  response.on('close', () => {
    const labels = {
      method: request.method,
      route: (request.route as { path?: string } | undefined)?.path ?? 'unmatched',
      status: response.writableFinished ? String(response.statusCode) : '499',
      ...workerLabels,
    };
    requests.inc(labels);
    stop(labels);
  });
  next();
}

/** Gauges of what the portal holds, read when Prometheus scrapes. */
@Injectable()
export class PortalGauges {
  constructor(orm: MikroORM, words: WordsService, sessions: StudySessionsService, reviews: ReviewsService) {
    const gauge = (name: string, help: string, count: () => Promise<number>) => {
      register.removeSingleMetric(name);
      const created = new Gauge({
        name,
        help,
        // Under the cluster every worker reads the same database: one worker's figure is the figure, not their sum.
        aggregator: 'first',
        async collect() {
          try {
            this.set(await within(COUNT_TIMEOUT_MS, RequestContext.create(orm.em, count)));
          } catch {
            // A database that does not answer leaves the last figure read: thrown, its error failed the whole scrape,
            // the request and process metrics an outage needs most with it (the readiness check reports the database);
            // one that hangs held the scrape past Prometheus' timeout, losing them all the same.
          }
        },
      });
      // No figure until one is read: a gauge without labels starts at 0, which a database down since the start showed
      // as an empty portal.
      created.remove();
    };
    gauge('lang_portal_words', 'Words in the inventory', () => words.count());
    gauge('lang_portal_study_sessions', 'Study sessions', () => sessions.count());
    gauge('lang_portal_reviews', 'Answers in the review log', () => reviews.count());
  }
}

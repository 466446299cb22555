import cluster from 'node:cluster';
import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Res, ServiceUnavailableException, Version, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type * as express from 'express';
import { register } from 'prom-client';
import { messageOf } from '../core/errors.js';
import { WorkerMetrics } from './cluster-metrics.js';

/**
 * `GET /metrics`, outside /api/v1: Prometheus text, not part of the API. A single server answers with its own
 * registry; a cluster worker with every worker's, aggregated by the primary (cluster-metrics.ts).
 */
@ApiExcludeController()
@SkipThrottle()
@Controller()
export class MetricsController extends PrometheusController {
  private readonly workerMetrics = cluster.isWorker ? new WorkerMetrics() : undefined;

  @Get()
  @Version(VERSION_NEUTRAL)
  override async index(@Res({ passthrough: true }) response: express.Response) {
    if (!this.workerMetrics) {
      return super.index(response);
    }
    let metrics: string;
    try {
      metrics = await this.workerMetrics.collect();
    } catch (error) {
      throw new ServiceUnavailableException(
        `The metrics of every cluster worker could not be collected: ${messageOf(error)}`,
      );
    }
    response.header('Content-Type', register.contentType);
    return metrics;
  }
}

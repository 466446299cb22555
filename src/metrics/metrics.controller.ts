import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Res, Version, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type * as express from 'express';

/** `GET /metrics`, outside /api/v1: Prometheus text, not part of the API. */
@ApiExcludeController()
@SkipThrottle()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @Version(VERSION_NEUTRAL)
  override index(@Res({ passthrough: true }) response: express.Response) {
    return super.index(response);
  }
}

import type { ConfigService } from '@nestjs/config';
import type { Request } from 'express';
import type { Environment } from '../config.js';

/** The portal's own address: PUBLIC_URL, or the address the request came to (no trailing slash). */
export function portalOrigin(config: ConfigService<Environment, true>, request: Request): string {
  return (
    config.get('PUBLIC_URL', { infer: true }) ??
    `${request.protocol}://${request.get('host') ?? `localhost:${config.get('PORT', { infer: true })}`}`
  ).replace(/\/+$/, '');
}

/** The activity IRIs of the portal's words, `{origin}/api/v1/words/{id}`: the id is the first group. */
export function wordActivityPattern(origin: string): RegExp {
  return new RegExp(`^${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/api/v1/words/([1-9]\\d{0,15})$`);
}

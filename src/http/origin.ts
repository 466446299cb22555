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

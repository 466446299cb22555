import { timingSafeEqual, createHash } from 'node:crypto';
import {
  BadRequestException,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import type { Environment } from '../core/config.js';
import type { XapiVersion } from './statement-validator.js';

/** The xAPI version a request asked for, once the guard let it in. */
export const versionOf = (request: Request): XapiVersion =>
  (request as Request & { xapiVersion: XapiVersion }).xapiVersion;

// Compared as hashes: equal lengths, so that timingSafeEqual never tells the length of the secret.
const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Every /xapi request: 404 while XAPI_KEY/XAPI_SECRET are unset (a default install exposes nothing new),
 * then HTTP Basic with them, compared in constant time (401), then `X-Experience-API-Version` 1.0.x or
 * 2.0.x (400). `GET /xapi/about` needs neither credentials nor the version header.
 */
@Injectable()
export class XapiGuard implements CanActivate {
  constructor(private readonly config: ConfigService<Environment, true>) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = this.config.get('XAPI_KEY', { infer: true });
    const secret = this.config.get('XAPI_SECRET', { infer: true });
    if (!key || !secret) {
      throw new NotFoundException(`Cannot ${request.method} ${request.path}`);
    }
    const asked = request.headers['x-experience-api-version'];
    const version: XapiVersion | undefined =
      typeof asked === 'string' && /^2\.0(\.\d+)?$/.test(asked.trim())
        ? '2.0.0'
        : typeof asked === 'string' && /^1\.0(\.\d+)?$/.test(asked.trim())
          ? '1.0.3'
          : undefined;
    response.setHeader('X-Experience-API-Version', version ?? '2.0.0');
    if (request.path === '/xapi/statements') {
      // Every answer of the Statements resource, errors too: everything committed is visible at once.
      response.setHeader('X-Experience-API-Consistent-Through', new Date().toISOString());
    }
    if (request.path === '/xapi/about' && request.method !== 'POST') {
      return true;
    }
    if (!this.authorized(request.headers.authorization, key, secret)) {
      response.setHeader('WWW-Authenticate', 'Basic realm="xAPI", charset="UTF-8"');
      throw new UnauthorizedException('xAPI needs HTTP Basic credentials (XAPI_KEY and XAPI_SECRET)');
    }
    if (version === undefined) {
      throw new BadRequestException(
        asked === undefined
          ? 'The X-Experience-API-Version header is required'
          : `X-Experience-API-Version ${String(asked)} is not supported: use 1.0.3 or 2.0.0`,
      );
    }
    (request as Request & { xapiVersion: XapiVersion }).xapiVersion = version;
    return true;
  }

  private authorized(header: string | undefined, key: string, secret: string): boolean {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const keyOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(key));
    const secretOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(secret));
    return keyOk && secretOk;
  }
}

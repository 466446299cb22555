import {
  BadRequestException,
  type CanActivate,
  ForbiddenException,
  type ExecutionContext,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import type { Environment } from '../config.js';
import { inspectJson, UNSTORABLE_TEXT } from '../core/json.js';
import { sameSecret } from '../core/secrets.js';
import { isQueryInUtf8, QUERY_NOT_UTF8 } from '../http/request-checks.guard.js';
import { LaunchService } from './launch.service.js';
import { XapiService } from './xapi.service.js';
import { isUuid, type XapiVersion } from './statement-validator.js';

/** The study session whose launch credential a request carries (undefined for XAPI_KEY/XAPI_SECRET). */
export const launchOf = (request: Request): { registration: string } | undefined =>
  (request as Request & { xapiLaunch?: { registration: string } }).xapiLaunch;

// What a launch credential may reach besides the Statements resource (which keeps it to its registration)
// and the State of its registration: reading activities, agents and their profiles.
const READABLE_BY_LAUNCH = ['/xapi/activities', '/xapi/agents', '/xapi/activities/profile', '/xapi/agents/profile'];

/** The challenge of a 401: HTTP Basic. */
export const XAPI_REALM = 'Basic realm="xAPI", charset="UTF-8"';

/** The xAPI version a request asked for, once the guard let it in. */
export const versionOf = (request: Request): XapiVersion =>
  (request as Request & { xapiVersion: XapiVersion }).xapiVersion;

/**
 * Every /xapi request: 404 while XAPI_KEY/XAPI_SECRET are unset (a default install exposes nothing new),
 * then HTTP Basic with them (compared in constant time) or with the credential a launched xAPI app fetched
 * for its study session (401), then `X-Experience-API-Version` 1.0.x or 2.0.x (400); a launch credential
 * reaches only what its session needs (403). `GET /xapi/about` and the launches' fetch URLs
 * (`POST /xapi/fetch/:registration`) need neither credentials nor the version header.
 */
@Injectable()
export class XapiGuard implements CanActivate {
  constructor(
    private readonly config: ConfigService<Environment, true>,
    private readonly launches: LaunchService,
    private readonly xapi: XapiService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = this.config.get('XAPI_KEY', { infer: true });
    const secret = this.config.get('XAPI_SECRET', { infer: true });
    if (!key || !secret) {
      throw new NotFoundException(`Cannot ${request.method} ${request.path}`);
    }
    const asked = request.headers['x-experience-api-version'];
    const version: XapiVersion | undefined =
      typeof asked === 'string' && /^2\.0(\.\d+)?$/.test(asked)
        ? '2.0.0'
        : typeof asked === 'string' && /^1\.0(\.\d+)?$/.test(asked)
          ? '1.0.3'
          : undefined;
    response.setHeader('X-Experience-API-Version', version ?? '2.0.0');
    if (request.path === '/xapi/statements') {
      // Every answer of the Statements resource, errors too.
      response.setHeader('X-Experience-API-Consistent-Through', (await this.xapi.consistentThrough()).toISOString());
    }
    if (request.path === '/xapi/about') {
      return true;
    }
    if (request.path.startsWith('/xapi/fetch/')) {
      // cmi5's fetch URL: what a launched app calls before it has a credential (it answers with one).
      return true;
    }
    const credential = await this.credentialOf(request.headers.authorization, key, secret);
    if (!credential) {
      response.setHeader('WWW-Authenticate', XAPI_REALM);
      throw new UnauthorizedException(
        'xAPI needs HTTP Basic credentials (XAPI_KEY and XAPI_SECRET, or a launched session’s credential)',
      );
    }
    if (version === undefined) {
      throw new BadRequestException(
        asked === undefined
          ? 'The X-Experience-API-Version header is required'
          : `X-Experience-API-Version ${String(asked)} is not supported: use 1.0.3 or 2.0.0`,
      );
    }
    (request as Request & { xapiVersion: XapiVersion }).xapiVersion = version;
    // Decoded, bytes that are not UTF-8 would become U+FFFD: a document stored, or statements looked for, under that.
    if (!isQueryInUtf8(request.url)) throw new BadRequestException(QUERY_NOT_UTF8);
    // Text the database cannot store, refused as everywhere in the portal (a lone surrogate cannot be in a URL).
    const { unstorable } = inspectJson(request.query);
    if (unstorable !== undefined) throw new BadRequestException(`${unstorable} ${UNSTORABLE_TEXT}`);
    if (credential !== 'client') {
      (request as Request & { xapiLaunch: { registration: string } }).xapiLaunch = credential;
      const { path, method } = request;
      const ownState =
        path === '/xapi/activities/state' &&
        typeof request.query.registration === 'string' &&
        request.query.registration.toLowerCase() === credential.registration;
      const reading = READABLE_BY_LAUNCH.includes(path) && (method === 'GET' || method === 'HEAD');
      if (path !== '/xapi/statements' && !ownState && !reading) {
        throw new ForbiddenException(
          'A launch credential reaches the statements and the state of its own registration, and reads activities and agents',
        );
      }
    }
    return true;
  }

  /**
   * Whose credential HTTP Basic carries: the xAPI client's (XAPI_KEY/XAPI_SECRET, compared in constant
   * time), a launched session's (its registration and the token its fetch URL gave), or none.
   */
  private async credentialOf(
    header: string | undefined,
    key: string,
    secret: string,
  ): Promise<'client' | { registration: string } | null> {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!match) return null;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    const keyOk = sameSecret(user, key);
    const secretOk = sameSecret(password, secret);
    if (keyOk && secretOk) return 'client';
    if (isUuid(user) && (await this.launches.verify(user, password))) return { registration: user.toLowerCase() };
    return null;
  }
}

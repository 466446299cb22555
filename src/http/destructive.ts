import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExtension } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Environment } from '../config.js';
import { sameSecret } from '../core/secrets.js';
import { ApiProblems } from './problem-document.js';
import type { Operations } from './operations.js';

/** The OpenAPI extension that marks an operation that destroys data (always, or with `force=true`). */
const EXTENSION = 'x-destroys-data';
type Destroys = 'always' | 'with force=true';

const destroysData = (request: Request, destroys: unknown) =>
  destroys === 'always' || (destroys === 'with force=true' && request.query.force === 'true');

/** With `ADMIN_TOKEN` set, an operation that destroys data needs `Authorization: Bearer <token>` (compared in constant time). */
@Injectable()
class AdminTokenGuard implements CanActivate {
  constructor(private readonly config: ConfigService<Environment, true>) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.get('ADMIN_TOKEN', { infer: true });
    const request = context.switchToHttp().getRequest<Request>();
    const destroys: unknown = Reflect.getMetadata(EXTENSION, context.getHandler());
    if (!token || !destroysData(request, destroys)) {
      return true;
    }
    // The scheme is case-insensitive (RFC 9110, 11.1).
    const sent = /^bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (sent === undefined) {
      context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="lang-portal"');
      throw new UnauthorizedException('This request destroys data: send Authorization: Bearer <ADMIN_TOKEN>');
    }
    if (!sameSecret(sent, token)) {
      throw new ForbiddenException('The admin token is not the one configured');
    }
    return true;
  }
}

/**
 * Marks an operation that destroys data: browsers on other origins may call it only from
 * `CORS_ORIGINS` (its required JSON body, or DELETE, makes them ask first), and with `ADMIN_TOKEN`
 * set it needs that token.
 */
export const DestroysData = (destroys: Destroys = 'always') =>
  applyDecorators(
    SetMetadata(EXTENSION, destroys),
    ApiExtension(EXTENSION, destroys),
    UseGuards(AdminTokenGuard),
    ApiProblems(401, 403),
  );

// What scripts of other origins may read besides the safelisted headers: where a created resource is, when a rate
// limited client may send again, and what xAPI content needs (the ETag of a state for its If-Match writes, the
// version and consistency of an answer).
const EXPOSED_HEADERS = [
  'Location',
  'ETag',
  'Last-Modified',
  'Retry-After',
  'X-Experience-API-Version',
  'X-Experience-API-Consistent-Through',
];

/** CORS: open to every origin, but for operations that destroy data only to `allowedOrigins`. */
export function corsOptions(operations: Operations, allowedOrigins: string[]) {
  const open = { origin: '*' as string | string[], exposedHeaders: EXPOSED_HEADERS };
  const restricted = { ...open, origin: allowedOrigins };
  return (request: Request, callback: (error: Error | null, options: typeof open) => void) => {
    // A preflight names the method it asks for.
    const method =
      request.method === 'OPTIONS' ? String(request.headers['access-control-request-method'] ?? '') : request.method;
    const operation = operations.find(method, request.path) as Record<string, unknown> | undefined;
    callback(null, destroysData(request, operation?.[EXTENSION]) ? restricted : open);
  };
}

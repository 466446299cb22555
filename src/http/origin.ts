import { isIPv6 } from 'node:net';
import {
  BadRequestException,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type PipeTransform,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import type { Environment } from '../config.js';

/** The characters of a host and its port, as RFC 3986 writes them: no userinfo, path, query or fragment. */
const HOST = /^(?:\[[\w:.~!$&'()*+,;=%-]+\]|[\w.~!$&'()*+,;=%-]*)(?::\d*)?$/;

/** A Host header's value (RFC 9112 §3.2): a host, and a port, that an http URL can name (none is no host). */
const isHost = (value: string) => value === '' || (HOST.test(value) && URL.parse(`http://${value}/`) !== null);

/**
 * Refuses, with a 400 as RFC 9112 §3.2 has it, a request with more than one Host line or a Host that is no host: the
 * portal names itself by it when PUBLIC_URL is not set (an app's launch_url and api_base), which `a/b?c#`, `user@a`
 * or two hosts made into another address.
 */
export function refuseInvalidHost(request: Request, _response: Response, next: NextFunction): void {
  const hosts = request.headersDistinct.host ?? [];
  if (hosts.length > 1) {
    next(new BadRequestException('The request has more than one Host header'));
  } else if (hosts.length === 1 && !isHost(hosts[0])) {
    next(new BadRequestException('The Host header is not a host with an optional port'));
  } else {
    next();
  }
}

/** The portal's own address: PUBLIC_URL, or the address the request came to (no trailing slash). */
function portalOrigin(config: ConfigService<Environment, true>, request: Request): string {
  return (
    config.get('PUBLIC_URL', { infer: true }) ??
    // An empty Host is none: `http://` alone made api_base `http:/api/v1`.
    `${request.protocol}://${request.get('host') || `localhost:${config.get('PORT', { infer: true })}`}`
  ).replace(/\/+$/, '');
}

@Injectable()
class PortalOriginOfRequest implements PipeTransform<Request, string> {
  constructor(private readonly config: ConfigService<Environment, true>) {}

  transform(request: Request): string {
    return portalOrigin(this.config, request);
  }
}

const CurrentRequest = createParamDecorator((_: unknown, context: ExecutionContext) =>
  context.switchToHttp().getRequest<Request>(),
);

/** The handler's parameter is the portal's own address as this request reaches it (`portalOrigin`). */
export const PortalOrigin = () => CurrentRequest(undefined, PortalOriginOfRequest);

/**
 * PUBLIC_URL's path without its trailing slash ('' when it is the root, or unset): a proxy serving the portal under
 * that path takes it off each request, and a link without the host must name it to reach the portal.
 */
export function publicPath(config: ConfigService<Environment, true>): string {
  const publicUrl = config.get('PUBLIC_URL', { infer: true });
  return publicUrl ? new URL(publicUrl).pathname.replace(/\/+$/, '') : '';
}

/** The `http://` origin of an address the server listens on: an IPv6 address in brackets, as URLs write it. */
export function listeningOrigin(host: string, port: number): string {
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

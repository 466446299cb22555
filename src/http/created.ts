import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  mixin,
  type NestInterceptor,
  type Type,
  UseInterceptors,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiCreatedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type Observable, tap } from 'rxjs';
import type { Environment } from '../config.js';
import { publicPath } from './origin.js';

/**
 * Where a created resource is: its URL from the request that created it and the response's body (`never`: a
 * locator reads the body of its own endpoint).
 */
export type Locator = (request: Request, created: never) => string;

/** The collection's URL (the request's, which routing takes with a trailing slash too) and the new id. */
export const inCollection: Locator = (request, created: { id: number }) =>
  `${request.path.replace(/\/$/, '')}/${created.id}`;

/** Sets `Location` to the URL of the resource a POST created, as `locate` finds it. */
function LocationOf(locate: Locator): Type<NestInterceptor> {
  @Injectable()
  class LocationInterceptor implements NestInterceptor {
    // PUBLIC_URL's path, which a proxy serving the portal under it takes off each request: without it, a client
    // resolves the path against the host alone and misses the portal.
    private readonly base: string;

    constructor(config: ConfigService<Environment, true>) {
      this.base = publicPath(config);
    }

    intercept(context: ExecutionContext, next: CallHandler<never>): Observable<never> {
      const http = context.switchToHttp();
      return next
        .handle()
        .pipe(tap((created) => http.getResponse<Response>().location(this.base + locate(http.getRequest(), created))));
    }
  }
  return mixin(LocationInterceptor);
}

/** A POST that creates a resource: 201 with its URL (`locate` finds it) in `Location`, documented with `description`. */
export const CreatedAt = (type: Type<unknown>, description: string, locate: Locator) =>
  applyDecorators(
    UseInterceptors(LocationOf(locate)),
    ApiCreatedResponse({
      type,
      description,
      headers: { Location: { description: 'URL of the new resource', schema: { type: 'string' } } },
    }),
  );

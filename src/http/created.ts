import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
  UseInterceptors,
} from '@nestjs/common';
import { ApiCreatedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type Observable, tap } from 'rxjs';

/**
 * Where a created resource is: its URL from the request that created it and the response's body (`never`: a
 * locator reads the body of its own endpoint).
 */
export type Locator = (request: Request, created: never) => string;

/** The collection's URL (the request's, which routing takes with a trailing slash too) and the new id. */
export const inCollection: Locator = (request, created: { id: number }) =>
  `${request.path.replace(/\/$/, '')}/${created.id}`;

/** Sets `Location` to the URL of the resource a POST created, as `locate` finds it. */
class LocationInterceptor implements NestInterceptor {
  constructor(private readonly locate: Locator) {}

  intercept(context: ExecutionContext, next: CallHandler<never>): Observable<never> {
    const http = context.switchToHttp();
    return next
      .handle()
      .pipe(tap((created) => http.getResponse<Response>().location(this.locate(http.getRequest(), created))));
  }
}

/** A POST that creates a resource: 201 with its URL (`locate` finds it) in `Location`, documented with `description`. */
export const CreatedAt = (type: Type<unknown>, description: string, locate: Locator) =>
  applyDecorators(
    UseInterceptors(new LocationInterceptor(locate)),
    ApiCreatedResponse({
      type,
      description,
      headers: { Location: { description: 'URL of the new resource', schema: { type: 'string' } } },
    }),
  );

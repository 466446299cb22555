import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type Type,
  UseInterceptors,
} from '@nestjs/common';
import { ApiCreatedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type Observable, tap } from 'rxjs';

/** Sets `Location` to the URL of the resource a POST created: the collection's URL and the new id. */
@Injectable()
class LocationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    return next
      .handle()
      .pipe(
        tap((created: { id: number }) =>
          http.getResponse<Response>().location(`${http.getRequest<Request>().path}/${created.id}`),
        ),
      );
  }
}

/** A POST that creates a resource: 201 with its URL in `Location`, documented with `description`. */
export const CreatedAt = (type: Type<unknown>, description: string) =>
  applyDecorators(
    UseInterceptors(LocationInterceptor),
    ApiCreatedResponse({
      type,
      description,
      headers: { Location: { description: 'URL of the new resource', schema: { type: 'string' } } },
    }),
  );

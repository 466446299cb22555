import {
  applyDecorators,
  type ArgumentMetadata,
  BadRequestException,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type PipeTransform,
  type Type,
  UnsupportedMediaTypeException,
  UseInterceptors,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ApiCreatedResponse, ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidateIf, type ValidationOptions } from 'class-validator';
import type { Request, Response } from 'express';
import { type Observable, tap } from 'rxjs';
import { ValidationFailedException } from './errors.js';

/** A path id: a positive integer, else 400. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const id = /^[1-9]\d*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id)) {
      throw new ValidationFailedException([{ field: metadata.data ?? 'id', message: 'must be a positive integer' }]);
    }
    return id;
  }
}

/** An integer written in plain decimal digits (query strings, environment); anything else fails `@IsInt`. */
export const DecimalInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));

/** Trims a string field; other values pass unchanged for the validators to judge. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** A query-string boolean: only `true` and `false` become booleans, anything else fails `@IsBoolean`. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

// Far deeper than any real body, far shallower than what class-transformer (recursive) and SQLite's
// JSON functions (1000 levels) can take.
const MAX_DEPTH = 32;

/**
 * Walks a parsed body or query without recursion: how deep it nests, and the first field whose text
 * (key or value) SQLite cannot take: U+0000 ends its SQL text, and a lone surrogate is no Unicode.
 */
function inspect(value: unknown): { depth: number; badText?: string } {
  let deepest = 0;
  const pending: [unknown, number, string][] = [[value, 0, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth, path] = next;
    if (typeof item === 'string' && (item.includes('\u0000') || !item.isWellFormed())) {
      return { depth: deepest, badText: path };
    }
    if (item !== null && typeof item === 'object') {
      deepest = Math.max(deepest, depth + 1);
      for (const [key, child] of Object.entries(item)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes('\u0000') || !key.isWellFormed()) {
          return { depth: deepest, badText: childPath };
        }
        pending.push([child, depth + 1, childPath]);
      }
    }
  }
  return { depth: deepest };
}

const declaredParameters = new WeakMap<object, Set<string>>();

/**
 * Whether the handler declares a parameter of this kind (`@Body()`, `@Query()`), read from the metadata
 * Nest keeps as "type:index" keys, once per handler.
 */
function declares(context: ExecutionContext, type: RouteParamtypes): boolean {
  const handler = context.getHandler();
  let types = declaredParameters.get(handler);
  if (!types) {
    const args: object = Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {};
    types = new Set(Object.keys(args).map((key) => key.split(':')[0]));
    declaredParameters.set(handler, types);
  }
  return types.has(String(type));
}

/**
 * What every request must be, before validation: a body in JSON (else 415); body and query nested at
 * most MAX_DEPTH levels, with text SQLite can store (else 400); no body or query where the endpoint
 * takes none (any field is then unknown: 400, as it is for endpoints that take them).
 */
@Injectable()
export class RequestGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && !request.is('application/json')) {
      throw new UnsupportedMediaTypeException('The request body must be application/json');
    }
    for (const [value, type] of [
      [request.body, RouteParamtypes.BODY],
      [request.query, RouteParamtypes.QUERY],
    ] as const) {
      const { depth, badText } = inspect(value);
      if (depth > MAX_DEPTH) {
        throw new BadRequestException(`The request is nested deeper than ${MAX_DEPTH} levels`);
      }
      if (badText !== undefined) {
        throw new ValidationFailedException([
          { field: badText, message: 'must not contain U+0000 or unpaired surrogate code points' },
        ]);
      }
      const fields = value && typeof value === 'object' && !declares(context, type) ? Object.keys(value) : [];
      if (fields.length > 0) {
        throw new ValidationFailedException(fields.map((field) => ({ field, message: 'is not a known field' })));
      }
    }
    return true;
  }
}

export class SuccessDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ example: 'Study history has been reset' })
  message!: string;
}

/** The field may be left out, but `null` is not a value for it (unlike `@IsOptional`). */
export const IsOmittable = () => ValidateIf((_, value) => value !== undefined);

/** An id: a positive integer that a JavaScript number holds exactly (a larger one would be rounded). */
export const IsId = (options?: ValidationOptions) => (target: object, property: string) => {
  IsInt(options)(target, property);
  Min(1, options)(target, property);
  Max(Number.MAX_SAFE_INTEGER, options)(target, property);
};

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

/** A POST that creates a resource: 201 with its URL in `Location`, documented. */
export const CreatedAt = (type: Type<unknown>) =>
  applyDecorators(
    UseInterceptors(LocationInterceptor),
    ApiCreatedResponse({
      type,
      headers: { Location: { description: 'URL of the new resource', schema: { type: 'string' } } },
    }),
  );

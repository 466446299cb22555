import {
  type ArgumentMetadata,
  BadRequestException,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  type PipeTransform,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';
import type { Request } from 'express';
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

/** A query-string integer: only plain digits become a number, anything else fails `@IsInt`. */
export const QueryInt = () =>
  Transform(({ value }) =>
    typeof value === 'string' && /^\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value,
  );

/** Trims a string field; other values pass unchanged for the validators to judge. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** A query-string boolean: only `true` and `false` become booleans, anything else fails `@IsBoolean`. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

// Far deeper than any real body, far shallower than what class-transformer (recursive) and SQLite's
// JSON functions (1000 levels) can take.
const MAX_BODY_DEPTH = 32;

/** The deepest nesting of objects and arrays in a parsed JSON value (iterative: any depth is safe). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (item !== null && typeof item === 'object') {
      deepest = Math.max(deepest, depth + 1);
      for (const child of Object.values(item)) {
        pending.push([child, depth + 1]);
      }
    }
  }
  return deepest;
}

const NO_BODY = 'lang-portal:no-body';

/** Marks an endpoint that takes no body, like every GET and DELETE. */
export const NoBody = () => SetMetadata(NO_BODY, true);

/**
 * The body of a request: JSON (else 415), nested at most MAX_BODY_DEPTH levels (else 400), and absent
 * where the endpoint takes none (any field is then unknown: 400, as on every other endpoint).
 */
@Injectable()
export class RequestBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && !request.is('application/json')) {
      throw new UnsupportedMediaTypeException('The request body must be application/json');
    }
    if (depthOf(request.body) > MAX_BODY_DEPTH) {
      throw new BadRequestException(`The request body is nested deeper than ${MAX_BODY_DEPTH} levels`);
    }
    const takesNoBody =
      request.method === 'GET' || request.method === 'DELETE' || this.reflector.get(NO_BODY, context.getHandler());
    const fields = takesNoBody && request.body && typeof request.body === 'object' ? Object.keys(request.body) : [];
    if (fields.length > 0) {
      throw new ValidationFailedException(fields.map((field) => ({ field, message: 'is not a known field' })));
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

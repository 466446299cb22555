import {
  type ArgumentMetadata,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  type PipeTransform,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
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
  Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));

/** Trims a string field; other values pass unchanged for the validators to judge. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** A query-string boolean: only `true` and `false` become booleans, anything else fails `@IsBoolean`. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** A request that carries a body must say it is JSON (415 otherwise). */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && !request.is('application/json')) {
      throw new UnsupportedMediaTypeException('The request body must be application/json');
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

/** For endpoints that take no body: any field sent is unknown (400), like on every other endpoint. */
@Injectable()
export class NoBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const body: unknown = context.switchToHttp().getRequest<Request>().body;
    const fields = body && typeof body === 'object' ? Object.keys(body) : [];
    if (fields.length > 0) {
      throw new ValidationFailedException(fields.map((field) => ({ field, message: 'is not a known field' })));
    }
    return true;
  }
}

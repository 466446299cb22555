import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiProblems, ValidationFailedException } from '../http/problem-document.js';

/** What a key may be: its schema in the document, and the check IdempotencyService makes, so the two agree. */
export const IDEMPOTENCY_KEY = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  // Printable ASCII, spaces inside only: HTTP drops those around a header's value.
  pattern: '^[\\x21-\\x7e](?:[\\x20-\\x7e]{0,253}[\\x21-\\x7e])?$',
} as const;

/** Documents the `Idempotency-Key` header of an endpoint that records answers. */
export const ApiIdempotencyKey = () =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      schema: { ...IDEMPOTENCY_KEY },
      description:
        '1–255 printable ASCII characters (spaces inside only), kept 24 hours. A retry with the same key and body returns the first ' +
        'response and records nothing; the same key with another body gets 422; a retry while the first request ' +
        'is still running gets 409.',
    }),
    ApiProblems(
      [409, 'A request with this Idempotency-Key is still being processed'],
      [422, 'This Idempotency-Key was already used for a different request'],
    ),
  );

/**
 * The `Idempotency-Key` request header, if sent. Sent twice, it is a 400: Node joins the two into one key
 * (`a, b`) that neither named, which a retry sending one of them would not find.
 */
export const IdempotencyKeyHeader = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const keys = context.switchToHttp().getRequest<Request>().headersDistinct['idempotency-key'];
  if (keys !== undefined && keys.length > 1) {
    throw new ValidationFailedException([{ field: 'Idempotency-Key', message: 'is given more than once' }]);
  }
  return keys?.[0];
});

import {
  BadRequestException,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  HttpException,
  Injectable,
  mixin,
  type NestInterceptor,
  PayloadTooLargeException,
  SetMetadata,
  type Type,
  UnsupportedMediaTypeException,
  UseInterceptors,
} from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigService } from '@nestjs/config';
import type { Reflector } from '@nestjs/core';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { catchError, type Observable } from 'rxjs';
import { bytesOf, type Environment } from '../config.js';
import { inspectJson, isJsonObject, UNSTORABLE_TEXT } from '../core/json.js';
import { ValidationFailedException, WRITES } from './problem-document.js';
import { PRECONDITION_HEADERS, preconditionsOf, refuseConditions, refusesConditionsOnceFound } from './entity-tag.js';
import { unroutedProblem } from './problems.js';
import type { OperationObject, Operations } from './operations.js';

// Far deeper than any real body, far shallower than what class-transformer (recursive) and SQLite's
// JSON functions (1000 levels) can take.
const MAX_DEPTH = 32;
/**
 * The levels an import's body (`{ "words": [word] }`) has above a word's parts past those of `POST /words`'s (`word`),
 * which it may nest deeper, so that every word `POST /words` stored, exported, imports again.
 */
const ROWS_LEVELS = 2;
// Far more than any object the API takes has (parts included). Validation runs every body through class-transformer,
// whose time grows with the square of an object's fields (it dedupes their names with indexOf): 80,000 fields, in a
// body under 1 MB, held the server for 5 s or more.
const MAX_FIELDS = 1000;

/**
 * The body is of one of these media types (`application/json`, `text/csv`), with no charset or `utf-8` (an alias such
 * as `utf8`, which the JSON parser would refuse with a message of its own, is refused here, for every type alike).
 */
export function isInUtf8(request: IncomingMessage, mediaTypes: string[]): boolean {
  const type = request.headers['content-type'] ?? '';
  const charset = /;\s*charset="?([^";\s]+)/i.exec(type)?.[1];
  const mediaType = /^([^;\s]+)\s*(;|$)/.exec(type)?.[1].toLowerCase();
  return (
    mediaType !== undefined && mediaTypes.includes(mediaType) && (charset === undefined || /^utf-8$/i.test(charset))
  );
}

/** `application/json`, with no charset or UTF-8 (JSON is UTF-8, RFC 8259). */
export function isJsonInUtf8(request: IncomingMessage): boolean {
  return isInUtf8(request, ['application/json']);
}

/**
 * The JSON parsers' `verify`: a body whose bytes are no UTF-8 is a 400. Decoded, each such byte would become U+FFFD
 * and be stored in place of what the client meant.
 */
export function verifyUtf8(_request: IncomingMessage, _response: ServerResponse, body: Buffer): void {
  if (!isUtf8(body)) {
    throw new BadRequestException('The request body is not UTF-8');
  }
}

/**
 * The JSON parsers' options: UTF-8 JSON of any kind. Every body the API takes in JSON is an object, which the request
 * checks require with a message saying so; the parser's own strict mode calls `null` or `[]` JSON that is not valid.
 */
export const JSON_BODY = { type: isJsonInUtf8, verify: verifyUtf8, strict: false };

export const QUERY_NOT_UTF8 = 'The query string is not UTF-8 (percent-encoded)';

/**
 * The query string's percent-encoded bytes are UTF-8. Decoded, each other byte would become U+FFFD, and a search
 * would look for that instead of what the client meant.
 */
export function isQueryInUtf8(url: string): boolean {
  const start = url.indexOf('?');
  if (start < 0 || !url.includes('%', start)) {
    return true;
  }
  // Each decoded byte a character of its own (the rest of a URL is ASCII: Node refuses other bytes); a `%` that
  // encodes nothing stays one.
  const bytes = url
    .slice(start + 1)
    .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return isUtf8(Buffer.from(bytes, 'latin1'));
}

const unknownFields = (fields: string[]) =>
  new ValidationFailedException(fields.map((field) => ({ field, message: 'is not a known field' })));

/**
 * A parsed body or query: nested at most MAX_DEPTH levels (rows, ROWS_LEVELS more), no object of more than MAX_FIELDS
 * fields, with text the database can store (unless `checkedByRows()`: the handler checks it), and no field when the
 * operation takes none of this kind, nor one named like an Object.prototype member (which validation drops unseen).
 */
function checkInput(value: unknown, taken: boolean, checkedByRows = () => false): void {
  const { depth, widest, unstorable } = inspectJson(value);
  const deepest = depth > MAX_DEPTH && checkedByRows() ? MAX_DEPTH + ROWS_LEVELS : MAX_DEPTH;
  if (depth > deepest) {
    throw new BadRequestException(`The request is nested deeper than ${deepest} levels`);
  }
  if (widest > MAX_FIELDS) {
    throw new BadRequestException(`An object of the request has more than ${MAX_FIELDS} fields`);
  }
  if (unstorable !== undefined && !checkedByRows()) {
    // Bodies and queries are objects here (text, a CSV body, is checked by its rows): the path names a field.
    throw new ValidationFailedException([{ field: unstorable, message: UNSTORABLE_TEXT }]);
  }
  const fields = value && typeof value === 'object' ? Object.keys(value) : [];
  const undeclared = taken ? fields.filter((key) => key in Object.prototype || key === 'prototype') : fields;
  if (undeclared.length > 0) {
    throw unknownFields(undeclared);
  }
}

/** The operation compares `If-Match` and `If-None-Match` with the resource's ETag (`ApiPreconditions`). */
const takesPreconditions = (operation: OperationObject | undefined) =>
  (operation?.parameters ?? []).some(
    (parameter) => 'in' in parameter && parameter.in === 'header' && PRECONDITION_HEADERS.includes(parameter.name),
  );

const ROWS_CHECK_TEXT = Symbol('the rows of the body check their text');

/**
 * The body is rows (an import) that check their text themselves, each error naming its row and field: the guard
 * leaves the body's text to them, and lets it nest ROWS_LEVELS deeper than other bodies.
 */
export const TextCheckedByRows = () => SetMetadata(ROWS_CHECK_TEXT, true);

/**
 * What every routed request must be before validation: a write conditional on an ETag only where the operation takes
 * `If-Match` and `If-None-Match` (else 412: `NOT_CONDITIONAL`; the handler's own once it finds what it writes to, where
 * it says so: `ConditionsRefusedOnceFound`); a body in JSON, or in another media type the OpenAPI document declares for
 * the operation (a CSV import), in UTF-8 (else 415); body and query nested at most MAX_DEPTH levels, no object of them
 * wider than MAX_FIELDS fields, with text SQLite can store, a query string in UTF-8 with no parameter given twice (else
 * 400); and no body or query field the OpenAPI document does not declare for the operation (validation whitelists the
 * declared ones, but never sees a body or query of an endpoint that takes none, nor fields named like
 * Object.prototype members, which it drops unseen).
 */
export class RequestChecksGuard implements CanActivate {
  constructor(
    private readonly operations: Operations,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    // The xAPI resources follow xAPI's rules (JSON or multipart bodies, its own parameters), checked by XapiGuard
    // and the Statements resource.
    if (request.path === '/xapi' || request.path.startsWith('/xapi/')) {
      return true;
    }
    const operation = this.operations.find(request.method === 'HEAD' ? 'GET' : request.method, request.path);
    // A path of the document asked with a method it does not take there, caught by a route with a parameter
    // (GET /words/import reaches GET /words/:id).
    if (!operation && this.operations.methodsOf(request.path).length > 0) {
      throw unroutedProblem(this.operations, request, context.switchToHttp().getResponse<Response>());
    }
    if (
      WRITES.has(request.method.toLowerCase()) &&
      !takesPreconditions(operation) &&
      !refusesConditionsOnceFound(this.reflector, context.getHandler())
    ) {
      refuseConditions(preconditionsOf(request));
    }
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    const declared = operation?.requestBody && 'content' in operation.requestBody ? operation.requestBody.content : {};
    const mediaTypes = Object.keys(declared).length > 0 ? Object.keys(declared) : ['application/json'];
    if (hasBody && !isInUtf8(request, mediaTypes)) {
      throw new UnsupportedMediaTypeException(`The request body must be ${mediaTypes.join(' or ')}, in UTF-8`);
    }
    if (request.body !== undefined && isJsonInUtf8(request) && !isJsonObject(request.body)) {
      throw new BadRequestException('The request body must be a JSON object');
    }
    const takes = {
      body: operation?.requestBody !== undefined,
      query: (operation?.parameters ?? []).some((parameter) => 'in' in parameter && parameter.in === 'query'),
    };
    // The handler's metadata is read only for a body with such text or depth: no cost to any other request.
    checkInput(request.body, takes.body, () => this.reflector.get(ROWS_CHECK_TEXT, context.getHandler()) === true);
    if (!isQueryInUtf8(request.url)) {
      throw new BadRequestException(QUERY_NOT_UTF8);
    }
    checkInput(request.query, takes.query);
    // Every query parameter the API takes is one value; Express makes one given more than once a list, which
    // validation would call a value of the wrong kind.
    const repeated = Object.keys(request.query).filter((name) => Array.isArray(request.query[name]));
    if (repeated.length > 0) {
      throw new ValidationFailedException(repeated.map((field) => ({ field, message: 'is given more than once' })));
    }
    return true;
  }
}

/** The checks of a body, on the fields of a multipart form once multer has read them. */
class FormChecks implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    checkInput(context.switchToHttp().getRequest<Request>().body, true);
    return next.handle();
  }
}

/** Multer reads a form's bytes as they come, where the body parsers inflate a compressed body first. */
class UncompressedForm implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const encoding = context.switchToHttp().getRequest<Request>().headers['content-encoding'];
    if (encoding !== undefined && !/^\s*identity\s*$/i.test(encoding)) {
      throw new UnsupportedMediaTypeException(`The form must be sent without a Content-Encoding (it has ${encoding})`);
    }
    return next.handle();
  }
}

/**
 * Multer's limits of a form but its file's size: one file, and room for a few fields more than any endpoint takes, so
 * that each is refused by name (a form takes no field larger than 1 MB, multer's default, written out to be stated).
 */
export const FORM_LIMITS = { files: 1, fields: 10, fieldSize: 1024 * 1024 };

/** The settings that bound a form's file (multer's `fileSize`, which its module sets from the same setting). */
type FileLimit = 'ANKI_IMPORT_LIMIT';

/**
 * Multer's refusals of a form, which Nest passes on in multer's words ("Unexpected file field - x", "Too many files",
 * "File too large", "Too many fields"; its error kept as the cause), in the API's: a file in another field is a field
 * it does not know, a second file a field given more than once, a file too large a 413 that states the limit, and
 * too many fields or too long a one a 400 that does.
 */
function FormRefusals(field: string, limit: FileLimit): Type<NestInterceptor> {
  @Injectable()
  class FormRefusalsInterceptor implements NestInterceptor {
    private readonly limit: number;

    constructor(config: ConfigService<Environment, true>) {
      this.limit = bytesOf(config.get(limit, { infer: true }));
    }

    intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
      return next.handle().pipe(
        catchError((error: unknown) => {
          throw this.inApiWords(error);
        }),
      );
    }

    private inApiWords(error: unknown): unknown {
      const cause = (error instanceof HttpException ? error.cause : undefined) as
        { name?: string; code?: string; field?: string } | undefined;
      if (cause?.name !== 'MulterError') {
        return error;
      }
      switch (cause.code) {
        case 'LIMIT_UNEXPECTED_FILE':
          return new ValidationFailedException([
            { field: String(cause.field), message: `is not a known field: the form's file is ${field}` },
          ]);
        case 'LIMIT_FILE_COUNT':
          return new ValidationFailedException([{ field, message: 'is given more than once' }]);
        case 'LIMIT_FILE_SIZE':
          return new PayloadTooLargeException(`The file is larger than the limit of ${this.limit} bytes`);
        case 'LIMIT_FIELD_COUNT':
          return new BadRequestException(`The form has more than ${FORM_LIMITS.fields} fields`);
        case 'LIMIT_FIELD_VALUE':
          return new ValidationFailedException([
            { field: String(cause.field), message: `is longer than ${FORM_LIMITS.fieldSize} bytes` },
          ]);
        case 'MISSING_FIELD_NAME':
          return new BadRequestException('A field of the form has no name');
        default:
          return error;
      }
    }
  }
  return mixin(FormRefusalsInterceptor);
}

/**
 * A `multipart/form-data` upload with the file in `field`, up to the size `limit` sets. Multer reads the form in its
 * interceptor, after the guards: its other fields are checked as RequestChecksGuard checks a body, once they are read.
 */
export const FormUpload = (field: string, limit: FileLimit) =>
  UseInterceptors(UncompressedForm, FormRefusals(field, limit), FileInterceptor(field), FormChecks);

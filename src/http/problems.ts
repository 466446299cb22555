import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  DriverException,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  MethodNotAllowedException,
  NotFoundException,
} from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import type { NextFunction, Request, Response } from 'express';
import { TYPE_CONSTRAINTS } from '../core/http.js';
import { dialect } from '../database/dialect.js';
import {
  ConflictingFieldsException,
  DATABASE_BUSY,
  type FieldErrorDto,
  type ProblemDto,
  REFERENCE_DELETED,
  STORAGE_FULL,
  ValidationFailedException,
} from './problem-document.js';
import type { Operations } from './operations.js';

// A value that is not the array or object asked for fails its items' checks too.
const CONTAINER_CONSTRAINTS = new Set(['isArray', 'isObject']);

/** class-validator messages start with the property name; the problem's `errors[]` keeps it apart. */
export function toFieldErrors(errors: ValidationError[], prefix = ''): FieldErrorDto[] {
  return errors.flatMap((error) => {
    const field = prefix + error.property;
    // ValidateNested's own complaint, of an item that is no object, is EachNested's, which names the item.
    const failed = Object.entries(error.constraints ?? {}).filter(([constraint]) => constraint !== 'nestedValidation');
    // A value of the wrong type fails its range and length checks too; the type is the whole story.
    const wrongType = failed.filter(([constraint]) => CONTAINER_CONSTRAINTS.has(constraint));
    if (wrongType.length === 0) {
      wrongType.push(...failed.filter(([constraint]) => TYPE_CONSTRAINTS.has(constraint)));
    }
    // A field left out fails its type check as a value of the wrong type would; what it lacks is the field itself.
    if (error.value === undefined && wrongType.length > 0) {
      return [{ field, message: 'is required' }];
    }
    const own = (wrongType.length > 0 ? wrongType : failed).map(([constraint, message]) => {
      if (constraint === 'whitelistValidation') {
        return { field, message: 'is not a known field' };
      }
      // A check of a whole object may start with the path of the value inside it that fails
      // (`parts.romanization must be a string`): that value is the field.
      const named = new RegExp(`^(each value in )?${error.property}((?:\\.\\w+)*) `).exec(message);
      return named
        ? { field: field + named[2], message: (named[1] ? 'each value ' : '') + message.slice(named[0].length) }
        : { field, message };
    });
    return [...own, ...toFieldErrors(error.children ?? [], `${field}.`)];
  });
}

function problemFor(exception: unknown): ProblemDto {
  if (exception instanceof ValidationFailedException || exception instanceof ConflictingFieldsException) {
    return problem(exception.getStatus(), exception.message, exception.errors);
  }
  // Errors of Express middleware (the body parsers) come wrapped as well: Nest's Express adapter makes each 4xx one
  // an HttpException, keeping it as the cause.
  if (exception instanceof HttpException) {
    // The body parser's error names the limit a body broke, or says where the JSON it could not parse went wrong.
    const cause = exception.cause as
      | { status?: unknown; limit?: unknown; type?: unknown; encoding?: unknown; errno?: unknown; syscall?: unknown }
      | undefined;
    if (cause?.status === HttpStatus.PAYLOAD_TOO_LARGE && typeof cause.limit === 'number') {
      return problem(HttpStatus.PAYLOAD_TOO_LARGE, `The request body is larger than the limit of ${cause.limit} bytes`);
    }
    // A Content-Encoding the parsers do not read, or a body that does not decompress as it says (zlib's error: an errno
    // without a socket's syscall): in the API's words, not zlib's ("incorrect header check", "Unknown frame descriptor").
    if (cause?.type === 'encoding.unsupported') {
      return problem(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        `The request body's Content-Encoding, ${String(cause.encoding)}, is none the portal reads: gzip, deflate, br or zstd`,
      );
    }
    if (cause?.status === HttpStatus.BAD_REQUEST && typeof cause.errno === 'number' && cause.syscall === undefined) {
      return problem(HttpStatus.BAD_REQUEST, 'The request body does not decompress as its Content-Encoding says');
    }
    if (cause?.type === 'entity.parse.failed') {
      return problem(HttpStatus.BAD_REQUEST, `The request body is not valid JSON: ${exception.message}`);
    }
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const detail = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
    return problem(exception.getStatus(), detail);
  }
  // The services check uniqueness first; the unique index answers a duplicate that another connection
  // (another process on the same database) wrote between that check and this write.
  if (exception instanceof UniqueConstraintViolationException) {
    return problem(HttpStatus.CONFLICT, 'The request conflicts with stored data');
  }
  // Likewise what a request refers to is looked up first; a foreign key answers a row another request deleted
  // between that look-up and this write (a group deleted while words were being added to it).
  if (exception instanceof ForeignKeyConstraintViolationException) {
    return problem(HttpStatus.CONFLICT, REFERENCE_DELETED);
  }
  // The database's disk, or the media folder's (an Anki import's audio).
  if (dialect.isStorageFull(exception) || (exception as NodeJS.ErrnoException | null)?.code === 'ENOSPC') {
    return problem(HttpStatus.INSUFFICIENT_STORAGE, STORAGE_FULL);
  }
  return problem(HttpStatus.INTERNAL_SERVER_ERROR, 'An unexpected error occurred');
}

/** The statuses of faults the server's administrator must see the cause of, in the log. */
const FAULTS = new Set<number>([HttpStatus.INTERNAL_SERVER_ERROR, HttpStatus.INSUFFICIENT_STORAGE]);

function problem(status: number, detail: string, errors?: FieldErrorDto[]): ProblemDto {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, ...(errors && { errors }) };
}

const logger = new Logger('HTTP');

// Seconds a client waits before it sends a request again that met a busy database: as long as a write waits for the lock.
const CONTENTION_RETRY_AFTER = '5';

/**
 * Answers with the problem document of an error; only real faults are logged, and never sent. A response already
 * started (a download) cannot turn into a problem: it is cut short, so that the client cannot take a part for the whole.
 */
export function sendProblem(response: Response, exception: unknown): void {
  const contended = dialect.isContention(exception);
  const body = contended ? problem(HttpStatus.SERVICE_UNAVAILABLE, DATABASE_BUSY) : problemFor(exception);
  if (FAULTS.has(body.status)) {
    const trace = exception instanceof Error ? exception.stack : String(exception);
    logger.error(exception instanceof DriverException ? `Database error: ${trace}` : trace);
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (contended) {
    response.setHeader('Retry-After', CONTENTION_RETRY_AFTER);
  }
  response.status(body.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

// The statuses Node's own clientError handler answers with, where it is not 400.
const PARSER_STATUSES: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** `clientError` listener: requests Node's HTTP parser refuses (a bad header, too large headers) never reach Express. */
export function answerUnparsableRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = PARSER_STATUSES[error.code ?? ''] ?? 400;
  const body = JSON.stringify(problem(status, 'The request could not be parsed'));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
      // Every response carries a request id; the request's own, if it sent one, is in headers that were not read.
      `X-Request-Id: ${randomUUID()}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Every error of a routed request becomes a problem document. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendProblem(host.switchToHttp().getResponse<Response>(), exception);
  }
}

/**
 * A request no operation of the API takes: a path the API has, asked with another method, is a 405 that
 * names the right ones (`Allow`); anything else is a 404.
 */
export function unroutedProblem(operations: Operations, request: Request, response: Response): HttpException {
  // The whole path: a router mounted under a prefix sees only the rest of it in `request.path`. As sent: read as a URL,
  // `//` was a 500 (no host) and `/api/v1/./words` a 405 naming the very method asked.
  const path = request.baseUrl + request.path;
  const allowed = operations.methodsOf(path);
  if (allowed.length === 0) {
    return new NotFoundException(`Cannot ${request.method} ${path}`);
  }
  response.setHeader('Allow', allowed.join(', '));
  return new MethodNotAllowedException(`${request.method} is not allowed here; use ${allowed.join(', ')}`);
}

/**
 * `OPTIONS` under /api that is no CORS preflight (which CORS answers, on any path, for the request it announces to get
 * its own answer): a path of the API is a 204 naming its methods in `Allow`, any other a 404. No route takes OPTIONS.
 */
export function answerOptions(operations: Operations) {
  return (request: Request, response: Response, next: NextFunction) => {
    if (
      request.method !== 'OPTIONS' ||
      request.headers['access-control-request-method'] !== undefined ||
      !request.path.startsWith('/api/')
    ) {
      next();
      return;
    }
    const allowed = operations.methodsOf(request.path);
    if (allowed.length === 0) {
      sendProblem(response, new NotFoundException(`Cannot OPTIONS ${request.path}`));
      return;
    }
    response.setHeader('Allow', allowed.join(', '));
    response.status(204).end();
  };
}

/** The last handler: requests outside every route (and outside /api) get the problem document of `unroutedProblem`. */
export function answerUnrouted(operations: Operations) {
  return (request: Request, response: Response) =>
    sendProblem(response, unroutedProblem(operations, request, response));
}

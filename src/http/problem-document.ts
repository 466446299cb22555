import { STATUS_CODES } from 'node:http';
import { applyDecorators, BadRequestException, ConflictException, HttpStatus } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { IntegerProperty } from '../core/api-properties.js';

export class FieldErrorDto {
  @ApiProperty({ example: 'per_page' })
  field!: string;

  @ApiProperty({ example: 'must not be greater than 500' })
  message!: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    example: 3,
    description:
      'Only for a bulk import: the row the error is in (a CSV file’s rows as a spreadsheet numbers them, the ' +
      'header being row 1; the words of a JSON body from 1).',
  })
  row?: number;
}

/** An RFC 9457 problem document: the body of every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @IntegerProperty(400)
  status!: number;

  @ApiProperty({ example: 'per_page must not be greater than 500' })
  detail!: string;

  @ApiPropertyOptional({
    type: [FieldErrorDto],
    description: 'Present for validation failures, and for the rows of an import that are stored words (409).',
  })
  errors?: FieldErrorDto[];
}

/** `errors[]` as one line: each field (and row) with its message. */
const describeErrors = (errors: FieldErrorDto[]) =>
  errors
    .map((error) => `${error.row === undefined ? '' : `row ${error.row}: `}${error.field} ${error.message}`)
    .join('; ');

/** Invalid input, with one entry per offending field; `detail` sums them up when listing them would be too long. */
export class ValidationFailedException extends BadRequestException {
  constructor(
    readonly errors: FieldErrorDto[],
    detail = describeErrors(errors),
  ) {
    super(detail);
  }
}

/** Input that conflicts with stored data, with one entry per conflicting field (or row of an import). */
export class ConflictingFieldsException extends ConflictException {
  constructor(
    readonly errors: FieldErrorDto[],
    detail = describeErrors(errors),
  ) {
    super(detail);
  }
}

/**
 * The 409 of a write whose look-up found what it refers to, which another request deleted before the write (the
 * foreign key answers): on PostgreSQL, whose writers do not wait for one another as SQLite's do.
 */
export const REFERENCE_DELETED = 'Something the request refers to was deleted meanwhile';

/** The 503 of a write that another transaction kept from the database (`Dialect.isContention`); nothing was written. */
export const DATABASE_BUSY = 'The database is busy with another write: send the request again in a moment';

/** The 507 of a write the server had no room to store (`Dialect.isStorageFull`, or a file's): nothing was written. */
export const STORAGE_FULL = "The server's disk is full: nothing was written. Its administrator must free space";

/**
 * The 412 of a write sent with `If-Match` naming ETags, or with `If-None-Match`, where the operation takes neither
 * (`ApiPreconditions`): ignored, the condition would let the write through unchecked.
 */
export const NOT_CONDITIONAL =
  'This write cannot be made conditional: send it without If-Match or If-None-Match (the PATCH and DELETE of a ' +
  'word, a group or a learning app take them)';

/** What a problem of each documented status typically says, shown as its example unless the endpoint says otherwise. */
const PROBLEM_EXAMPLES: Partial<Record<HttpStatus, Pick<ProblemDto, 'detail' | 'errors'>>> = {
  [HttpStatus.BAD_REQUEST]: {
    detail: 'colour is not a known field',
    errors: [{ field: 'colour', message: 'is not a known field' }],
  },
  [HttpStatus.NOT_FOUND]: { detail: 'Word 42 not found' },
  [HttpStatus.CONFLICT]: { detail: 'A group named "Greetings" already exists (id 1)' },
  [HttpStatus.UNAUTHORIZED]: { detail: 'This request destroys data: send Authorization: Bearer <ADMIN_TOKEN>' },
  [HttpStatus.FORBIDDEN]: { detail: 'The admin token is not the one configured' },
  [HttpStatus.METHOD_NOT_ALLOWED]: { detail: 'PUT is not allowed here; use GET, POST' },
  [HttpStatus.PAYLOAD_TOO_LARGE]: { detail: 'The request body is larger than the limit of 1048576 bytes' },
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: { detail: 'The request body must be application/json, in UTF-8' },
  [HttpStatus.UNPROCESSABLE_ENTITY]: { detail: 'word_ids refers to ids that do not exist: 7, 9' },
  [HttpStatus.TOO_MANY_REQUESTS]: { detail: 'ThrottlerException: Too Many Requests' },
  [HttpStatus.SERVICE_UNAVAILABLE]: {
    detail: 'Not ready: migrations {"status":"down","pending":["Migration20261130100000_claims"]}',
  },
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds until this client’s requests are taken again.', schema: { type: 'integer' } },
};

/** The OpenAPI response of a problem of `status`, its example saying `detail` (and `errors[]`). */
function problemResponse(status: HttpStatus, detail?: string, errors?: FieldErrorDto[]) {
  const example: ProblemDto = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: STATUS_CODES[status] ?? 'Error',
    ...PROBLEM_EXAMPLES[status],
    ...(detail !== undefined && { detail }),
    ...(errors !== undefined && { errors }),
  };
  return {
    description: STATUS_CODES[status] ?? 'Error',
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) }, example } },
  };
}

/** The methods of the operations that write (as the OpenAPI document names them). */
export const WRITES = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Documents what any write may answer with, on every operation that writes and documents no such status of its own,
 * once the document is built: the 503 of a database busy with another process's write, with its `Retry-After`, the
 * 507 of a full disk, and the 412 of `If-Match`.
 */
export function documentWrites(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, { responses: Record<number, unknown> }][]) {
      if (!WRITES.has(method)) {
        continue;
      }
      operation.responses[HttpStatus.PRECONDITION_FAILED] ??= problemResponse(
        HttpStatus.PRECONDITION_FAILED,
        NOT_CONDITIONAL,
      );
      operation.responses[HttpStatus.SERVICE_UNAVAILABLE] ??= {
        ...problemResponse(HttpStatus.SERVICE_UNAVAILABLE, DATABASE_BUSY),
        headers: RETRY_AFTER,
      };
      operation.responses[HttpStatus.INSUFFICIENT_STORAGE] ??= problemResponse(
        HttpStatus.INSUFFICIENT_STORAGE,
        STORAGE_FULL,
      );
    }
  }
  return document;
}

/**
 * The rate limit's answer, which every operation but the health checks' may give once `RATE_LIMIT_PER_MINUTE` is set
 * (the throttler guards every route): on each controller of the API, beside its routes.
 */
export const ApiRateLimited = () => ApiProblems(HttpStatus.TOO_MANY_REQUESTS);

/** A status an endpoint can answer with, or the status and the `detail` (and `errors[]`) of its example on that endpoint. */
export type DocumentedProblem =
  HttpStatus | [status: HttpStatus, detail: string] | [status: HttpStatus, detail: string, errors: FieldErrorDto[]];

/** Documents the problem responses an endpoint can answer with, each with an example of its own status. */
export function ApiProblems(...problems: DocumentedProblem[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...problems.map((problem) => {
      const [status, detail, errors] = Array.isArray(problem) ? problem : [problem];
      return ApiResponse({
        status,
        ...problemResponse(status, detail, errors),
        ...(status === HttpStatus.TOO_MANY_REQUESTS && { headers: RETRY_AFTER }),
      });
    }),
  );
}

import { applyDecorators, HttpCode, HttpStatus, type Type } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { PageDto } from '../core/pagination.js';
import { CreatedAt, inCollection, type Locator } from './created.js';
import { ApiProblems, type DocumentedProblem } from './problem-document.js';

// The documentation of the API's recurring kinds of endpoint. Every request can be a 400 (an unknown
// or invalid query parameter); a JSON body can also be too large (413) or not JSON (415); an id in the
// path can name nothing (404). Each kind documents the problems it always has; the endpoint adds its own.

/** A GET of one resource (or figure): 200 with it. */
export const GetOperation = (
  summary: string,
  type: Type<unknown>,
  description: string,
  ...problems: DocumentedProblem[]
) => applyDecorators(ApiOperation({ summary }), ApiOkResponse({ type, description }), ApiProblems(400, ...problems));

/** A GET of a page of `item`s: 200 with the page and its pagination. */
export const PageOperation = (
  summary: string,
  item: Type<unknown>,
  description: string,
  ...problems: DocumentedProblem[]
) => GetOperation(summary, PageDto(item), description, ...problems);

/** A POST that creates a resource from its JSON body: 201 with the resource and its URL in `Location`. */
export const CreateOperation = (
  summary: string,
  type: Type<unknown>,
  description: string,
  ...problems: DocumentedProblem[]
) => CreateOperationAt(summary, type, description, inCollection, ...problems);

/** A POST that creates a resource outside its own URL's collection: 201, `locate` giving its URL for `Location`. */
export const CreateOperationAt = (
  summary: string,
  type: Type<unknown>,
  description: string,
  locate: Locator,
  ...problems: DocumentedProblem[]
) =>
  applyDecorators(
    ApiOperation({ summary }),
    CreatedAt(type, description, locate),
    ApiProblems(400, 413, 415, ...problems),
  );

/** A POST that records its JSON body: 201 with what it recorded, which has no URL of its own (no `Location`). */
export const RecordOperation = (
  summary: string,
  type: Type<unknown>,
  description: string,
  ...problems: DocumentedProblem[]
) =>
  applyDecorators(
    ApiOperation({ summary }),
    ApiCreatedResponse({ type, description }),
    ApiProblems(400, 413, 415, ...problems),
  );

/** A change to the resource at `:id` from a JSON body (a PATCH, or a POST adding to it): 200 with the resource as changed. */
export const UpdateOperation = (
  summary: string,
  type: Type<unknown>,
  description: string,
  ...problems: DocumentedProblem[]
) => GetOperation(summary, type, description, 404, 413, 415, ...problems);

/** A DELETE of the resource at `:id`: 204, with `description` saying what goes with it and what stays. */
export const DeleteOperation = (summary: string, description: string, ...problems: DocumentedProblem[]) =>
  applyDecorators(
    ApiOperation({ summary }),
    HttpCode(HttpStatus.NO_CONTENT),
    ApiNoContentResponse({ description }),
    ApiProblems(400, 404, ...problems),
  );

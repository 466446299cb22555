import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  PreconditionFailedException,
  SetMetadata,
} from '@nestjs/common';
import { ApiHeader, type OpenAPIObject } from '@nestjs/swagger';
import type { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { crc32 } from 'node:zlib';
import { ApiProblems, NOT_CONDITIONAL } from './problem-document.js';

/**
 * The ETag of a response, as Express's `etag` setting asks: its length and a CRC-32 of its bytes. Strong: it names
 * these very bytes, which is what `If-Match` compares (RFC 9110 §13.1.1). Express's own hashes them with SHA-1, but a
 * validator needs no cryptographic hash: CRC-32 (zlib's, native) takes 5 µs instead of 16 on a page of 100 words
 * (25 KB), ~1% of the request. A change that keeps the body's length goes unseen once in 2^32.
 */
export function entityTag(body: Buffer): string {
  return `"${body.length.toString(16)}-${crc32(body).toString(16)}"`;
}

/** Documents the ETag of every GET's successful answer, once the document is built: what a client does with it. */
export function documentEntityTags(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    const ok = item.get?.responses[200] as { headers?: Record<string, object>; content?: object } | undefined;
    // Only an answer sent whole has one: the export, streamed (and the only GET offering CSV), has none.
    if (ok && Object.keys(ok.content ?? {}).join() === 'application/json') {
      ok.headers = {
        ...ok.headers,
        ETag: {
          description:
            'The tag of this answer. Sent back in If-None-Match, the same GET is a 304 without a body while the ' +
            'answer is unchanged; the tag of a word, a group or a learning app makes its PATCH or DELETE ' +
            'conditional (If-Match).',
          schema: { type: 'string', example: '"1c3-9f2b6a01"' },
        },
      };
    }
  }
  return document;
}

/** The ETag of a GET that answers with `representation` (Express sends an object as its `JSON.stringify`). */
const entityTagOf = (representation: object) => entityTag(Buffer.from(JSON.stringify(representation)));

/**
 * The preconditions of a write on the resource that GET at the same URL answers with (RFC 9110 §13.1): the strong
 * ETags `If-Match` names (a weak one, `W/"…"`, never matches, so none is kept), undefined without it or with `*`,
 * which asks only that the resource exist (the write finds that out itself: a 404); and the ETags `If-None-Match`
 * names (weak ones as strong: it compares weakly), or `*`, which asks that the resource not exist.
 */
export interface Preconditions {
  ifMatch?: string[];
  ifNoneMatch?: string[] | '*';
}

/** The entity tags of a header's list, each as sent (`"…"` or `W/"…"`). */
const tagsOf = (value: string) => value.match(/(?:W\/)?"[^"]*"/g) ?? [];

export function preconditionsOf(request: Request): Preconditions {
  const ifMatch = request.get('If-Match')?.trim();
  const ifNoneMatch = request.get('If-None-Match')?.trim();
  return {
    ...(ifMatch && ifMatch !== '*' && { ifMatch: tagsOf(ifMatch).filter((tag) => !tag.startsWith('W/')) }),
    ...(ifNoneMatch && {
      ifNoneMatch: ifNoneMatch === '*' ? '*' : tagsOf(ifNoneMatch).map((tag) => tag.replace(/^W\//, '')),
    }),
  };
}

/** The `If-Match` and `If-None-Match` of a write, parsed (`Preconditions`). */
export const PreconditionHeaders = createParamDecorator((_: unknown, context: ExecutionContext): Preconditions =>
  preconditionsOf(context.switchToHttp().getRequest()),
);

/** What each precondition header of a write asks, as its OpenAPI parameter describes it for `resource`. */
const PRECONDITIONS: Record<string, (resource: string) => string> = {
  'If-Match': (resource) =>
    `The ETag of a GET of this ${resource}: the write is made only if the ${resource} is still as that GET ` +
    'answered (else 412, nothing changed), so that no other write made meanwhile is lost. Several tags may be ' +
    'given, comma-separated; `*` asks only that it exist.',
  'If-None-Match': (resource) =>
    `ETags of GETs of this ${resource}: the write is made only if the ${resource} is no longer as any of them ` +
    'says (else 412, nothing changed); `*`: only if it does not exist, which makes the write a 412 or a 404.',
};

/** The header parameters by which the OpenAPI document says that an operation takes preconditions. */
export const PRECONDITION_HEADERS = Object.keys(PRECONDITIONS);

const changedSince = (resource: string) => `The ${resource} changed since the ETag that If-Match names: GET it again`;

/** Documents the preconditions of a write to the resource that `GET` on the same path answers with. */
export const ApiPreconditions = (resource: string) =>
  applyDecorators(
    ...Object.entries(PRECONDITIONS).map(([name, describe]) =>
      ApiHeader({ name, required: false, schema: { type: 'string' }, description: describe(resource) }),
    ),
    ApiProblems([412, changedSince(resource)]),
  );

const REFUSED_ONCE_FOUND = Symbol('the write refuses preconditions once it finds what it writes to');

/**
 * The write takes no preconditions but writes to a resource its path names, which may not exist: the handler refuses
 * them itself (`refuseConditions`) once that resource is found, since a 404 takes precedence (RFC 9110 §13.2.1), and
 * the request checks let them through to it.
 */
export const ConditionsRefusedOnceFound = () => SetMetadata(REFUSED_ONCE_FOUND, true);

export const refusesConditionsOnceFound = (reflector: Reflector, handler: ReturnType<ExecutionContext['getHandler']>) =>
  reflector.get(REFUSED_ONCE_FOUND, handler) === true;

/**
 * A write that takes no preconditions, sent with some (beyond `If-Match: *`), is a 412: called by the request checks,
 * or by the write itself in its transaction once what it writes to is found (`ConditionsRefusedOnceFound`).
 */
export function refuseConditions({ ifMatch, ifNoneMatch }: Preconditions): void {
  if (ifMatch !== undefined || ifNoneMatch !== undefined) {
    throw new PreconditionFailedException(NOT_CONDITIONAL);
  }
}

/**
 * The write's preconditions hold for the resource as `current` reads it now (in the write's transaction, after its
 * row is locked): else 412, before anything is written.
 */
export async function assertPreconditions(
  { ifMatch, ifNoneMatch }: Preconditions,
  resource: string,
  current: () => Promise<object>,
): Promise<void> {
  if (!ifMatch && !ifNoneMatch) {
    return;
  }
  const tag = entityTagOf(await current());
  if (ifMatch && !ifMatch.includes(tag)) {
    throw new PreconditionFailedException(changedSince(resource));
  }
  if (ifNoneMatch === '*' || ifNoneMatch?.includes(tag)) {
    throw new PreconditionFailedException(
      ifNoneMatch === '*'
        ? `The ${resource} exists, and If-None-Match: * asks that it not`
        : `The ${resource} is still as an ETag that If-None-Match names`,
    );
  }
}

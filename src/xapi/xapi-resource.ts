import { applyDecorators, BadRequestException, Controller, UseGuards, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  instantOfTimestamp,
  isIri,
  isTimestamp,
  isUuid,
  StatementInvalid,
  validateActor,
  type XapiVersion,
} from './statement-validator.js';
import type { JsonObject } from '../core/json.js';
import { XapiGuard } from './xapi.guard.js';

/**
 * A controller of xAPI resources: at /xapi, outside /api/v1 and its OpenAPI document (xAPI versions
 * itself with the `X-Experience-API-Version` header, and has its own specification), behind XapiGuard.
 */
export const XapiResource = () =>
  applyDecorators(ApiExcludeController(), UseGuards(XapiGuard), Controller({ version: VERSION_NEUTRAL }));

export const bad = (message: string) => new BadRequestException(message);

// Far deeper than any real statement or document, far shallower than what JSON.stringify (recursive) can take: the
// store writes a statement with it, a POST a merged document.
export const MAX_DEPTH = 100;

/** Where parameters are read from: a request, or the parameters of the request a `more` link continues. */
export type ParameterSource = Pick<Request, 'query'>;

/** A query parameter given once (400 if repeated). */
export function single(request: ParameterSource, name: string): string | undefined {
  const value = request.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`${name} must be given once`);
  return value;
}

/** A query parameter given once and not empty. */
export function required(request: Request, name: string): string {
  const value = single(request, name);
  if (value === undefined || value === '') throw bad(`The ${name} parameter is required`);
  return value;
}

/** 400 for a query parameter not among `allowed`. */
export function onlyParameters(request: ParameterSource, allowed: readonly string[]): void {
  const unknown = Object.keys(request.query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw bad(`Unknown parameters: ${unknown.join(', ')}`);
}

/** An IRI query parameter given once (400 unless an IRI). */
export function iriParameter(request: ParameterSource, name: string): string | undefined {
  const value = single(request, name);
  if (value !== undefined && !isIri(value)) throw bad(`${name} must be an IRI`);
  return value;
}

/** A UUID query parameter given once (400 unless a UUID). */
export function uuidParameter(request: ParameterSource, name: string): string | undefined {
  const value = single(request, name);
  if (value !== undefined && !isUuid(value)) throw bad(`${name} must be a UUID`);
  return value;
}

/** A timestamp query parameter given once (400 unless ISO 8601), in milliseconds: one without an offset is UTC. */
export function timestampParameter(request: ParameterSource, name: string): number | undefined {
  const value = single(request, name);
  if (value === undefined) return undefined;
  if (!isTimestamp(value, false)) throw bad(`${name} must be an ISO 8601 timestamp`);
  return instantOfTimestamp(value);
}

/** The `agent` query parameter's value: JSON of an Actor valid in `version`; `expected` names what it must be. */
export function agentParameter(text: string, version: XapiVersion, expected: string): JsonObject {
  let agent: unknown;
  try {
    agent = JSON.parse(text);
  } catch {
    throw bad(`agent must be ${expected} as JSON`);
  }
  try {
    validateActor(agent, version);
  } catch (error) {
    // The rule's path begins with `agent` already.
    if (error instanceof StatementInvalid) throw bad(error.message);
    throw error;
  }
  return agent as JsonObject;
}

/** The body of a request under /xapi, as bytes (see `xapiBodyParser`). */
export const bodyOf = (request: Request): Buffer => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));

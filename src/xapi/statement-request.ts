/**
 * What a request to the Statements resource says, read and checked (400 otherwise) before the resource acts on it:
 * the statements a PUT or POST sends, and the query of a GET.
 */

import { isUtf8 } from 'node:buffer';
import type { Request } from 'express';
import { inspectJson, isJsonObject, isStorableText, type JsonObject, UNSTORABLE_TEXT } from '../core/json.js';
import { hashMatches, mediaParameter, parseMultipart } from './multipart.js';
import { signatureProblem } from './signature.js';
import { agentKey } from './statements.js';
import { StatementInvalid, validateStatement, type XapiVersion } from './statement-validator.js';
import {
  agentParameter,
  bad,
  bodyOf,
  iriParameter,
  MAX_DEPTH,
  type ParameterSource,
  single,
  timestampParameter,
  uuidParameter,
} from './xapi-resource.js';
import { mediaTypeOf } from './xapi.body.js';
import { versionOf } from './xapi.guard.js';
import { MAX_LIMIT, type StatementQuery } from './xapi.service.js';

/** The parameters a GET of statements may have, besides `more`. */
export const QUERY_PARAMETERS = [
  'statementId',
  'voidedStatementId',
  'agent',
  'verb',
  'activity',
  'registration',
  'related_activities',
  'related_agents',
  'since',
  'until',
  'limit',
  'format',
  'attachments',
  'ascending',
];

/** A `true`/`false` query parameter given at most once. */
export function flag(request: ParameterSource, name: string): boolean | undefined {
  const value = single(request, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw bad(`${name} must be true or false`);
  return value === 'true';
}

/** The filters of a GET's query (no `more`, no single statement); an agent must be valid in `version`. */
export function statementQueryOf(request: ParameterSource, version: XapiVersion): StatementQuery {
  const query: StatementQuery = { limit: MAX_LIMIT };
  const agent = single(request, 'agent');
  if (agent !== undefined) {
    const key = agentKey(agentParameter(agent, version, 'an Agent or identified Group'));
    if (!key) throw bad('agent must have an identifier');
    query.agent = key;
  }
  const verb = iriParameter(request, 'verb');
  if (verb !== undefined) query.verb = verb;
  const activity = iriParameter(request, 'activity');
  if (activity !== undefined) query.activity = activity;
  const registration = uuidParameter(request, 'registration');
  if (registration !== undefined) query.registration = registration;
  for (const name of ['since', 'until'] as const) {
    const value = timestampParameter(request, name);
    if (value !== undefined) query[name] = value;
  }
  const limit = single(request, 'limit');
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit)) throw bad('limit must be a non-negative integer');
    query.limit = Number(limit) === 0 ? MAX_LIMIT : Math.min(Number(limit), MAX_LIMIT);
  }
  query.related_activities = flag(request, 'related_activities');
  query.related_agents = flag(request, 'related_agents');
  query.ascending = flag(request, 'ascending');
  return query;
}

/** Where a page of statements continues: the parameters of the request that asked for it, and its last row. */
export interface Cursor {
  parameters: Record<string, string>;
  after: number;
}

/**
 * The cursor a `more` link this LRS gave carries. Its parameters are read and checked again as those of a request,
 * so that a link made up is held to what a request is.
 */
export function cursorOf(more: string): Cursor {
  let cursor: Partial<Cursor> | null = null;
  try {
    cursor = JSON.parse(Buffer.from(more, 'base64url').toString('utf8')) as Partial<Cursor> | null;
  } catch {
    // Not JSON: the 400 below.
  }
  const { parameters, after } = cursor ?? {};
  if (!(
    typeof after === 'number' &&
    Number.isSafeInteger(after) &&
    isJsonObject(parameters) &&
    Object.values(parameters).every((value) => typeof value === 'string')
  )) {
    throw bad('more is not a link this LRS gave');
  }
  // XapiGuard checked the link, not the parameters it carries: text the database cannot store is a 400 there too.
  const { unstorable } = inspectJson(parameters);
  if (unstorable !== undefined) throw bad(`more: ${unstorable} ${UNSTORABLE_TEXT}`);
  return { parameters, after };
}

/** The statement (object) or statements (array) of a PUT or POST body, and the attachments sent with them. */
export function readStatements(request: Request): {
  statements: JsonObject[];
  batch: boolean;
  attachments: Map<string, { contentType: string; content: Buffer }>;
} {
  const contentType = request.get('content-type') ?? '';
  const mediaType = mediaTypeOf(contentType);
  const body = bodyOf(request);
  const attachments = new Map<string, { contentType: string; content: Buffer }>();
  let json: Buffer;
  if (mediaType === 'application/json') {
    json = body;
  } else if (mediaType === 'multipart/mixed') {
    const boundary = mediaParameter(contentType, 'boundary');
    const parts = boundary ? parseMultipart(body, boundary) : null;
    if (!parts || parts.length === 0) throw bad('The multipart/mixed body cannot be read');
    const [first, ...rest] = parts;
    if (mediaTypeOf(first.headers['content-type']) !== 'application/json') {
      throw bad('The first part of a multipart/mixed body must be the statements, as application/json');
    }
    json = first.body;
    for (const part of rest) {
      const sha2 = part.headers['x-experience-api-hash'];
      if (!sha2) throw bad('Every attachment part needs an X-Experience-API-Hash header');
      if ((part.headers['content-transfer-encoding'] ?? '').toLowerCase() !== 'binary') {
        throw bad('Every attachment part needs Content-Transfer-Encoding: binary');
      }
      if (!hashMatches(sha2, part.body)) throw bad(`The attachment ${sha2} does not have that hash`);
      const contentType = part.headers['content-type'] ?? 'application/octet-stream';
      if (!isStorableText(contentType)) throw bad(`The Content-Type of the attachment ${sha2} ${UNSTORABLE_TEXT}`);
      attachments.set(sha2.toLowerCase(), { contentType, content: part.body });
    }
  } else {
    throw bad('Statements are sent as application/json or multipart/mixed');
  }
  // Decoded, bytes that are no UTF-8 would be stored as U+FFFD in place of what the statement said.
  if (!isUtf8(json)) throw bad('The body is not UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    throw bad('The body is not JSON');
  }
  // Text the database cannot store, refused as everywhere in the portal (PostgreSQL refuses it in any column).
  const { depth, unstorable } = inspectJson(parsed);
  if (unstorable !== undefined) throw bad(`${unstorable || 'The body'} ${UNSTORABLE_TEXT}`);
  // A batch's array is not a level of its statements: one is refused alone or in a batch alike.
  if ((Array.isArray(parsed) ? depth - 1 : depth) > MAX_DEPTH) {
    throw bad(`A statement is nested deeper than ${MAX_DEPTH} levels`);
  }
  const statements = Array.isArray(parsed) ? parsed : [parsed];
  if (Array.isArray(parsed) && parsed.length === 0) throw bad('No statement was sent');
  const version = versionOf(request);
  statements.forEach((statement, index) => {
    try {
      validateStatement(statement, version);
    } catch (error) {
      if (error instanceof StatementInvalid) {
        throw bad(Array.isArray(parsed) ? `[${index}].${error.message}` : error.message);
      }
      throw error;
    }
  });
  // Every attachment the statements declare without a fileUrl came in the body, and only those did.
  const declared = new Set<string>();
  for (const statement of statements as JsonObject[]) {
    const lists = [statement.attachments, (statement.object as JsonObject).attachments];
    for (const attachment of lists.flatMap((list) => (Array.isArray(list) ? (list as JsonObject[]) : []))) {
      const sha2 = String(attachment.sha2).toLowerCase();
      declared.add(sha2);
      if (attachment.fileUrl === undefined && !attachments.has(sha2)) {
        throw bad(`The attachment ${sha2} has no fileUrl and was not sent`);
      }
    }
  }
  for (const sha2 of attachments.keys()) {
    if (!declared.has(sha2)) throw bad(`The attachment ${sha2} belongs to no statement`);
  }
  (statements as JsonObject[]).forEach((statement, index) => {
    const problem = signatureProblem(statement, attachments);
    if (problem) throw bad(Array.isArray(parsed) ? `[${index}]: ${problem}` : problem);
  });
  return { statements: statements as JsonObject[], batch: Array.isArray(parsed), attachments };
}

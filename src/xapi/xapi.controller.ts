import { ForbiddenException, Get, HttpStatus, NotFoundException, Post, Put, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type * as express from 'express';
import type { Environment } from '../config.js';
import { portalOrigin } from '../http/origin.js';
import { wordActivityPattern } from './origin.js';
import { buildMultipart, hashMatches, mediaParameter, parseMultipart } from './multipart.js';
import { signatureProblem } from './signature.js';
import type { JsonObject } from '../core/json.js';
import { canonicalFormat, idsFormat } from './statements.js';
import { isIri, isUuid, StatementInvalid, validateStatement, type XapiVersion } from './statement-validator.js';
import { agentParameter, bad, bodyOf, single, timestampParameter, XapiResource } from './xapi-resource.js';
import { mediaTypeOf } from './xapi.body.js';
import { launchOf, versionOf } from './xapi.guard.js';
import { type Cursor, MAX_LIMIT, type StatementQuery, XapiBadRequest, XapiService } from './xapi.service.js';

const QUERY_PARAMETERS = [
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
const BOUNDARY = 'xapi-statements-boundary-5b1f0e2a';

/**
 * The xAPI Statements resource and About, at /xapi (outside /api/v1: xAPI versions itself with the
 * `X-Experience-API-Version` header). Behind XapiGuard: configured, credentials, version.
 */
@XapiResource()
export class XapiController {
  constructor(
    private readonly xapi: XapiService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  @Get('xapi/about')
  about(@Res() response: express.Response) {
    response.json({ version: ['2.0.0', '1.0.3'], extensions: {} });
  }

  @Put('xapi/statements')
  async put(@Req() request: express.Request, @Res() response: express.Response) {
    const statementId = single(request, 'statementId');
    const extra = Object.keys(request.query).filter((name) => name !== 'statementId');
    if (statementId === undefined) throw bad('PUT needs the statementId parameter');
    if (extra.length > 0) throw bad(`Unknown parameters: ${extra.join(', ')}`);
    if (!isUuid(statementId)) throw bad('statementId must be a UUID');
    const { statements, batch, attachments } = this.read(request);
    if (batch) throw bad('PUT takes one statement');
    const statement = statements[0];
    if (statement.id !== undefined && String(statement.id).toLowerCase() !== statementId.toLowerCase()) {
      throw bad('The statement id differs from statementId');
    }
    await this.store(request, [{ ...statement, id: statement.id ?? statementId }], attachments);
    this.consistent(response).status(HttpStatus.NO_CONTENT).end();
  }

  @Post('xapi/statements')
  async post(@Req() request: express.Request, @Res() response: express.Response) {
    if (Object.keys(request.query).length > 0) {
      throw bad(`Unknown parameters: ${Object.keys(request.query).join(', ')}`);
    }
    const { statements, attachments } = this.read(request);
    const ids = await this.store(request, statements, attachments);
    this.consistent(response).status(HttpStatus.OK).json(ids);
  }

  @Get('xapi/statements')
  async get(@Req() request: express.Request, @Res() response: express.Response) {
    const names = Object.keys(request.query);
    const more = single(request, 'more');
    const unknown = names.filter((name) => !QUERY_PARAMETERS.includes(name) && name !== 'more');
    if (unknown.length > 0) throw bad(`Unknown parameters: ${unknown.join(', ')}`);
    const format = single(request, 'format') ?? 'exact';
    if (!['exact', 'ids', 'canonical'].includes(format)) throw bad('format must be ids, exact or canonical');
    const withAttachments = this.flag(request, 'attachments') ?? false;
    const shape = (statement: JsonObject) =>
      format === 'ids'
        ? idsFormat(statement)
        : format === 'canonical'
          ? canonicalFormat(statement, request.get('accept-language'))
          : statement;
    const statementId = single(request, 'statementId');
    const voidedStatementId = single(request, 'voidedStatementId');
    if (statementId !== undefined || voidedStatementId !== undefined) {
      if (statementId !== undefined && voidedStatementId !== undefined) {
        throw bad('statementId and voidedStatementId exclude each other');
      }
      const others = names.filter(
        (name) => !['statementId', 'voidedStatementId', 'format', 'attachments'].includes(name),
      );
      if (others.length > 0)
        throw bad(`A single statement takes only format and attachments, not ${others.join(', ')}`);
      const id = (statementId ?? voidedStatementId)!;
      if (!isUuid(id)) throw bad(`${statementId ? 'statementId' : 'voidedStatementId'} must be a UUID`);
      const statement = await this.xapi.get(id, voidedStatementId !== undefined);
      if (!statement || !this.reachable(request, statement)) throw new NotFoundException(`No statement ${id}`);
      this.consistent(response).setHeader('Last-Modified', new Date(statement.stored as string).toUTCString());
      await this.send(response, shape(statement), withAttachments ? [statement] : null);
      return;
    }
    let query: StatementQuery;
    let after: number | undefined;
    if (more !== undefined) {
      if (names.length > 1) throw bad('more takes no other parameter');
      const cursor = this.cursorOf(more);
      query = cursor.query;
      after = cursor.after;
    } else {
      query = this.queryOf(request);
    }
    const launch = launchOf(request);
    if (launch) {
      // A launch credential reads the statements of its own registration only.
      if (query.registration !== undefined && query.registration.toLowerCase() !== launch.registration) {
        throw new ForbiddenException('A launch credential reads the statements of its own registration only');
      }
      query.registration = launch.registration;
    }
    const page = await this.xapi.query(query, after);
    const moreUrl =
      page.last === undefined
        ? ''
        : `/xapi/statements?more=${Buffer.from(JSON.stringify({ query, after: page.last, format, withAttachments })).toString('base64url')}`;
    const result = { statements: page.statements.map(shape), more: moreUrl };
    this.consistent(response);
    await this.send(response, result, withAttachments ? page.statements : null);
  }

  /** Whether the request's credential reaches this statement: a launch's, only those of its registration. */
  private reachable(request: express.Request, statement: JsonObject): boolean {
    const launch = launchOf(request);
    const registration = (statement.context as JsonObject | undefined)?.registration;
    return !launch || (typeof registration === 'string' && registration.toLowerCase() === launch.registration);
  }

  private consistent(response: express.Response): express.Response {
    return response.setHeader('X-Experience-API-Consistent-Through', new Date().toISOString());
  }

  /** A JSON answer, or with attachments, `multipart/mixed` with them after it. */
  private async send(response: express.Response, body: object, statements: JsonObject[] | null): Promise<void> {
    if (!statements) {
      response.status(HttpStatus.OK).json(body);
      return;
    }
    const attachments = await this.xapi.attachmentsOf(statements);
    const parts = [
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) },
      ...attachments.map((attachment) => ({
        headers: {
          'Content-Type': attachment.contentType,
          'Content-Transfer-Encoding': 'binary',
          'X-Experience-API-Hash': attachment.sha2,
        },
        body: Buffer.from(attachment.content),
      })),
    ];
    response.status(HttpStatus.OK).type(`multipart/mixed; boundary=${BOUNDARY}`).send(buildMultipart(parts, BOUNDARY));
  }

  private flag(request: express.Request, name: string): boolean | undefined {
    const value = single(request, name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw bad(`${name} must be true or false`);
    return value === 'true';
  }

  private queryOf(request: express.Request): StatementQuery {
    const version = versionOf(request);
    const query: StatementQuery = { limit: MAX_LIMIT };
    const agent = single(request, 'agent');
    if (agent !== undefined) {
      const key = this.xapi.agentKeyOf(agentParameter(agent, version, 'an Agent or identified Group'));
      if (!key) throw bad('agent must have an identifier');
      query.agent = key;
    }
    const verb = single(request, 'verb');
    if (verb !== undefined) {
      if (!isIri(verb)) throw bad('verb must be an IRI');
      query.verb = verb;
    }
    const activity = single(request, 'activity');
    if (activity !== undefined) {
      if (!isIri(activity)) throw bad('activity must be an IRI');
      query.activity = activity;
    }
    const registration = single(request, 'registration');
    if (registration !== undefined) {
      if (!isUuid(registration)) throw bad('registration must be a UUID');
      query.registration = registration;
    }
    for (const name of ['since', 'until'] as const) {
      const value = timestampParameter(request, name);
      if (value !== undefined) query[name] = value;
    }
    const limit = single(request, 'limit');
    if (limit !== undefined) {
      if (!/^\d+$/.test(limit)) throw bad('limit must be a non-negative integer');
      query.limit = Number(limit) === 0 ? MAX_LIMIT : Math.min(Number(limit), MAX_LIMIT);
    }
    query.related_activities = this.flag(request, 'related_activities');
    query.related_agents = this.flag(request, 'related_agents');
    query.ascending = this.flag(request, 'ascending');
    return query;
  }

  private cursorOf(more: string): Cursor {
    try {
      const cursor = JSON.parse(Buffer.from(more, 'base64url').toString('utf8')) as Cursor;
      if (typeof cursor.after === 'number' && cursor.query && typeof cursor.query.limit === 'number') return cursor;
    } catch {
      // Falls through to the 400.
    }
    throw bad('more is not a link this LRS gave');
  }

  /** The statement (object) or statements (array) of a PUT or POST body, and the attachments sent with them. */
  private read(request: express.Request): {
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
        attachments.set(sha2.toLowerCase(), {
          contentType: part.headers['content-type'] ?? 'application/octet-stream',
          content: part.body,
        });
      }
    } else {
      throw bad('Statements are sent as application/json or multipart/mixed');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.toString('utf8'));
    } catch {
      throw bad('The body is not JSON');
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

  private async store(
    request: express.Request,
    statements: JsonObject[],
    attachments: Map<string, { contentType: string; content: Buffer }>,
  ): Promise<string[]> {
    const origin = portalOrigin(this.config, request);
    const version: XapiVersion = versionOf(request);
    const launch = launchOf(request);
    if (launch && statements.some((statement) => !this.reachable(request, statement))) {
      throw new ForbiddenException(
        `A launch credential sends statements of its own registration only (context.registration ${launch.registration})`,
      );
    }
    try {
      return await this.xapi.store(statements, attachments, {
        version,
        authority: launch
          ? { objectType: 'Agent', name: 'Launched xAPI app', account: { homePage: origin, name: launch.registration } }
          : {
              objectType: 'Agent',
              name: 'xAPI client',
              account: { homePage: origin, name: this.config.get('XAPI_KEY', { infer: true })! },
            },
        wordActivity: wordActivityPattern(origin),
      });
    } catch (error) {
      if (error instanceof XapiBadRequest) throw bad(error.message);
      throw error;
    }
  }
}

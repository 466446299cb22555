import {
  ForbiddenException,
  Get,
  HttpStatus,
  NotFoundException,
  Post,
  Put,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type * as express from 'express';
import type { Environment } from '../config.js';
import type { JsonObject } from '../core/json.js';
import { PortalOrigin, publicPath } from '../http/origin.js';
import { wordActivityPattern } from './origin.js';
import { buildMultipart } from './multipart.js';
import { canonicalFormat, idsFormat } from './statements.js';
import { isUuid, type XapiVersion } from './statement-validator.js';
import { cursorOf, flag, QUERY_PARAMETERS, readStatements, statementQueryOf } from './statement-request.js';
import { bad, onlyParameters, single, XapiResource } from './xapi-resource.js';
import { launchOf, versionOf, XAPI_REALM } from './xapi.guard.js';
import { XapiBadRequest, XapiService } from './xapi.service.js';

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
  async put(@Req() request: express.Request, @Res() response: express.Response, @PortalOrigin() portal: string) {
    const statementId = single(request, 'statementId');
    if (statementId === undefined) throw bad('PUT needs the statementId parameter');
    onlyParameters(request, ['statementId']);
    if (!isUuid(statementId)) throw bad('statementId must be a UUID');
    const { statements, batch, attachments } = readStatements(request);
    if (batch) throw bad('PUT takes one statement');
    const statement = statements[0];
    if (statement.id !== undefined && String(statement.id).toLowerCase() !== statementId.toLowerCase()) {
      throw bad('The statement id differs from statementId');
    }
    await this.store(request, portal, [{ ...statement, id: statement.id ?? statementId }], attachments);
    response.status(HttpStatus.NO_CONTENT).end();
  }

  @Post('xapi/statements')
  async post(@Req() request: express.Request, @Res() response: express.Response, @PortalOrigin() portal: string) {
    onlyParameters(request, []);
    const { statements, attachments } = readStatements(request);
    const ids = await this.store(request, portal, statements, attachments);
    response.status(HttpStatus.OK).json(ids);
  }

  @Get('xapi/statements')
  async get(@Req() request: express.Request, @Res() response: express.Response) {
    const more = single(request, 'more');
    if (more !== undefined && Object.keys(request.query).length > 1) throw bad('more takes no other parameter');
    // A more link stands for the request it continues: its parameters are read as that request's were.
    const { parameters, after } = more === undefined ? { parameters: request.query, after: undefined } : cursorOf(more);
    const given = { query: parameters };
    const names = Object.keys(parameters);
    onlyParameters(given, QUERY_PARAMETERS);
    const format = single(given, 'format') ?? 'exact';
    if (!['exact', 'ids', 'canonical'].includes(format)) throw bad('format must be ids, exact or canonical');
    const withAttachments = flag(given, 'attachments') ?? false;
    const shape = (statement: JsonObject) =>
      format === 'ids'
        ? idsFormat(statement)
        : format === 'canonical'
          ? canonicalFormat(statement, request.get('accept-language'))
          : statement;
    const statementId = single(given, 'statementId');
    const voidedStatementId = single(given, 'voidedStatementId');
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
      response.setHeader('Last-Modified', new Date(statement.stored as string).toUTCString());
      await this.send(response, shape(statement), withAttachments ? [statement] : null);
      return;
    }
    const query = statementQueryOf(given, versionOf(request));
    const launch = launchOf(request);
    if (launch && query.registration !== undefined && query.registration.toLowerCase() !== launch.registration) {
      throw new ForbiddenException('A launch credential reads the statements of its own registration only');
    }
    const page = await this.xapi.query(query, after, launch?.registration);
    // xAPI's more link is the full path without the host: behind a proxy that serves the portal under a path
    // (PUBLIC_URL's), a client resolves it against the host alone.
    const path = publicPath(this.config);
    const moreUrl =
      page.last === undefined
        ? ''
        : `${path}/xapi/statements?more=${Buffer.from(JSON.stringify({ parameters, after: page.last })).toString('base64url')}`;
    const result = { statements: page.statements.map(shape), more: moreUrl };
    await this.send(response, result, withAttachments ? page.statements : null);
  }

  /** Whether the request's credential reaches this statement: a launch's, only those of its registration. */
  private reachable(request: express.Request, statement: JsonObject): boolean {
    const launch = launchOf(request);
    const registration = (statement.context as JsonObject | undefined)?.registration;
    return !launch || (typeof registration === 'string' && registration.toLowerCase() === launch.registration);
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

  /** Stores the statements sent to the portal at `origin` (`PortalOrigin`), whose words' activities they may name. */
  private async store(
    request: express.Request,
    origin: string,
    statements: JsonObject[],
    attachments: Map<string, { contentType: string; content: Buffer }>,
  ): Promise<string[]> {
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
        scope: launch?.registration,
      });
    } catch (error) {
      if (error instanceof XapiBadRequest) throw bad(error.message);
      if (error instanceof UnauthorizedException) request.res?.setHeader('WWW-Authenticate', XAPI_REALM);
      throw error;
    }
  }
}

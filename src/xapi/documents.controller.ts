import { Delete, Get, HttpStatus, NotFoundException, Post, Put, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type * as express from 'express';
import type { Environment } from '../config.js';
import type { DocumentKind } from './document.entity.js';
import { type DocumentKey, DocumentsService, type Preconditions } from './documents.service.js';
import { isIri, isUuid } from './statement-validator.js';
import type { JsonObject } from '../core/json.js';
import { agentKey } from './statements.js';
import { portalOrigin } from '../http/origin.js';
import { wordActivityPattern } from './origin.js';
import { agentParameter, bad, bodyOf, single, timestampParameter, XapiResource } from './xapi-resource.js';
import { versionOf } from './xapi.guard.js';
import { XapiService } from './xapi.service.js';

/** What names a document of each resource, besides its id parameter. */
const RESOURCES: Record<
  DocumentKind,
  { path: string; idName: 'stateId' | 'profileId'; activity: boolean; agent: boolean; registration: boolean }
> = {
  state: { path: 'xapi/activities/state', idName: 'stateId', activity: true, agent: true, registration: true },
  activity_profile: {
    path: 'xapi/activities/profile',
    idName: 'profileId',
    activity: true,
    agent: false,
    registration: false,
  },
  agent_profile: {
    path: 'xapi/agents/profile',
    idName: 'profileId',
    activity: false,
    agent: true,
    registration: false,
  },
};

function required(request: express.Request, name: string): string {
  const value = single(request, name);
  if (value === undefined || value === '') throw bad(`The ${name} parameter is required`);
  return value;
}

function onlyParameters(request: express.Request, allowed: string[]): void {
  const unknown = Object.keys(request.query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw bad(`Unknown parameters: ${unknown.join(', ')}`);
}

/** The `agent` parameter: an Agent as JSON, valid for the request's xAPI version. */
function agentOf(request: express.Request): JsonObject {
  const agent = agentParameter(required(request, 'agent'), versionOf(request), 'an Agent');
  if (agent.objectType === 'Group') throw bad('agent must be an Agent, not a Group');
  return agent;
}

/** The key of the documents a list or a DELETE of them names. */
const withoutId = ({ kind, activityId, agent, registration }: DocumentKey) => ({
  kind,
  activityId,
  agent,
  registration,
});

/**
 * xAPI's document resources (State, Activity Profile, Agent Profile), and the Agents and Activities
 * resources, at /xapi. Behind XapiGuard like the Statements resource. Every GET also answers HEAD (Express).
 */
@XapiResource()
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly xapi: XapiService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  @Get(RESOURCES.state.path)
  getState(@Req() request: express.Request, @Res() response: express.Response) {
    return this.read('state', request, response);
  }

  @Put(RESOURCES.state.path)
  putState(@Req() request: express.Request, @Res() response: express.Response) {
    return this.write('state', 'put', request, response);
  }

  @Post(RESOURCES.state.path)
  postState(@Req() request: express.Request, @Res() response: express.Response) {
    return this.write('state', 'post', request, response);
  }

  @Delete(RESOURCES.state.path)
  deleteState(@Req() request: express.Request, @Res() response: express.Response) {
    return this.remove('state', request, response);
  }

  @Get(RESOURCES.activity_profile.path)
  getActivityProfile(@Req() request: express.Request, @Res() response: express.Response) {
    return this.read('activity_profile', request, response);
  }

  @Put(RESOURCES.activity_profile.path)
  putActivityProfile(@Req() request: express.Request, @Res() response: express.Response) {
    return this.write('activity_profile', 'put', request, response);
  }

  @Post(RESOURCES.activity_profile.path)
  postActivityProfile(@Req() request: express.Request, @Res() response: express.Response) {
    return this.write('activity_profile', 'post', request, response);
  }

  @Delete(RESOURCES.activity_profile.path)
  deleteActivityProfile(@Req() request: express.Request, @Res() response: express.Response) {
    return this.remove('activity_profile', request, response);
  }

  @Get(RESOURCES.agent_profile.path)
  getAgentProfile(@Req() request: express.Request, @Res() response: express.Response) {
    return this.read('agent_profile', request, response);
  }

  @Put(RESOURCES.agent_profile.path)
  putAgentProfile(@Req() request: express.Request, @Res() response: express.Response) {
    return this.write('agent_profile', 'put', request, response);
  }

  @Post(RESOURCES.agent_profile.path)
  postAgentProfile(@Req() request: express.Request, @Res() response: express.Response) {
    return this.write('agent_profile', 'post', request, response);
  }

  @Delete(RESOURCES.agent_profile.path)
  deleteAgentProfile(@Req() request: express.Request, @Res() response: express.Response) {
    return this.remove('agent_profile', request, response);
  }

  /** The Agents resource: the Person the LRS knows by this Agent's identifier (here: the Agent itself). */
  @Get('xapi/agents')
  agents(@Req() request: express.Request, @Res() response: express.Response) {
    onlyParameters(request, ['agent']);
    const agent = agentOf(request);
    const person: JsonObject = { objectType: 'Person', name: typeof agent.name === 'string' ? [agent.name] : [] };
    for (const key of ['mbox', 'mbox_sha1sum', 'openid', 'account']) {
      if (agent[key] !== undefined) person[key] = [agent[key]];
    }
    response.status(HttpStatus.OK).json(person);
  }

  /** The Activities resource: a portal word's definition from the word, any other from its statements. */
  @Get('xapi/activities')
  async activities(@Req() request: express.Request, @Res() response: express.Response) {
    onlyParameters(request, ['activityId']);
    const activityId = required(request, 'activityId');
    if (!isIri(activityId)) throw bad('activityId must be an IRI');
    response
      .status(HttpStatus.OK)
      .json(await this.xapi.activity(activityId, wordActivityPattern(portalOrigin(this.config, request))));
  }

  private keyOf(kind: DocumentKind, request: express.Request, withId: boolean): DocumentKey {
    const resource = RESOURCES[kind];
    const key: DocumentKey = { kind, activityId: '', agent: '', registration: '', documentId: '' };
    if (resource.activity) {
      key.activityId = required(request, 'activityId');
      if (!isIri(key.activityId)) throw bad('activityId must be an IRI');
    }
    if (resource.agent) key.agent = agentKey(agentOf(request))!;
    if (resource.registration) {
      const registration = single(request, 'registration');
      if (registration !== undefined) {
        if (!isUuid(registration)) throw bad('registration must be a UUID');
        key.registration = registration.toLowerCase();
      }
    }
    if (withId) key.documentId = required(request, resource.idName);
    return key;
  }

  private allowed(kind: DocumentKind, ...more: string[]): string[] {
    const resource = RESOURCES[kind];
    return [
      ...(resource.activity ? ['activityId'] : []),
      ...(resource.agent ? ['agent'] : []),
      ...(resource.registration ? ['registration'] : []),
      resource.idName,
      ...more,
    ];
  }

  private preconditions(kind: DocumentKind, request: express.Request): Preconditions {
    const version = versionOf(request);
    return {
      ifMatch: request.get('if-match'),
      ifNoneMatch: request.get('if-none-match'),
      // xAPI 2.0 protects every document resource; 1.0.3 the profiles, whose PUT needs a precondition.
      conflictWithout: version === '2.0.0' || kind !== 'state',
      requiredWithout: version === '1.0.3' && kind !== 'state',
    };
  }

  /** GET: one document (with its ETag and Last-Modified), or without its id the ids of those under the key. */
  private async read(kind: DocumentKind, request: express.Request, response: express.Response): Promise<void> {
    const idName = RESOURCES[kind].idName;
    onlyParameters(request, this.allowed(kind, 'since'));
    if (single(request, idName) === undefined) {
      const key = this.keyOf(kind, request, false);
      const since = timestampParameter(request, 'since');
      response
        .status(HttpStatus.OK)
        .json(await this.documents.ids(withoutId(key), since === undefined ? undefined : new Date(since)));
      return;
    }
    if (single(request, 'since') !== undefined) throw bad(`since goes with a list, not with ${idName}`);
    const document = await this.documents.get(this.keyOf(kind, request, true));
    if (!document) {
      throw new NotFoundException(
        `No ${kind.replace('_', ' ')} document ${RESOURCES[kind].idName}=${single(request, idName)}`,
      );
    }
    response
      .status(HttpStatus.OK)
      .setHeader('ETag', `"${document.etag}"`)
      .setHeader('Last-Modified', document.updated.toUTCString())
      .setHeader('Content-Type', document.contentType)
      .end(Buffer.from(document.content));
  }

  private async write(
    kind: DocumentKind,
    method: 'put' | 'post',
    request: express.Request,
    response: express.Response,
  ) {
    onlyParameters(request, this.allowed(kind));
    const key = this.keyOf(kind, request, true);
    const body = {
      contentType: request.get('content-type') ?? 'application/octet-stream',
      content: bodyOf(request),
    };
    await this.documents[method](key, body, this.preconditions(kind, request));
    response.status(HttpStatus.NO_CONTENT).end();
  }

  private async remove(kind: DocumentKind, request: express.Request, response: express.Response) {
    onlyParameters(request, this.allowed(kind));
    if (kind === 'state' && single(request, 'stateId') === undefined) {
      await this.documents.deleteAll(withoutId(this.keyOf(kind, request, false)));
    } else {
      await this.documents.delete(this.keyOf(kind, request, true), this.preconditions(kind, request));
    }
    response.status(HttpStatus.NO_CONTENT).end();
  }
}

import { Delete, Get, HttpStatus, NotFoundException, Post, Put, Req, Res } from '@nestjs/common';
import type * as express from 'express';
import type { JsonObject } from '../core/json.js';
import { PortalOrigin } from '../http/origin.js';
import type { DocumentKind } from './document.entity.js';
import {
  activityIdOf,
  agentOf,
  documentKeyOf,
  documentParameters,
  preconditionsOf,
  RESOURCES,
  withoutId,
} from './document-request.js';
import { DocumentsService } from './documents.service.js';
import { wordActivityPattern } from './origin.js';
import { bad, bodyOf, onlyParameters, single, timestampParameter, XapiResource } from './xapi-resource.js';
import { XapiService } from './xapi.service.js';

/**
 * xAPI's document resources (State, Activity Profile, Agent Profile), and the Agents and Activities
 * resources, at /xapi. Behind XapiGuard like the Statements resource. Every GET also answers HEAD (Express).
 */
@XapiResource()
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly xapi: XapiService,
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
  async activities(@Req() request: express.Request, @Res() response: express.Response, @PortalOrigin() portal: string) {
    onlyParameters(request, ['activityId']);
    const activityId = activityIdOf(request);
    response.status(HttpStatus.OK).json(await this.xapi.activity(activityId, wordActivityPattern(portal)));
  }

  /** GET: one document (with its ETag and Last-Modified), or without its id the ids of those under the key. */
  private async read(kind: DocumentKind, request: express.Request, response: express.Response): Promise<void> {
    const idName = RESOURCES[kind].idName;
    onlyParameters(request, documentParameters(kind, 'since'));
    if (single(request, idName) === undefined) {
      const key = documentKeyOf(kind, request, false);
      const since = timestampParameter(request, 'since');
      response
        .status(HttpStatus.OK)
        .json(await this.documents.ids(withoutId(key), since === undefined ? undefined : new Date(since)));
      return;
    }
    if (single(request, 'since') !== undefined) throw bad(`since goes with a list, not with ${idName}`);
    const document = await this.documents.get(documentKeyOf(kind, request, true));
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
    onlyParameters(request, documentParameters(kind));
    const key = documentKeyOf(kind, request, true);
    const body = {
      contentType: request.get('content-type') ?? 'application/octet-stream',
      content: bodyOf(request),
    };
    await this.documents[method](key, body, preconditionsOf(kind, request));
    response.status(HttpStatus.NO_CONTENT).end();
  }

  private async remove(kind: DocumentKind, request: express.Request, response: express.Response) {
    onlyParameters(request, documentParameters(kind));
    if (kind === 'state' && single(request, 'stateId') === undefined) {
      await this.documents.deleteAll(withoutId(documentKeyOf(kind, request, false)));
    } else {
      await this.documents.delete(documentKeyOf(kind, request, true), preconditionsOf(kind, request));
    }
    response.status(HttpStatus.NO_CONTENT).end();
  }
}

/**
 * What a request to a document resource (State, Activity Profile, Agent Profile) or to the Agents and Activities
 * resources names, read and checked (400 otherwise) before the resource acts on it.
 */

import type { Request } from 'express';
import type { JsonObject } from '../core/json.js';
import type { DocumentKind } from './document.entity.js';
import type { DocumentKey, Preconditions } from './documents.service.js';
import { isIri } from './statement-validator.js';
import { agentKey } from './statements.js';
import { agentParameter, bad, required, uuidParameter } from './xapi-resource.js';
import { versionOf } from './xapi.guard.js';

/** What names a document of each resource, besides its id parameter. */
export const RESOURCES: Record<
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

/** The `activityId` parameter: an IRI. */
export function activityIdOf(request: Request): string {
  const activityId = required(request, 'activityId');
  if (!isIri(activityId)) throw bad('activityId must be an IRI');
  return activityId;
}

/** The `agent` parameter: an Agent as JSON, valid for the request's xAPI version. */
export function agentOf(request: Request): JsonObject {
  const agent = agentParameter(required(request, 'agent'), versionOf(request), 'an Agent');
  if (agent.objectType === 'Group') throw bad('agent must be an Agent, not a Group');
  return agent;
}

/** The parameters a request to a document resource may have: those of its key, its id, and `others`. */
export function documentParameters(kind: DocumentKind, ...others: string[]): string[] {
  const resource = RESOURCES[kind];
  return [
    ...(resource.activity ? ['activityId'] : []),
    ...(resource.agent ? ['agent'] : []),
    ...(resource.registration ? ['registration'] : []),
    resource.idName,
    ...others,
  ];
}

/** The document a request names (`withId`), or with an empty id the documents under its key. */
export function documentKeyOf(kind: DocumentKind, request: Request, withId: boolean): DocumentKey {
  const resource = RESOURCES[kind];
  const key: DocumentKey = { kind, activityId: '', agent: '', registration: '', documentId: '' };
  if (resource.activity) key.activityId = activityIdOf(request);
  if (resource.agent) key.agent = agentKey(agentOf(request))!;
  if (resource.registration) {
    key.registration = uuidParameter(request, 'registration')?.toLowerCase() ?? '';
  }
  if (withId) key.documentId = required(request, resource.idName);
  return key;
}

/** The key of the documents a list or a DELETE of them names. */
export const withoutId = ({ kind, activityId, agent, registration }: DocumentKey) => ({
  kind,
  activityId,
  agent,
  registration,
});

/** The conditions a write or a DELETE of a document is made on. */
export function preconditionsOf(kind: DocumentKind, request: Request): Preconditions {
  const version = versionOf(request);
  return {
    ifMatch: request.get('if-match'),
    ifNoneMatch: request.get('if-none-match'),
    // xAPI 2.0 protects every document resource; 1.0.3 the profiles, whose PUT needs a precondition.
    conflictWithout: version === '2.0.0' || kind !== 'state',
    requiredWithout: version === '1.0.3' && kind !== 'state',
  };
}

import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { creationTime, partOf } from '../database/columns.js';
import { StudySession } from '../study-sessions/study-session.entity.js';

/** The three document resources of xAPI, each keyed by its own parameters. */
export type DocumentKind = 'state' | 'activity_profile' | 'agent_profile';

/**
 * A document of the State, Activity Profile or Agent Profile resource, as sent (bytes and content type).
 * It is found by its kind and the parameters that resource names it by; a parameter the resource does not
 * have (the agent of an activity profile, the activity of an agent profile, a state without registration)
 * is '' (not null, so that the unique key holds: SQLite's unique indexes let nulls repeat). `agent` is the
 * Agent's identifier (see `agentKey`), `etag` the SHA-1 of the content (the `ETag` of xAPI's concurrency).
 */
export const XapiDocument = defineEntity({
  name: 'XapiDocument',
  tableName: 'xapi_documents',
  properties: {
    id: p.integer().primary(),
    kind: p.string().$type<DocumentKind>(),
    activityId: p.text().default(''),
    agent: p.text().default(''),
    registration: p.text().default(''),
    documentId: p.text(),
    contentType: p.text(),
    content: p.blob(),
    etag: p.text(),
    updated: p.datetime(),
  },
  uniques: [
    {
      name: 'xapi_documents_key_unique',
      properties: ['kind', 'activityId', 'agent', 'registration', 'documentId'],
    },
  ],
});
export type XapiDocument = InferEntity<typeof XapiDocument>;

/**
 * What the LRS knows of an Activity: the definitions statements gave it, merged (language maps by
 * language, the rest from the latest), which `GET /xapi/activities` returns.
 */
export const XapiActivity = defineEntity({
  name: 'XapiActivity',
  tableName: 'xapi_activities',
  properties: {
    id: p.integer().primary(),
    activityId: p.text().unique(),
    definition: p.json<Record<string, unknown>>(),
  },
});
export type XapiActivity = InferEntity<typeof XapiActivity>;

/**
 * The credential a launched xAPI app fetched once (cmi5's fetch URL) for its study session: the session's
 * registration is its user name, the SHA-256 of the token its password. Gone with the session.
 */
export const XapiLaunchToken = defineEntity({
  name: 'XapiLaunchToken',
  tableName: 'xapi_launch_tokens',
  properties: {
    id: p.integer().primary(),
    session: () => partOf(StudySession),
    registration: p.text().unique(),
    tokenHash: p.text(),
    createdAt: creationTime(),
  },
});
export type XapiLaunchToken = InferEntity<typeof XapiLaunchToken>;

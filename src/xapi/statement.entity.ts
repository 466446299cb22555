import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { partOf } from '../database/columns.js';

/**
 * An xAPI statement, stored as sent (with what the LRS sets: `id` if absent, `stored`, `authority`,
 * `timestamp`, `version`), and the columns the Statements resource filters on. The row's `id` orders
 * statements as they were stored (and pages them).
 */
export const XapiStatement = defineEntity({
  name: 'XapiStatement',
  tableName: 'xapi_statements',
  properties: {
    id: p.integer().primary(),
    // The statement's UUID in lower case (UUIDs compare so).
    statementId: p.text().unique(),
    // json, not PostgreSQL's jsonb: a statement comes back exactly as stored (jsonb reorders keys, and a
    // language map's first language is canonical format's fallback).
    statement: p.json<Record<string, unknown>>().columnType('json'),
    verb: p.text(),
    registration: p.text().nullable(),
    stored: p.datetime().index(),
    // Voided by a later voiding statement: only `voidedStatementId` returns it.
    voided: p.boolean().default(false),
    // The statement its object refers to (a StatementRef): voided by it if it is a voiding statement, and
    // found with it by the filters.
    target: p.text().nullable().index(),
    agents: () => p.oneToMany(XapiStatementAgent).mappedBy('statement'),
    activities: () => p.oneToMany(XapiStatementActivity).mappedBy('statement'),
  },
  indexes: [
    { name: 'xapi_statements_verb_index', properties: ['verb', 'id'] },
    { name: 'xapi_statements_registration_index', properties: ['registration', 'id'] },
  ],
});
export type XapiStatement = InferEntity<typeof XapiStatement>;

/**
 * An Agent or Group a statement is about (`agent` is its identifier, see `agentKey`): as its actor or
 * object, or (`related`) anywhere else the `related_agents` filter looks.
 */
export const XapiStatementAgent = defineEntity({
  name: 'XapiStatementAgent',
  tableName: 'xapi_statement_agents',
  properties: {
    id: p.integer().primary(),
    statement: () => partOf(XapiStatement),
    agent: p.text(),
    related: p.boolean(),
  },
  indexes: [{ name: 'xapi_statement_agents_agent_index', properties: ['agent', 'related', 'statement'] }],
});
export type XapiStatementAgent = InferEntity<typeof XapiStatementAgent>;

/** An Activity a statement is about: its object, or (`related`) a context activity or a SubStatement's. */
export const XapiStatementActivity = defineEntity({
  name: 'XapiStatementActivity',
  tableName: 'xapi_statement_activities',
  properties: {
    id: p.integer().primary(),
    statement: () => partOf(XapiStatement),
    activity: p.text(),
    related: p.boolean(),
  },
  indexes: [{ name: 'xapi_statement_activities_activity_index', properties: ['activity', 'related', 'statement'] }],
});
export type XapiStatementActivity = InferEntity<typeof XapiStatementActivity>;

/** The content of an attachment, by its SHA-2 hash (statements name their attachments so). */
export const XapiAttachment = defineEntity({
  name: 'XapiAttachment',
  tableName: 'xapi_attachments',
  properties: {
    sha2: p.text().primary(),
    contentType: p.text(),
    content: p.blob(),
  },
});
export type XapiAttachment = InferEntity<typeof XapiAttachment>;

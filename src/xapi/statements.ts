/** What the Statements resource reads out of a statement: identifiers, what filters index, formats. */

import { isJsonObject, type Json, type JsonObject } from '../core/json.js';
import { instantOfTimestamp } from './statement-validator.js';

/** An Agent's or identified Group's inverse functional identifier as one string; null for an anonymous Group. */
export function agentKey(agent: unknown): string | null {
  if (!isJsonObject(agent)) return null;
  if (typeof agent.mbox === 'string') return `mbox:${agent.mbox}`;
  if (typeof agent.mbox_sha1sum === 'string') return `mbox_sha1sum:${agent.mbox_sha1sum.toLowerCase()}`;
  if (typeof agent.openid === 'string') return `openid:${agent.openid}`;
  if (isJsonObject(agent.account)) return `account:${JSON.stringify([agent.account.homePage, agent.account.name])}`;
  return null;
}

/** The identifiers of an Agent or Group and of a Group's members. */
function keysOf(actor: unknown): string[] {
  const keys = [agentKey(actor)];
  if (isJsonObject(actor) && Array.isArray(actor.member)) keys.push(...actor.member.map(agentKey));
  return keys.filter((key): key is string => key !== null);
}

const isActor = (object: JsonObject) => object.objectType === 'Agent' || object.objectType === 'Group';
const isActivity = (object: JsonObject) => object.objectType === undefined || object.objectType === 'Activity';

function contextActivityIds(context: unknown): string[] {
  if (!isJsonObject(context) || !isJsonObject(context.contextActivities)) return [];
  return Object.values(context.contextActivities).flatMap((list) =>
    (Array.isArray(list) ? list : [list]).flatMap((activity) =>
      isJsonObject(activity) && typeof activity.id === 'string' ? [activity.id] : [],
    ),
  );
}

function contextAgentKeys(context: unknown): string[] {
  if (!isJsonObject(context)) return [];
  const keys = [...keysOf(context.instructor), ...keysOf(context.team)];
  for (const entry of Array.isArray(context.contextAgents) ? context.contextAgents : []) {
    if (isJsonObject(entry)) keys.push(...keysOf(entry.agent));
  }
  for (const entry of Array.isArray(context.contextGroups) ? context.contextGroups : []) {
    if (isJsonObject(entry)) keys.push(...keysOf(entry.group));
  }
  return keys;
}

/** The activities a statement defines (its object, a SubStatement's, context activities): id and definition. */
export function definitionsOf(statement: JsonObject): [string, JsonObject][] {
  const found: [string, JsonObject][] = [];
  const add = (activity: unknown) => {
    if (
      isJsonObject(activity) &&
      isActivity(activity) &&
      typeof activity.id === 'string' &&
      isJsonObject(activity.definition)
    ) {
      found.push([activity.id, activity.definition]);
    }
  };
  const context = (value: unknown) => {
    if (!isJsonObject(value) || !isJsonObject(value.contextActivities)) return;
    Object.values(value.contextActivities).forEach((list) => (Array.isArray(list) ? list : [list]).forEach(add));
  };
  const object = statement.object as JsonObject;
  add(object);
  context(statement.context);
  if (object.objectType === 'SubStatement') {
    add(object.object);
    context(object.context);
  }
  return found;
}

const LANGUAGE_MAPS = ['name', 'description'];

/** Two definitions of one activity as one: language maps by language, everything else from the newer. */
export function mergedDefinition(older: JsonObject, newer: JsonObject): JsonObject {
  const merged: JsonObject = { ...older, ...newer };
  for (const key of LANGUAGE_MAPS) {
    if (isJsonObject(older[key]) && isJsonObject(newer[key])) merged[key] = { ...older[key], ...newer[key] };
  }
  if (isJsonObject(older.extensions) && isJsonObject(newer.extensions)) {
    merged.extensions = { ...older.extensions, ...newer.extensions };
  }
  return merged;
}

export interface Indexed {
  agents: { agent: string; related: boolean }[];
  activities: { activity: string; related: boolean }[];
}

/** The agents and activities the `agent` and `activity` filters find a statement by (and their `related_*` forms). */
export function indexOf(statement: JsonObject): Indexed {
  const agents = new Map<string, boolean>();
  const activities = new Map<string, boolean>();
  const agent = (key: string, related: boolean) => agents.set(key, (agents.get(key) ?? true) && related);
  const activity = (id: string, related: boolean) => activities.set(id, (activities.get(id) ?? true) && related);
  // The actor and object are what a statement is about (a SubStatement's are related); its context's are related.
  const actorAndObject = (part: JsonObject, related: boolean) => {
    keysOf(part.actor).forEach((key) => agent(key, related));
    const object = part.object as JsonObject;
    if (isActor(object)) keysOf(object).forEach((key) => agent(key, related));
    if (isActivity(object)) activity(object.id as string, related);
  };
  const context = (part: JsonObject) => {
    contextAgentKeys(part.context).forEach((key) => agent(key, true));
    contextActivityIds(part.context).forEach((id) => activity(id, true));
  };
  actorAndObject(statement, false);
  keysOf(statement.authority).forEach((key) => agent(key, true));
  context(statement);
  const object = statement.object as JsonObject;
  if (object.objectType === 'SubStatement') {
    actorAndObject(object, true);
    context(object);
  }
  return {
    agents: [...agents].map(([key, related]) => ({ agent: key, related })),
    activities: [...activities].map(([id, related]) => ({ activity: id, related })),
  };
}

/** The statement as stored: a context activity given as one object becomes an array of it (also in a SubStatement). */
export function normalized(statement: JsonObject): JsonObject {
  const withContext = (value: JsonObject): JsonObject => {
    const context = value.context;
    if (!isJsonObject(context) || !isJsonObject(context.contextActivities)) return value;
    const contextActivities = Object.fromEntries(
      Object.entries(context.contextActivities).map(([kind, list]) => [kind, Array.isArray(list) ? list : [list]]),
    );
    return { ...value, context: { ...context, contextActivities } };
  };
  const object = statement.object;
  const out = withContext(statement);
  return isJsonObject(object) && object.objectType === 'SubStatement' ? { ...out, object: withContext(object) } : out;
}

/** Equal JSON values, whatever the order of object keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameJson(a[key], b[key]));
  }
  return a === b;
}

// What the LRS sets on a statement, left out when a statement sent again is compared with the stored one.
const SET_BY_LRS = ['stored', 'authority', 'version', 'id'];

/** A statement sent again is the stored one if they differ only in what the LRS sets (and a timestamp it set). */
export function sameStatement(sent: JsonObject, stored: JsonObject): boolean {
  // Timestamps are compared as instants: the stored one may be written another way.
  const strip = (statement: JsonObject) =>
    Object.fromEntries(Object.entries(statement).filter(([key]) => !SET_BY_LRS.includes(key) && key !== 'timestamp'));
  if (typeof stored.timestamp === 'string' && typeof sent.timestamp === 'string') {
    if (instantOfTimestamp(stored.timestamp) !== instantOfTimestamp(sent.timestamp)) return false;
  }
  return sameJson(strip(sent), strip(stored));
}

/** `format=ids`: Agents and Groups by their identifier only, Activities and verbs by their id. */
export function idsFormat(statement: JsonObject): JsonObject {
  const actor = (value: Json | undefined): Json | undefined => {
    if (!isJsonObject(value)) return value;
    const out: JsonObject = {};
    if (value.objectType !== undefined) out.objectType = value.objectType;
    for (const key of ['mbox', 'mbox_sha1sum', 'openid', 'account']) {
      if (value[key] !== undefined) out[key] = value[key];
    }
    if (Array.isArray(value.member) && agentKey(value) === null) out.member = value.member.map((m) => actor(m) ?? null);
    return out;
  };
  const activity = (value: Json): Json => (isJsonObject(value) ? { id: value.id } : value);
  const context = (value: Json | undefined): Json | undefined => {
    if (!isJsonObject(value)) return value;
    const out: JsonObject = { ...value };
    if (out.instructor !== undefined) out.instructor = actor(out.instructor) ?? null;
    if (out.team !== undefined) out.team = actor(out.team) ?? null;
    // 2.0.0's contextAgents and contextGroups: each entry's Agent or Group by its identifier, its relevantTypes kept.
    for (const [list, member] of [
      ['contextAgents', 'agent'],
      ['contextGroups', 'group'],
    ] as const) {
      const entries = value[list];
      if (Array.isArray(entries)) {
        out[list] = entries.map((entry) =>
          isJsonObject(entry) ? { ...entry, [member]: actor(entry[member]) ?? null } : entry,
        );
      }
    }
    if (isJsonObject(value.contextActivities)) {
      out.contextActivities = Object.fromEntries(
        Object.entries(value.contextActivities).map(([kind, list]) => [
          kind,
          Array.isArray(list) ? list.map(activity) : activity(list),
        ]),
      );
    }
    return out;
  };
  const whole = (value: JsonObject): JsonObject => {
    const out: JsonObject = { ...value, actor: actor(value.actor) ?? null };
    if (isJsonObject(value.verb)) out.verb = { id: value.verb.id };
    const object = value.object as JsonObject;
    out.object = isActor(object)
      ? (actor(object) ?? null)
      : isActivity(object)
        ? activity(object)
        : object.objectType === 'SubStatement'
          ? whole(object)
          : object;
    if (value.context !== undefined) out.context = context(value.context) ?? null;
    if (value.authority !== undefined) out.authority = actor(value.authority) ?? null;
    return out;
  };
  return whole(statement);
}

/** `format=canonical`: every language map reduced to the one language the client prefers. */
export function canonicalFormat(statement: JsonObject, acceptLanguage: string | undefined): JsonObject {
  const preferred = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((param) => /^\s*q=([\d.]+)/.exec(param)?.[1]).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((entry) => entry.tag);
  const reduce = (map: Json): Json => {
    if (!isJsonObject(map)) return map;
    const tags = Object.keys(map);
    if (tags.length <= 1) return map;
    const chosen =
      preferred
        .map(
          (want) =>
            tags.find((tag) => tag.toLowerCase() === want) ??
            tags.find((tag) => tag.toLowerCase().split('-')[0] === want.split('-')[0]),
        )
        .find(Boolean) ??
      tags.find((tag) => tag.toLowerCase().startsWith('en')) ??
      tags[0];
    return { [chosen]: map[chosen] };
  };
  const walk = (value: Json, key?: string): Json => {
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (!isJsonObject(value)) return value;
    if (
      key !== undefined &&
      ['display', 'name', 'description'].includes(key) &&
      Object.values(value).every((v) => typeof v === 'string')
    ) {
      return reduce(value);
    }
    if (key === 'extensions') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
  };
  // An Agent's `name` is a string, never a language map, so the walk leaves it alone.
  return walk(statement) as JsonObject;
}

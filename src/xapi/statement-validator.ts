/**
 * The statement rules of xAPI (IEEE 9274.1.1: 1.0.3 and 2.0.0), checked before anything is stored: a
 * statement that breaks one is refused with a 400 naming the first rule it breaks and where.
 */

import { isRealDateTime } from '../core/calendar.js';
import { isJsonObject, type JsonObject } from '../core/json.js';

export type XapiVersion = '1.0.3' | '2.0.0';

/** A statement that breaks a rule of the specification. */
export class StatementInvalid extends Error {
  constructor(
    readonly path: string,
    rule: string,
  ) {
    super(`${path || 'statement'}: ${rule}`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const SHA1 = /^[0-9a-f]{40}$/i;
const MBOX = /^mailto:[^@\s:]+@[^@\s]+$/i;
// RFC 3987's scheme and no character an IRI cannot hold.
const IRI = /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/i;
// RFC 5646 language tags (the well-formed production, grandfathered tags aside).
const LANGUAGE_TAG =
  /^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[\da-wy-z](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?$|^x(?:-[a-z\d]{1,8})+$|^i-[a-z]+$/i;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const DURATION =
  /^P(?!$)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?(?:T(?!$)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$|^P\d+(?:\.\d+)?W$/;
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(?:\s*;.*)?$/i;
const VERSION = { '1.0.3': /^1\.0(\.\d+)?$/, '2.0.0': /^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/ };

const INTERACTION_TYPES = [
  'true-false',
  'choice',
  'fill-in',
  'long-fill-in',
  'matching',
  'performance',
  'sequencing',
  'likert',
  'numeric',
  'other',
];
// The interaction component lists each interaction type may have.
const COMPONENTS_OF: Record<string, string[]> = {
  choice: ['choices'],
  sequencing: ['choices'],
  likert: ['scale'],
  matching: ['source', 'target'],
  performance: ['steps'],
};
const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'];

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
export const isIri = (value: unknown): value is string => typeof value === 'string' && IRI.test(value);
const isLanguageTag = (value: string) => LANGUAGE_TAG.test(value);

/**
 * The instant of an ISO 8601 timestamp (`isTimestamp`): one without an offset (2.0.0 takes it) is UTC. An offset of
 * whole hours may be written without its minutes (`+07`), which `Date.parse` does not read.
 */
export const instantOfTimestamp = (value: string): number =>
  Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : /[+-]\d{2}$/.test(value) ? `${value}:00` : `${value}Z`);

/** An ISO 8601 timestamp with a date and time that exist (`isRealDateTime`); `-00:00` (an unknown offset) is refused. */
export function isTimestamp(value: unknown, requireOffset = true): value is string {
  if (typeof value !== 'string') return false;
  const match =
    TIMESTAMP.exec(value) ??
    (requireOffset ? null : /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?()$/i.exec(value));
  if (!match) return false;
  const [, year, month, day, hour, minute, second, , offset] = match;
  if (/^-00(:?00)?$/.test(offset)) return false;
  const [, offsetHours = 0, offsetMinutes = 0] = /^[+-](\d{2}):?(\d{2})?$/.exec(offset) ?? [];
  return isRealDateTime({
    ...{ year: +year, month: +month, day: +day, hour: +hour, minute: +minute, second: +second },
    ...{ offsetHours: +offsetHours, offsetMinutes: +offsetMinutes },
  });
}

class Checker {
  constructor(private readonly version: XapiVersion) {}

  fail(path: string, rule: string): never {
    throw new StatementInvalid(path, rule);
  }

  object(value: unknown, path: string, allowed: string[], required: string[] = []): JsonObject {
    if (!isJsonObject(value)) this.fail(path, 'must be an object');
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(path ? `${path}.${key}` : key, 'is not a property of this object');
      if (value[key] === null) this.fail(path ? `${path}.${key}` : key, 'must not be null');
    }
    for (const key of required) {
      if (value[key] === undefined) this.fail(path ? `${path}.${key}` : key, 'is required');
    }
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, 'must be a string');
    return value;
  }

  boolean(value: unknown, path: string): void {
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
  }

  number(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, 'must be a number');
    return value;
  }

  iri(value: unknown, path: string): string {
    if (!isIri(value)) this.fail(path, 'must be an absolute IRI');
    return value;
  }

  uuid(value: unknown, path: string): string {
    if (!isUuid(value)) this.fail(path, 'must be a UUID');
    return value;
  }

  languageMap(value: unknown, path: string): void {
    if (!isJsonObject(value)) this.fail(path, 'must be a language map');
    for (const [tag, text] of Object.entries(value)) {
      if (!isLanguageTag(tag)) this.fail(`${path}.${tag}`, 'is not an RFC 5646 language tag');
      if (typeof text !== 'string') this.fail(`${path}.${tag}`, 'must be a string');
    }
  }

  extensions(value: unknown, path: string): void {
    if (!isJsonObject(value)) this.fail(path, 'must be an object');
    for (const key of Object.keys(value)) this.iri(key, `${path}.${key}`);
  }

  /** An Agent, or (with `groups`) a Group, as the actor, an object, the instructor or the authority. */
  actor(value: unknown, path: string, groups = true): 'Agent' | 'Group' {
    if (!isJsonObject(value)) this.fail(path, 'must be an Agent or a Group');
    if (value.objectType === 'Group' && groups) {
      this.group(value, path);
      return 'Group';
    }
    if (value.objectType !== undefined && value.objectType !== 'Agent') {
      this.fail(`${path}.objectType`, groups ? 'must be "Agent" or "Group"' : 'must be "Agent"');
    }
    this.agent(value, path);
    return 'Agent';
  }

  agent(value: JsonObject, path: string): void {
    this.object(value, path, ['objectType', 'name', 'mbox', 'mbox_sha1sum', 'openid', 'account']);
    if (value.name !== undefined) this.string(value.name, `${path}.name`);
    if (this.identifiers(value, path) !== 1) this.fail(path, 'an Agent must have exactly one identifier');
  }

  group(value: JsonObject, path: string): void {
    this.object(value, path, ['objectType', 'name', 'mbox', 'mbox_sha1sum', 'openid', 'account', 'member']);
    if (value.name !== undefined) this.string(value.name, `${path}.name`);
    const identifiers = this.identifiers(value, path);
    if (identifiers > 1) this.fail(path, 'a Group must have at most one identifier');
    if (value.member !== undefined) {
      if (!Array.isArray(value.member)) this.fail(`${path}.member`, 'must be an array of Agents');
      value.member.forEach((member, index) => this.actor(member, `${path}.member.${index}`, false));
    }
    if (identifiers === 0 && (!Array.isArray(value.member) || value.member.length === 0)) {
      this.fail(`${path}.member`, 'an anonymous Group must list its members');
    }
  }

  /** Checks the inverse functional identifiers present, and counts them. */
  identifiers(value: JsonObject, path: string): number {
    let count = 0;
    if (value.mbox !== undefined) {
      count++;
      if (typeof value.mbox !== 'string' || !MBOX.test(value.mbox)) this.fail(`${path}.mbox`, 'must be a mailto: IRI');
    }
    if (value.mbox_sha1sum !== undefined) {
      count++;
      if (typeof value.mbox_sha1sum !== 'string' || !SHA1.test(value.mbox_sha1sum)) {
        this.fail(`${path}.mbox_sha1sum`, 'must be the hex SHA-1 of a mailto: IRI');
      }
    }
    if (value.openid !== undefined) {
      count++;
      this.iri(value.openid, `${path}.openid`);
    }
    if (value.account !== undefined) {
      count++;
      const account = this.object(value.account, `${path}.account`, ['homePage', 'name'], ['homePage', 'name']);
      this.iri(account.homePage, `${path}.account.homePage`);
      this.string(account.name, `${path}.account.name`);
    }
    return count;
  }

  verb(value: unknown, path: string): void {
    const verb = this.object(value, path, ['id', 'display'], ['id']);
    this.iri(verb.id, `${path}.id`);
    if (verb.display !== undefined) this.languageMap(verb.display, `${path}.display`);
  }

  activity(value: unknown, path: string): void {
    const activity = this.object(value, path, ['objectType', 'id', 'definition'], ['id']);
    if (activity.objectType !== undefined && activity.objectType !== 'Activity') {
      this.fail(`${path}.objectType`, 'must be "Activity"');
    }
    this.iri(activity.id, `${path}.id`);
    if (activity.definition !== undefined) this.definition(activity.definition, `${path}.definition`);
  }

  definition(value: unknown, path: string): void {
    const definition = this.object(value, path, [
      'name',
      'description',
      'type',
      'moreInfo',
      'extensions',
      'interactionType',
      'correctResponsesPattern',
      ...COMPONENT_LISTS,
    ]);
    if (definition.name !== undefined) this.languageMap(definition.name, `${path}.name`);
    if (definition.description !== undefined) this.languageMap(definition.description, `${path}.description`);
    if (definition.type !== undefined) this.iri(definition.type, `${path}.type`);
    if (definition.moreInfo !== undefined) this.iri(definition.moreInfo, `${path}.moreInfo`);
    if (definition.extensions !== undefined) this.extensions(definition.extensions, `${path}.extensions`);
    const type = definition.interactionType;
    if (type !== undefined && (typeof type !== 'string' || !INTERACTION_TYPES.includes(type))) {
      this.fail(`${path}.interactionType`, `must be one of ${INTERACTION_TYPES.join(', ')}`);
    }
    if (definition.correctResponsesPattern !== undefined) {
      if (type === undefined) this.fail(`${path}.correctResponsesPattern`, 'needs an interactionType');
      const pattern = definition.correctResponsesPattern;
      if (!Array.isArray(pattern)) this.fail(`${path}.correctResponsesPattern`, 'must be an array of strings');
      pattern.forEach((item, index) => this.string(item, `${path}.correctResponsesPattern.${index}`));
    }
    for (const list of COMPONENT_LISTS) {
      const components = definition[list];
      if (components === undefined) continue;
      if (type === undefined || !(COMPONENTS_OF[type as string] ?? []).includes(list)) {
        this.fail(`${path}.${list}`, `is not a component list of interactionType ${String(type)}`);
      }
      if (!Array.isArray(components)) this.fail(`${path}.${list}`, 'must be an array of interaction components');
      const ids = new Set<string>();
      components.forEach((component, index) => {
        const item = this.object(component, `${path}.${list}.${index}`, ['id', 'description'], ['id']);
        const id = this.string(item.id, `${path}.${list}.${index}.id`);
        if (ids.has(id)) this.fail(`${path}.${list}.${index}.id`, 'must be unique in its list');
        ids.add(id);
        if (item.description !== undefined) this.languageMap(item.description, `${path}.${list}.${index}.description`);
      });
    }
  }

  statementRef(value: JsonObject, path: string): void {
    this.object(value, path, ['objectType', 'id'], ['objectType', 'id']);
    this.uuid(value.id, `${path}.id`);
  }

  /** The object of a statement (or, with `sub`, of a SubStatement, which may not nest another). */
  statementObject(value: unknown, path: string, sub: boolean): void {
    if (!isJsonObject(value)) this.fail(path, 'must be an object');
    switch (value.objectType) {
      case undefined:
      case 'Activity':
        this.activity(value, path);
        return;
      case 'Agent':
      case 'Group':
        this.actor(value, path);
        return;
      case 'StatementRef':
        this.statementRef(value, path);
        return;
      case 'SubStatement':
        if (sub) this.fail(`${path}.objectType`, 'a SubStatement must not contain a SubStatement');
        this.statement(value, path, true);
        return;
      default:
        this.fail(`${path}.objectType`, 'must be Activity, Agent, Group, StatementRef or SubStatement');
    }
  }

  result(value: unknown, path: string): void {
    const result = this.object(value, path, ['score', 'success', 'completion', 'response', 'duration', 'extensions']);
    if (result.score !== undefined) {
      const score = this.object(result.score, `${path}.score`, ['scaled', 'raw', 'min', 'max']);
      for (const key of ['scaled', 'raw', 'min', 'max']) {
        if (score[key] !== undefined) this.number(score[key], `${path}.score.${key}`);
      }
      const { scaled, raw, min, max } = score as Record<string, number | undefined>;
      if (scaled !== undefined && (scaled < -1 || scaled > 1))
        this.fail(`${path}.score.scaled`, 'must be between -1 and 1');
      if (min !== undefined && max !== undefined && min >= max) this.fail(`${path}.score.min`, 'must be less than max');
      if (raw !== undefined && min !== undefined && raw < min)
        this.fail(`${path}.score.raw`, 'must not be less than min');
      if (raw !== undefined && max !== undefined && raw > max)
        this.fail(`${path}.score.raw`, 'must not be more than max');
    }
    if (result.success !== undefined) this.boolean(result.success, `${path}.success`);
    if (result.completion !== undefined) this.boolean(result.completion, `${path}.completion`);
    if (result.response !== undefined) this.string(result.response, `${path}.response`);
    if (result.duration !== undefined) {
      if (typeof result.duration !== 'string' || !DURATION.test(result.duration)) {
        this.fail(`${path}.duration`, 'must be an ISO 8601 duration');
      }
    }
    if (result.extensions !== undefined) this.extensions(result.extensions, `${path}.extensions`);
  }

  context(value: unknown, path: string, objectIsActivity: boolean): void {
    const v2 = this.version === '2.0.0';
    const context = this.object(value, path, [
      'registration',
      'instructor',
      'team',
      'contextActivities',
      'revision',
      'platform',
      'language',
      'statement',
      'extensions',
      ...(v2 ? ['contextAgents', 'contextGroups'] : []),
    ]);
    if (context.registration !== undefined) this.uuid(context.registration, `${path}.registration`);
    if (context.instructor !== undefined) this.actor(context.instructor, `${path}.instructor`);
    if (context.team !== undefined) {
      if (!isJsonObject(context.team) || context.team.objectType !== 'Group')
        this.fail(`${path}.team`, 'must be a Group');
      this.group(context.team, `${path}.team`);
    }
    if (context.contextActivities !== undefined) {
      const activities = this.object(context.contextActivities, `${path}.contextActivities`, [
        'parent',
        'grouping',
        'category',
        'other',
      ]);
      for (const [kind, list] of Object.entries(activities)) {
        const items = Array.isArray(list) ? list : [list];
        items.forEach((item, index) =>
          this.activity(item, `${path}.contextActivities.${kind}${Array.isArray(list) ? `.${index}` : ''}`),
        );
      }
    }
    for (const key of ['revision', 'platform']) {
      if (context[key] === undefined) continue;
      this.string(context[key], `${path}.${key}`);
      if (!objectIsActivity) this.fail(`${path}.${key}`, 'may only be used when the object is an Activity');
    }
    if (context.language !== undefined) {
      if (typeof context.language !== 'string' || !isLanguageTag(context.language)) {
        this.fail(`${path}.language`, 'must be an RFC 5646 language tag');
      }
    }
    if (context.statement !== undefined) {
      if (!isJsonObject(context.statement) || context.statement.objectType !== 'StatementRef') {
        this.fail(`${path}.statement`, 'must be a StatementRef');
      }
      this.statementRef(context.statement, `${path}.statement`);
    }
    if (context.extensions !== undefined) this.extensions(context.extensions, `${path}.extensions`);
    this.contextEntries(context.contextAgents, `${path}.contextAgents`, 'contextAgent', 'agent', (agent, at) =>
      this.actor(agent, at, false),
    );
    this.contextEntries(context.contextGroups, `${path}.contextGroups`, 'contextGroup', 'group', (group, at) => {
      if (!isJsonObject(group) || group.objectType !== 'Group') this.fail(at, 'must be a Group');
      this.group(group, at);
    });
  }

  /** contextAgents or contextGroups: entries of `objectType`, each naming its `member` and the member's relevant types. */
  contextEntries(
    value: unknown,
    path: string,
    objectType: string,
    member: string,
    validateMember: (value: unknown, path: string) => void,
  ): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    value.forEach((item, index) => {
      const at = `${path}.${index}`;
      const entry = this.object(item, at, ['objectType', member, 'relevantTypes'], ['objectType', member]);
      if (entry.objectType !== objectType) this.fail(`${at}.objectType`, `must be "${objectType}"`);
      validateMember(entry[member], `${at}.${member}`);
      this.relevantTypes(entry.relevantTypes, `${at}.relevantTypes`);
    });
  }

  relevantTypes(value: unknown, path: string): void {
    if (value === undefined) return;
    if (!Array.isArray(value) || value.length === 0) this.fail(path, 'must be a non-empty array of IRIs');
    value.forEach((item, index) => this.iri(item, `${path}.${index}`));
  }

  attachments(value: unknown, path: string): void {
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    value.forEach((item, index) => {
      const at = `${path}.${index}`;
      const attachment = this.object(
        item,
        at,
        ['usageType', 'display', 'description', 'contentType', 'length', 'sha2', 'fileUrl'],
        ['usageType', 'display', 'contentType', 'length', 'sha2'],
      );
      this.iri(attachment.usageType, `${at}.usageType`);
      this.languageMap(attachment.display, `${at}.display`);
      if (attachment.description !== undefined) this.languageMap(attachment.description, `${at}.description`);
      if (typeof attachment.contentType !== 'string' || !MEDIA_TYPE.test(attachment.contentType)) {
        this.fail(`${at}.contentType`, 'must be an Internet media type');
      }
      if (!Number.isInteger(attachment.length) || (attachment.length as number) < 0) {
        this.fail(`${at}.length`, 'must be a non-negative integer');
      }
      if (
        typeof attachment.sha2 !== 'string' ||
        !/^[0-9a-f]{56}([0-9a-f]{8}|[0-9a-f]{32}|[0-9a-f]{72})?$/i.test(attachment.sha2)
      ) {
        this.fail(`${at}.sha2`, 'must be a hex SHA-2 hash');
      }
      if (attachment.fileUrl !== undefined) this.iri(attachment.fileUrl, `${at}.fileUrl`);
    });
  }

  timestamp(value: unknown, path: string): void {
    if (!isTimestamp(value, this.version === '1.0.3')) this.fail(path, 'must be an ISO 8601 timestamp');
  }

  /** A statement, or (with `sub`) a SubStatement. */
  statement(value: unknown, path: string, sub = false): void {
    const base = ['actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments'];
    const statement = this.object(
      value,
      path,
      sub ? [...base, 'objectType'] : [...base, 'id', 'stored', 'authority', 'version', 'objectType'],
      ['actor', 'verb', 'object'],
    );
    const at = (key: string) => (path ? `${path}.${key}` : key);
    if (!sub && statement.objectType !== undefined) this.fail(at('objectType'), 'is not a property of a statement');
    if (statement.id !== undefined) this.uuid(statement.id, at('id'));
    this.actor(statement.actor, at('actor'));
    this.verb(statement.verb, at('verb'));
    this.statementObject(statement.object, at('object'), sub);
    if (statement.result !== undefined) this.result(statement.result, at('result'));
    if (statement.context !== undefined) {
      const object = statement.object as JsonObject;
      const isActivity = object.objectType === undefined || object.objectType === 'Activity';
      this.context(statement.context, at('context'), isActivity);
    }
    if (statement.timestamp !== undefined) this.timestamp(statement.timestamp, at('timestamp'));
    if (statement.stored !== undefined) this.timestamp(statement.stored, at('stored'));
    if (statement.attachments !== undefined) this.attachments(statement.attachments, at('attachments'));
    if (statement.authority !== undefined) this.authority(statement.authority, at('authority'));
    if (statement.version !== undefined) {
      if (typeof statement.version !== 'string' || !VERSION[this.version].test(statement.version)) {
        this.fail(at('version'), 'must be a supported xAPI version (1.0.x or 2.0.x)');
      }
    }
    if (!sub && (statement.verb as JsonObject).id === VOIDED) {
      const object = statement.object as JsonObject;
      if (object.objectType !== 'StatementRef')
        this.fail(at('object'), 'a voiding statement must target a StatementRef');
    }
  }

  /** An Agent, or a Group of two Agents (OAuth's consumer and user). */
  authority(value: unknown, path: string): void {
    if (this.actor(value, path) === 'Group') {
      if (this.identifiers(value as JsonObject, path) > 0) this.fail(path, 'an authority Group is anonymous');
      const members = (value as JsonObject).member;
      if (!Array.isArray(members) || members.length !== 2)
        this.fail(`${path}.member`, 'an authority Group has two Agents');
    }
  }
}

export const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

/** Throws StatementInvalid for the first rule the statement breaks. */
export function validateStatement(statement: unknown, version: XapiVersion): void {
  new Checker(version).statement(statement, '');
}

/** Throws StatementInvalid unless `agent` is an Agent or a Group (the `agent` filter). */
export function validateActor(agent: unknown, version: XapiVersion): void {
  new Checker(version).actor(agent, 'agent');
}

import type { JsonObject } from '../../src/core/json.js';
import {
  instantOfTimestamp,
  isTimestamp,
  StatementInvalid,
  validateActor,
  validateStatement,
  type XapiVersion,
} from '../../src/xapi/statement-validator.js';

/**
 * The statement rules of xAPI, one by one: what each refuses, by the message a client reads (the property's path and
 * the rule), and its nearest statement that is taken. ADL's conformance suite (CI) checks the same rules over HTTP.
 */

const LEARNER = { mbox: 'mailto:learner@school.example' };
const TEACHER = { objectType: 'Agent', mbox: 'mailto:teacher@school.example' };
const VERB = { id: 'http://adlnet.gov/expapi/verbs/answered' };
const ACTIVITY = { id: 'http://apps.example/a' };
const REF = { objectType: 'StatementRef', id: '6f1c2bde-4e5f-4a3b-9c2d-1e0f3a4b5c6d' };
const SHA256 = 'a'.repeat(64);

const statement = (parts: JsonObject = {}): JsonObject => ({
  actor: LEARNER,
  verb: VERB,
  object: ACTIVITY,
  ...parts,
});
const withDefinition = (definition: JsonObject) => statement({ object: { ...ACTIVITY, definition } });
const withScore = (score: JsonObject) => statement({ result: { score } });
const attachment = (parts: JsonObject = {}): JsonObject => ({
  usageType: 'http://adlnet.gov/expapi/attachments/signature',
  display: { en: 'evidence' },
  contentType: 'text/plain',
  length: 3,
  sha2: SHA256,
  ...parts,
});
const sub = (parts: JsonObject = {}): JsonObject => ({ objectType: 'SubStatement', ...statement(parts) });

/** The message of the rule `value` breaks, or undefined when it is a valid statement. */
function refusalOf(value: unknown, version: XapiVersion = '2.0.0'): string | undefined {
  try {
    validateStatement(value, version);
    return undefined;
  } catch (error) {
    if (error instanceof StatementInvalid) return error.message;
    throw error;
  }
}

describe('validateStatement', () => {
  it.each<[string, JsonObject, string]>([
    [
      'a statement with an objectType',
      statement({ objectType: 'Statement' }),
      'objectType: is not a property of a statement',
    ],
    ['an unknown property', statement({ score: 1 }), 'score: is not a property of this object'],
    ['a null property', statement({ context: null }), 'context: must not be null'],
    ['a missing verb', { actor: LEARNER, object: ACTIVITY }, 'verb: is required'],
    ['an id of the wrong variant', statement({ id: '6f1c2bde-4e5f-4a3b-cc2d-1e0f3a4b5c6d' }), 'id: must be a UUID'],
    ['an id that is not a UUID', statement({ id: 'statement-1' }), 'id: must be a UUID'],
    ['a verb id with <', statement({ verb: { id: 'http://verbs.example/<a>' } }), 'verb.id: must be an absolute IRI'],
    ['a verb id without a scheme', statement({ verb: { id: 'answered' } }), 'verb.id: must be an absolute IRI'],
    [
      'a display in no language',
      statement({ verb: { ...VERB, display: { en_US: 'x' } } }),
      'verb.display.en_US: is not an RFC 5646 language tag',
    ],
    [
      'four extended languages',
      statement({ verb: { ...VERB, display: { 'zh-abc-def-ghi-jkl': 'x' } } }),
      'verb.display.zh-abc-def-ghi-jkl: is not an RFC 5646 language tag',
    ],
    [
      'a display that is no text',
      statement({ verb: { ...VERB, display: { en: 1 } } }),
      'verb.display.en: must be a string',
    ],
    [
      'an actor of another type',
      statement({ actor: { ...LEARNER, objectType: 'Person' } }),
      'actor.objectType: must be "Agent" or "Group"',
    ],
    [
      'an Agent without an identifier',
      statement({ actor: { name: 'Learner' } }),
      'actor: an Agent must have exactly one identifier',
    ],
    [
      'an Agent with two',
      statement({ actor: { ...LEARNER, openid: 'http://id.example/learner' } }),
      'actor: an Agent must have exactly one identifier',
    ],
    ['an Agent whose name is no text', statement({ actor: { ...LEARNER, name: 1 } }), 'actor.name: must be a string'],
    [
      'an mbox without mailto:',
      statement({ actor: { mbox: 'learner@school.example' } }),
      'actor.mbox: must be a mailto: IRI',
    ],
    [
      'an mbox with a colon',
      statement({ actor: { mbox: 'mailto:learner:x@school.example' } }),
      'actor.mbox: must be a mailto: IRI',
    ],
    [
      'an mbox_sha1sum of 41 digits',
      statement({ actor: { mbox_sha1sum: 'a'.repeat(41) } }),
      'actor.mbox_sha1sum: must be the hex SHA-1 of a mailto: IRI',
    ],
    [
      'an mbox_sha1sum after a letter',
      statement({ actor: { mbox_sha1sum: `x${'a'.repeat(40)}` } }),
      'actor.mbox_sha1sum: must be the hex SHA-1 of a mailto: IRI',
    ],
    ['an openid that is no IRI', statement({ actor: { openid: 'learner' } }), 'actor.openid: must be an absolute IRI'],
    [
      'an account without a homePage',
      statement({ actor: { account: { name: 'learner' } } }),
      'actor.account.homePage: is required',
    ],
    [
      'an account whose homePage is no IRI',
      statement({ actor: { account: { homePage: 'school', name: 'learner' } } }),
      'actor.account.homePage: must be an absolute IRI',
    ],
    [
      'an account whose name is no text',
      statement({ actor: { account: { homePage: 'http://school.example', name: 7 } } }),
      'actor.account.name: must be a string',
    ],
    [
      'a Group with two identifiers',
      statement({ actor: { objectType: 'Group', ...LEARNER, openid: 'http://id.example/class' } }),
      'actor: a Group must have at most one identifier',
    ],
    [
      'a Group whose name is no text',
      statement({ actor: { objectType: 'Group', ...LEARNER, name: 1 } }),
      'actor.name: must be a string',
    ],
    [
      'a Group whose members are no list',
      statement({ actor: { objectType: 'Group', ...LEARNER, member: TEACHER } }),
      'actor.member: must be an array of Agents',
    ],
    [
      'a Group in a Group',
      statement({ actor: { objectType: 'Group', member: [{ ...TEACHER, objectType: 'Group' }] } }),
      'actor.member.0.objectType: must be "Agent"',
    ],
    [
      'an anonymous Group without members',
      statement({ actor: { objectType: 'Group', member: [] } }),
      'actor.member: an anonymous Group must list its members',
    ],
    [
      'an object of another type',
      statement({ object: { ...ACTIVITY, objectType: 'Thing' } }),
      'object.objectType: must be Activity, Agent, Group, StatementRef or SubStatement',
    ],
    ['a StatementRef whose id is no UUID', statement({ object: { ...REF, id: 'x' } }), 'object.id: must be a UUID'],
    [
      'a SubStatement in a SubStatement',
      statement({ object: sub({ object: sub() }) }),
      'object.object.objectType: a SubStatement must not contain a SubStatement',
    ],
    [
      'a SubStatement with an id',
      statement({ object: { ...sub(), id: REF.id } }),
      'object.id: is not a property of this object',
    ],
    [
      'a voiding statement of an Activity',
      statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }),
      'object: a voiding statement must target a StatementRef',
    ],
    [
      'a definition’s name in no language',
      withDefinition({ name: { 'en US': 'x' } }),
      'object.definition.name.en US: is not an RFC 5646 language tag',
    ],
    [
      'a definition’s description in no language',
      withDefinition({ description: { 'en US': 'x' } }),
      'object.definition.description.en US: is not an RFC 5646 language tag',
    ],
    [
      'a definition’s type that is no IRI',
      withDefinition({ type: 'lesson' }),
      'object.definition.type: must be an absolute IRI',
    ],
    [
      'a definition’s moreInfo that is no IRI',
      withDefinition({ moreInfo: 'lesson' }),
      'object.definition.moreInfo: must be an absolute IRI',
    ],
    [
      'an extension that is no IRI',
      withDefinition({ extensions: { level: 1 } }),
      'object.definition.extensions.level: must be an absolute IRI',
    ],
    [
      'an unknown interactionType',
      withDefinition({ interactionType: 'essay' }),
      'object.definition.interactionType: must be one of true-false, choice, fill-in, long-fill-in, matching, performance, sequencing, likert, numeric, other',
    ],
    [
      'a pattern without an interactionType',
      withDefinition({ correctResponsesPattern: ['a'] }),
      'object.definition.correctResponsesPattern: needs an interactionType',
    ],
    [
      'a pattern that is no list',
      withDefinition({ interactionType: 'fill-in', correctResponsesPattern: 'a' }),
      'object.definition.correctResponsesPattern: must be an array of strings',
    ],
    [
      'a pattern of numbers',
      withDefinition({ interactionType: 'numeric', correctResponsesPattern: [1] }),
      'object.definition.correctResponsesPattern.0: must be a string',
    ],
    [
      'choices without an interactionType',
      withDefinition({ choices: [{ id: 'a' }] }),
      'object.definition.choices: is not a component list of interactionType undefined',
    ],
    [
      'choices of a likert',
      withDefinition({ interactionType: 'likert', choices: [{ id: 'a' }] }),
      'object.definition.choices: is not a component list of interactionType likert',
    ],
    [
      'choices that are no list',
      withDefinition({ interactionType: 'choice', choices: { id: 'a' } }),
      'object.definition.choices: must be an array of interaction components',
    ],
    [
      'a component whose id is no text',
      withDefinition({ interactionType: 'choice', choices: [{ id: 1 }] }),
      'object.definition.choices.0.id: must be a string',
    ],
    [
      'a component id twice',
      withDefinition({ interactionType: 'matching', source: [{ id: 'a' }, { id: 'a' }] }),
      'object.definition.source.1.id: must be unique in its list',
    ],
    [
      'a component’s description in no language',
      withDefinition({ interactionType: 'performance', steps: [{ id: 'a', description: { 'en US': 'x' } }] }),
      'object.definition.steps.0.description.en US: is not an RFC 5646 language tag',
    ],
    ['a score that is no number', withScore({ raw: '5' }), 'result.score.raw: must be a number'],
    ['an infinite score (1e400 in JSON)', withScore({ max: Infinity }), 'result.score.max: must be a number'],
    ['a scaled score above 1', withScore({ scaled: 1.01 }), 'result.score.scaled: must be between -1 and 1'],
    ['a scaled score below -1', withScore({ scaled: -1.01 }), 'result.score.scaled: must be between -1 and 1'],
    ['min equal to max', withScore({ min: 5, max: 5 }), 'result.score.min: must be less than max'],
    ['raw below min', withScore({ raw: 0, min: 1 }), 'result.score.raw: must not be less than min'],
    ['raw above max', withScore({ raw: 11, max: 10 }), 'result.score.raw: must not be more than max'],
    ['success that is no boolean', statement({ result: { success: 'true' } }), 'result.success: must be true or false'],
    [
      'completion that is no boolean',
      statement({ result: { completion: 1 } }),
      'result.completion: must be true or false',
    ],
    ['a response that is no text', statement({ result: { response: 1 } }), 'result.response: must be a string'],
    [
      'a duration without P',
      statement({ result: { duration: 'T1H' } }),
      'result.duration: must be an ISO 8601 duration',
    ],
    [
      'a duration of nothing',
      statement({ result: { duration: 'P' } }),
      'result.duration: must be an ISO 8601 duration',
    ],
    [
      'a duration of no time',
      statement({ result: { duration: 'P1DT' } }),
      'result.duration: must be an ISO 8601 duration',
    ],
    [
      'a result extension that is no IRI',
      statement({ result: { extensions: { level: 1 } } }),
      'result.extensions.level: must be an absolute IRI',
    ],
    [
      'a registration that is no UUID',
      statement({ context: { registration: 'r1' } }),
      'context.registration: must be a UUID',
    ],
    [
      'an instructor without an identifier',
      statement({ context: { instructor: { name: 'Teacher' } } }),
      'context.instructor: an Agent must have exactly one identifier',
    ],
    ['a team that is an Agent', statement({ context: { team: TEACHER } }), 'context.team: must be a Group'],
    [
      'a parent that is no Activity',
      statement({ context: { contextActivities: { parent: [{ ...ACTIVITY, objectType: 'Agent' }] } } }),
      'context.contextActivities.parent.0.objectType: must be "Activity"',
    ],
    [
      'a single grouping that is no IRI',
      statement({ context: { contextActivities: { grouping: { id: 'unit' } } } }),
      'context.contextActivities.grouping.id: must be an absolute IRI',
    ],
    ['a revision that is no text', statement({ context: { revision: 2 } }), 'context.revision: must be a string'],
    [
      'a platform about an Agent',
      statement({ object: TEACHER, context: { platform: 'web' } }),
      'context.platform: may only be used when the object is an Activity',
    ],
    [
      'a revision about a StatementRef',
      statement({ object: REF, context: { revision: '2' } }),
      'context.revision: may only be used when the object is an Activity',
    ],
    [
      'a language that is no tag',
      statement({ context: { language: 'English (US)' } }),
      'context.language: must be an RFC 5646 language tag',
    ],
    [
      'a context statement that is an Activity',
      statement({ context: { statement: { ...REF, objectType: 'Activity' } } }),
      'context.statement: must be a StatementRef',
    ],
    [
      'a context extension that is no IRI',
      statement({ context: { extensions: { level: 1 } } }),
      'context.extensions.level: must be an absolute IRI',
    ],
    [
      'contextAgents that are no list',
      statement({ context: { contextAgents: { objectType: 'contextAgent', agent: TEACHER } } }),
      'context.contextAgents: must be an array',
    ],
    [
      'a contextAgent without its agent',
      statement({ context: { contextAgents: [{ objectType: 'contextAgent' }] } }),
      'context.contextAgents.0.agent: is required',
    ],
    [
      'a contextAgent of another type',
      statement({ context: { contextAgents: [{ objectType: 'contextGroup', agent: TEACHER }] } }),
      'context.contextAgents.0.objectType: must be "contextAgent"',
    ],
    [
      'a contextAgent that is a Group',
      statement({
        context: { contextAgents: [{ objectType: 'contextAgent', agent: { ...TEACHER, objectType: 'Group' } }] },
      }),
      'context.contextAgents.0.agent.objectType: must be "Agent"',
    ],
    [
      'a contextGroup that is an Agent',
      statement({ context: { contextGroups: [{ objectType: 'contextGroup', group: TEACHER }] } }),
      'context.contextGroups.0.group: must be a Group',
    ],
    [
      'no relevantTypes',
      statement({ context: { contextAgents: [{ objectType: 'contextAgent', agent: TEACHER, relevantTypes: [] }] } }),
      'context.contextAgents.0.relevantTypes: must be a non-empty array of IRIs',
    ],
    [
      'a relevantType that is no IRI',
      statement({
        context: { contextAgents: [{ objectType: 'contextAgent', agent: TEACHER, relevantTypes: ['tutor'] }] },
      }),
      'context.contextAgents.0.relevantTypes.0: must be an absolute IRI',
    ],
    ['attachments that are no list', statement({ attachments: attachment() }), 'attachments: must be an array'],
    [
      'an attachment without a display',
      statement({
        attachments: [Object.fromEntries(Object.entries(attachment()).filter(([key]) => key !== 'display'))],
      }),
      'attachments.0.display: is required',
    ],
    [
      'a usageType that is no IRI',
      statement({ attachments: [attachment({ usageType: 'signature' })] }),
      'attachments.0.usageType: must be an absolute IRI',
    ],
    [
      'a description in no language',
      statement({ attachments: [attachment({ description: { 'en US': 'x' } })] }),
      'attachments.0.description.en US: is not an RFC 5646 language tag',
    ],
    [
      'a contentType that is no media type',
      statement({ attachments: [attachment({ contentType: 'text' })] }),
      'attachments.0.contentType: must be an Internet media type',
    ],
    [
      'a negative length',
      statement({ attachments: [attachment({ length: -1 })] }),
      'attachments.0.length: must be a non-negative integer',
    ],
    [
      'a length in parts',
      statement({ attachments: [attachment({ length: 1.5 })] }),
      'attachments.0.length: must be a non-negative integer',
    ],
    [
      'a sha2 of 60 digits',
      statement({ attachments: [attachment({ sha2: 'a'.repeat(60) })] }),
      'attachments.0.sha2: must be a hex SHA-2 hash',
    ],
    [
      'a fileUrl that is no IRI',
      statement({ attachments: [attachment({ fileUrl: 'evidence.txt' })] }),
      'attachments.0.fileUrl: must be an absolute IRI',
    ],
    [
      'a timestamp of a day that does not exist',
      statement({ timestamp: '2026-02-29T10:00:00Z' }),
      'timestamp: must be an ISO 8601 timestamp',
    ],
    [
      'a timestamp at an unknown offset',
      statement({ timestamp: '2026-12-07T10:00:00-00:00' }),
      'timestamp: must be an ISO 8601 timestamp',
    ],
    [
      'a timestamp at an offset of 25 hours',
      statement({ timestamp: '2026-12-07T10:00:00+25:00' }),
      'timestamp: must be an ISO 8601 timestamp',
    ],
    ['a stored time that is no timestamp', statement({ stored: 'yesterday' }), 'stored: must be an ISO 8601 timestamp'],
    [
      'a version of xAPI not spoken',
      statement({ version: '1.1.0' }),
      'version: must be a supported xAPI version (1.0.x or 2.0.x)',
    ],
    [
      'an authority Group with an identifier',
      statement({ authority: { objectType: 'Group', ...LEARNER, member: [TEACHER, TEACHER] } }),
      'authority: an authority Group is anonymous',
    ],
    [
      'an authority Group of three',
      statement({ authority: { objectType: 'Group', member: [TEACHER, TEACHER, TEACHER] } }),
      'authority.member: an authority Group has two Agents',
    ],
  ])('refuses %s', (_, value, message) => {
    expect(refusalOf(value)).toBe(message);
  });

  it.each<[string, JsonObject]>([
    ['an id in capitals', statement({ id: '6F1C2BDE-4E5F-4A3B-9C2D-1E0F3A4B5C6D' })],
    [
      'a grandfathered and a private language tag',
      statement({ verb: { ...VERB, display: { 'i-klingon': 'x', 'x-portal': 'y', 'zh-yue-hk': 'z' } } }),
    ],
    [
      'an Agent named by an account',
      statement({
        actor: { objectType: 'Agent', name: 'L', account: { homePage: 'http://school.example', name: 'learner' } },
      }),
    ],
    ['an identified Group without members', statement({ actor: { objectType: 'Group', name: 'Class', ...LEARNER } })],
    ['an anonymous Group of Agents', statement({ actor: { objectType: 'Group', member: [LEARNER, TEACHER] } })],
    ['an Agent, a Group and a StatementRef as the object', statement({ object: TEACHER })],
    ['a voiding statement', statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: REF })],
    [
      'a SubStatement with the voided verb about an Activity',
      statement({ object: sub({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }) }),
    ],
    [
      'an Activity named as one',
      statement({ object: { ...ACTIVITY, objectType: 'Activity' }, context: { revision: '2', platform: 'web' } }),
    ],
    ['other interactions', withDefinition({ interactionType: 'other', correctResponsesPattern: [] })],
    ['a sequencing of choices', withDefinition({ interactionType: 'sequencing', choices: [{ id: 'a' }, { id: 'b' }] })],
    [
      'the same component id in two lists',
      withDefinition({ interactionType: 'matching', source: [{ id: 'a' }], target: [{ id: 'a' }] }),
    ],
    ['scores at their bounds', withScore({ scaled: -1, raw: 1, min: 1, max: 10 })],
    ['a raw score at max, scaled 1', withScore({ scaled: 1, raw: 10, max: 10 })],
    [
      'durations in weeks and in parts of a second',
      statement({ result: { duration: 'P2W' }, context: { language: 'th-TH' } }),
    ],
    [
      'a duration of a day and seconds',
      statement({ result: { duration: 'P1DT0.5S', success: false, completion: true, response: '' } }),
    ],
    [
      'a content type with parameters and a sha2 of 512 bits',
      statement({ attachments: [attachment({ contentType: 'text/plain; charset=utf-8', sha2: 'b'.repeat(128) })] }),
    ],
    [
      'a timestamp at an offset of whole hours, written without minutes',
      statement({ timestamp: '2026-12-07T10:00:00+07', stored: '2026-12-07T03:00:00.123Z' }),
    ],
    [
      'contextAgents and contextGroups',
      statement({
        context: {
          contextAgents: [
            { objectType: 'contextAgent', agent: TEACHER, relevantTypes: ['http://types.example/tutor'] },
          ],
          contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group', member: [TEACHER] } }],
        },
      }),
    ],
    [
      'an authority of two Agents',
      statement({
        authority: {
          objectType: 'Group',
          member: [TEACHER, { account: { homePage: 'http://school.example', name: 'app' } }],
        },
      }),
    ],
    ['versions 1.0.x and 2.0.x', statement({ version: '1.0.3', object: sub({ timestamp: '2026-12-07T10:00:00Z' }) })],
  ])('takes %s', (_, value) => {
    expect(refusalOf(value)).toBeUndefined();
  });

  it('takes 2.0.0 only in xAPI 2.0.0, with its contextAgents and timestamps without an offset', () => {
    const v2 = [
      statement({ version: '2.0' }),
      statement({ context: { contextAgents: [{ objectType: 'contextAgent', agent: TEACHER }] } }),
      statement({ timestamp: '2026-12-07T10:00:00' }),
    ];
    expect(v2.map((value) => refusalOf(value, '2.0.0'))).toEqual([undefined, undefined, undefined]);
    expect(v2.map((value) => refusalOf(value, '1.0.3'))).toEqual([
      'version: must be a supported xAPI version (1.0.x or 2.0.x)',
      'context.contextAgents: is not a property of this object',
      'timestamp: must be an ISO 8601 timestamp',
    ]);
    expect(refusalOf(statement({ version: '1.0.3' }), '1.0.3')).toBeUndefined();
  });
});

describe('validateActor', () => {
  it('takes an Agent or a Group as the agent filter, and names what is wrong', () => {
    expect(() => validateActor(LEARNER, '2.0.0')).not.toThrow();
    expect(() => validateActor({ objectType: 'Group', member: [TEACHER] }, '2.0.0')).not.toThrow();
    expect(() => validateActor({ name: 'Learner' }, '2.0.0')).toThrow(
      'agent: an Agent must have exactly one identifier',
    );
  });
});

describe('timestamps', () => {
  it('reads an offset of whole hours written without minutes, and a timestamp without one as UTC', () => {
    expect(instantOfTimestamp('2026-12-07T10:00:00+07')).toBe(Date.parse('2026-12-07T03:00:00Z'));
    expect(instantOfTimestamp('2026-12-07T10:00:00-0330')).toBe(Date.parse('2026-12-07T13:30:00Z'));
    expect(instantOfTimestamp('2026-12-07T10:00:00')).toBe(Date.parse('2026-12-07T10:00:00Z'));
  });

  it('needs an offset unless told otherwise, and refuses offsets and times that do not exist', () => {
    expect(isTimestamp('2026-12-07T10:00:00')).toBe(false);
    expect(isTimestamp('2026-12-07T10:00:00', false)).toBe(true);
    // RFC 3339 lets T and Z be written in lower case, with an offset or without.
    expect([isTimestamp('2026-12-07t10:00:00z'), isTimestamp('2026-12-07t10:00:00', false)]).toEqual([true, true]);
    expect(instantOfTimestamp('2026-12-07t10:00:00')).toBe(Date.parse('2026-12-07T10:00:00Z'));
    expect(
      ['2026-12-07T10:00:00-00', '2026-12-07T10:00:00+07:60', '2026-12-07T24:00:00Z', 1].map((v) => isTimestamp(v)),
    ).toEqual([false, false, false, false]);
  });
});

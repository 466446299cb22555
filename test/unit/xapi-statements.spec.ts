import type { JsonObject } from '../../src/core/json.js';
import {
  agentKey,
  canonicalFormat,
  idsFormat,
  indexOf,
  mergedDefinition,
  normalized,
  sameStatement,
} from '../../src/xapi/statements.js';

/** What the Statements resource reads out of a statement: the agent and activity filters, formats, comparisons. */

const LEARNER = { objectType: 'Agent', mbox: 'mailto:learner@school.example' };
const TEACHER = { objectType: 'Agent', mbox: 'mailto:teacher@school.example' };
const LRS = { objectType: 'Agent', account: { homePage: 'http://portal.test', name: 'lrs-client' } };
const ACTIVITY = 'http://apps.example/a';

const statement = (parts: JsonObject): JsonObject => ({
  actor: LEARNER,
  verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
  object: { id: ACTIVITY },
  ...parts,
});

/** The index as an object: key → related. */
const agentsOf = (indexed: JsonObject) =>
  Object.fromEntries(indexOf(indexed).agents.map(({ agent, related }) => [agent, related]));

describe('agentKey', () => {
  it('is the same for an mbox_sha1sum however its hex digits are cased', () => {
    const sum = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
    expect(agentKey({ mbox_sha1sum: sum })).toBe(agentKey({ mbox_sha1sum: sum.toLowerCase() }));
  });
});

describe('indexOf', () => {
  it('finds a Group’s members, as well as the Group', () => {
    const group = { objectType: 'Group', mbox: 'mailto:class@school.example', member: [LEARNER] };
    expect(agentsOf(statement({ actor: group }))).toEqual({
      [agentKey(group)!]: false,
      [agentKey(LEARNER)!]: false,
    });
  });

  it('makes the authority and the context’s agents related; an agent also the actor is not', () => {
    const indexed = agentsOf(
      statement({ authority: LRS, context: { instructor: LEARNER, team: { objectType: 'Group', member: [TEACHER] } } }),
    );
    expect(indexed).toEqual({ [agentKey(LEARNER)!]: false, [agentKey(LRS)!]: true, [agentKey(TEACHER)!]: true });
  });

  it('makes 2.0.0’s contextAgents and contextGroups related, a Group’s members too', () => {
    const group = { objectType: 'Group', mbox: 'mailto:class@school.example', member: [TEACHER] };
    const indexed = agentsOf(
      statement({
        context: {
          contextAgents: [{ objectType: 'contextAgent', agent: LRS }],
          contextGroups: [{ objectType: 'contextGroup', group }],
        },
      }),
    );
    expect(indexed).toEqual({
      [agentKey(LEARNER)!]: false,
      [agentKey(LRS)!]: true,
      [agentKey(group)!]: true,
      [agentKey(TEACHER)!]: true,
    });
  });

  it('makes a SubStatement’s actor and object related', () => {
    const sub = { objectType: 'SubStatement', actor: TEACHER, verb: { id: 'http://v.example/x' }, object: LRS };
    expect(agentsOf(statement({ object: sub }))).toEqual({
      [agentKey(LEARNER)!]: false,
      [agentKey(TEACHER)!]: true,
      [agentKey(LRS)!]: true,
    });
    expect(indexOf(statement({ object: sub })).activities).toEqual([]);
  });
});

describe('mergedDefinition', () => {
  it('merges language maps and extensions by key, the newer winning; anything else is the newer', () => {
    const older = {
      name: { 'en-US': 'lesson 2', de: 'Lektion zwei' },
      description: { 'en-US': 'old', de: 'alt' },
      extensions: { 'http://x.example/a': 1, 'http://x.example/b': 1 },
      type: 'http://x.example/old',
    };
    const newer = {
      name: { 'en-US': 'lesson two' },
      description: { 'th-TH': 'ใหม่' },
      extensions: { 'http://x.example/b': 2 },
      type: 'http://x.example/new',
    };
    expect(mergedDefinition(older, newer)).toEqual({
      name: { 'en-US': 'lesson two', de: 'Lektion zwei' },
      description: { 'en-US': 'old', de: 'alt', 'th-TH': 'ใหม่' },
      extensions: { 'http://x.example/a': 1, 'http://x.example/b': 2 },
      type: 'http://x.example/new',
    });
  });
});

describe('normalized', () => {
  it('makes a context activity given as one object an array of it, in a SubStatement too', () => {
    const context = { contextActivities: { parent: { id: 'http://x.example/course' } } };
    const sub = {
      objectType: 'SubStatement',
      actor: LEARNER,
      verb: { id: 'http://v.example/x' },
      object: { id: ACTIVITY },
      context,
    };
    const stored = normalized(statement({ object: sub, context }));
    const asArray = { contextActivities: { parent: [{ id: 'http://x.example/course' }] } };
    expect(stored.context).toEqual(asArray);
    expect((stored.object as JsonObject).context).toEqual(asArray);
  });
});

describe('sameStatement', () => {
  it('compares timestamps as instants, and leaves out what the LRS sets', () => {
    const sent = statement({ id: 'x', timestamp: '2026-01-15T10:00:00Z' });
    const stored = {
      ...sent,
      timestamp: '2026-01-15T17:00:00.000+07:00',
      stored: '2026-01-15T10:00:01.000Z',
      authority: LRS,
      version: '1.0.0',
    };
    expect(sameStatement(sent, stored)).toBe(true);
    expect(sameStatement({ ...sent, timestamp: '2026-01-15T10:00:00.001Z' }, stored)).toBe(false);
  });
});

describe('idsFormat', () => {
  it('keeps an identified Group’s identifier alone, an anonymous Group’s members', () => {
    const identified = { objectType: 'Group', name: 'Class', mbox: 'mailto:class@school.example', member: [LEARNER] };
    const anonymous = { objectType: 'Group', name: 'Pair', member: [{ ...LEARNER, name: 'Learner' }] };
    expect(idsFormat(statement({ actor: identified })).actor).toEqual({
      objectType: 'Group',
      mbox: 'mailto:class@school.example',
    });
    expect(idsFormat(statement({ actor: anonymous })).actor).toEqual({ objectType: 'Group', member: [LEARNER] });
  });

  it('keeps the context’s Agents, Groups and Activities by their identifiers, in a SubStatement too', () => {
    const named = { ...TEACHER, name: 'Teacher' };
    const group = { objectType: 'Group', name: 'Class', mbox: 'mailto:class@school.example', member: [LEARNER] };
    const relevantTypes = ['http://types.example/tutor'];
    const context = {
      instructor: named,
      team: group,
      contextActivities: { parent: [{ id: ACTIVITY, definition: { name: { en: 'A' } } }], grouping: { id: ACTIVITY } },
      contextAgents: [{ objectType: 'contextAgent', agent: named, relevantTypes }],
      contextGroups: [{ objectType: 'contextGroup', group }],
      platform: 'web',
    };
    const ids = {
      instructor: TEACHER,
      team: { objectType: 'Group', mbox: 'mailto:class@school.example' },
      contextActivities: { parent: [{ id: ACTIVITY }], grouping: { id: ACTIVITY } },
      contextAgents: [{ objectType: 'contextAgent', agent: TEACHER, relevantTypes }],
      contextGroups: [
        { objectType: 'contextGroup', group: { objectType: 'Group', mbox: 'mailto:class@school.example' } },
      ],
      platform: 'web',
    };
    const sub = { objectType: 'SubStatement', ...statement({ context }) };
    expect(idsFormat(statement({ context })).context).toEqual(ids);
    expect((idsFormat(statement({ object: sub })).object as JsonObject).context).toEqual(ids);
  });
});

describe('canonicalFormat', () => {
  const withDisplay = (display: Record<string, string>) =>
    statement({
      verb: { id: 'http://v.example/x', display },
      // An extension's value is the app's own, whatever it looks like.
      context: { extensions: { 'http://x.example/lesson': { name: { de: 'x', fr: 'y' } } } },
    });
  const display = (languages: Record<string, string>, acceptLanguage?: string) =>
    (canonicalFormat(withDisplay(languages), acceptLanguage).verb as JsonObject).display;

  it('takes the language the client prefers most, by q', () => {
    expect(display({ de: 'beantwortet', fr: 'répondu' }, 'de;q=0.5, fr;q=0.8')).toEqual({ fr: 'répondu' });
  });

  it('never one the client refuses (q=0): English, else the first', () => {
    expect(display({ fr: 'répondu', de: 'beantwortet', 'en-GB': 'answered' }, 'fr;q=0')).toEqual({
      'en-GB': 'answered',
    });
    expect(display({ fr: 'répondu', de: 'beantwortet' }, 'th')).toEqual({ fr: 'répondu' });
  });

  it('leaves extensions as they are', () => {
    const canonical = canonicalFormat(withDisplay({ de: 'x', fr: 'y' }), 'fr');
    expect((canonical.context as JsonObject).extensions).toEqual({
      'http://x.example/lesson': { name: { de: 'x', fr: 'y' } },
    });
  });
});

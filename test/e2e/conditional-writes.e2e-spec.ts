import request, { type Test } from 'supertest';
import { allRows, API, expectProblem } from '../api.js';
import { useEmptyTestApp } from '../app.js';
import { portal, reviewPath } from '../fixtures.js';

const t = useEmptyTestApp();
const client = portal(t);

/** A resource whose PATCH and DELETE take If-Match: how to make one, and a change its PATCH makes. */
interface Resource {
  name: string;
  create: () => Promise<number>;
  path: (id: number) => string;
  change: object;
}

const RESOURCES: Resource[] = [
  {
    name: 'word',
    create: async () => (await client.createWord({ thai: 'แมว', english: 'cat' })).id,
    path: (id) => `/words/${id}`,
    change: { english: 'kitten' },
  },
  {
    name: 'group',
    create: async () => (await client.createGroup('Animals')).id,
    path: (id) => `/groups/${id}`,
    change: { name: 'Pets' },
  },
  {
    name: 'learning app',
    create: async () => (await client.createApp()).id,
    path: (id) => `/learning_apps/${id}`,
    change: { description: 'Cards to flip' },
  },
];

const WRITES = [
  ['PATCH', (resource: Resource, id: number) => client.patch(resource.path(id), resource.change)],
  ['DELETE', (resource: Resource, id: number) => client.delete(resource.path(id))],
] as const;

const NOT_CONDITIONAL =
  'This write cannot be made conditional: send it without If-Match or If-None-Match (the PATCH and DELETE ' +
  'of a word, a group or a learning app take them)';

const tagOf = async (path: string) => (await client.get(path).expect(200)).headers.etag as string;

describe.each(RESOURCES)('If-Match on a $name', (resource) => {
  const changed = `The ${resource.name} changed since the ETag that If-Match names: GET it again`;

  it.each(WRITES)('a %s naming the ETag of its GET is made', async (_, write) => {
    const id = await resource.create();
    const tag = await tagOf(resource.path(id));

    const response = await write(resource, id).set('If-Match', tag);

    expect(response.status).toBeLessThan(300);
    // A write's answer carries no ETag: it need not be the resource as its GET answers it.
    expect(response.headers.etag).toBeUndefined();
  });

  it.each(WRITES)('a %s naming another ETag, or a weak one, is a 412 and changes nothing', async (_, write) => {
    const id = await resource.create();
    const tag = await tagOf(resource.path(id));
    const before = await allRows(t);

    for (const ifMatch of ['"0-0"', `W/${tag}`, '"0-0", W/"1-1"', 'not a tag']) {
      expect(expectProblem(await write(resource, id).set('If-Match', ifMatch), 412).detail).toBe(changed);
    }

    expect(await allRows(t)).toEqual(before);
    // One of the tags named is enough.
    const made = await write(resource, id).set('If-Match', `"0-0", ${tag}`);
    expect(made.status).toBeLessThan(300);
  });

  it.each(WRITES)(
    `a %s with If-None-Match is made only if the ${resource.name} is not as a tag it names`,
    async (_, write) => {
      const id = await resource.create();
      const tag = await tagOf(resource.path(id));
      const before = await allRows(t);

      for (const [ifNoneMatch, detail] of [
        [tag, `The ${resource.name} is still as an ETag that If-None-Match names`],
        // Compared weakly.
        [`"0-0", W/${tag}`, `The ${resource.name} is still as an ETag that If-None-Match names`],
        ['*', `The ${resource.name} exists, and If-None-Match: * asks that it not`],
      ]) {
        expect(expectProblem(await write(resource, id).set('If-None-Match', ifNoneMatch), 412).detail).toBe(detail);
      }

      expect(await allRows(t)).toEqual(before);
      const made = await write(resource, id).set('If-None-Match', '"0-0"');
      expect(made.status).toBeLessThan(300);
    },
  );

  it('a PATCH naming the ETag read before another PATCH is a 412: that one is not lost', async () => {
    const id = await resource.create();
    const tag = await tagOf(resource.path(id));
    await client.patch(resource.path(id), resource.change).set('If-Match', tag).expect(200);
    const after = (await client.get(resource.path(id)).expect(200)).body;

    expectProblem(await client.patch(resource.path(id), resource.change).set('If-Match', tag), 412);
    expectProblem(await client.delete(resource.path(id)).set('If-Match', tag), 412);

    expect((await client.get(resource.path(id)).expect(200)).body).toEqual(after);
    await client
      .delete(resource.path(id))
      .set('If-Match', await tagOf(resource.path(id)))
      .expect(204);
  });

  it('of two PATCHes naming the same ETag at once, one is made and the other is a 412', async () => {
    const id = await resource.create();
    const tag = await tagOf(resource.path(id));

    const statuses = await Promise.all(
      [0, 1].map(() =>
        client
          .patch(resource.path(id), resource.change)
          .set('If-Match', tag)
          .then((r) => r.status),
      ),
    );

    expect(statuses.sort()).toEqual([200, 412]);
  });

  it.each(WRITES)('a %s of one that does not exist is a 404, If-Match or not', async (_, write) => {
    const id = await resource.create();
    const tag = await tagOf(resource.path(id));
    await client.delete(resource.path(id)).expect(204);

    expectProblem(await write(resource, id).set('If-Match', tag), 404);
    expectProblem(await write(resource, id).set('If-Match', '*'), 404);
  });

  it('is documented on its PATCH and DELETE, with If-None-Match and the 412, and the ETag on its GET only', async () => {
    const { paths } = (await request(t.http).get('/api/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<string, { parameters: { name: string; in: string }[]; responses: Record<string, { headers?: object }> }>
      >;
    };
    const item = paths[`${API}${resource.path(1).replace('/1', '/{id}')}`];
    for (const method of ['patch', 'delete']) {
      for (const name of ['If-Match', 'If-None-Match']) {
        expect(item[method].parameters).toContainEqual(expect.objectContaining({ name, in: 'header' }));
      }
      expect(item[method].responses).toHaveProperty('412');
    }
    expect(item.get.responses['200'].headers).toHaveProperty('ETag');
    expect(item.patch.responses['200'].headers).toBeUndefined();
  });
});

describe('ETag', () => {
  it('documents no ETag on the export, streamed, which has none', async () => {
    const { paths } = (await request(t.http).get('/api/docs-json').expect(200)).body;
    expect(paths[`${API}/words/export`].get.responses['200'].headers).not.toHaveProperty('ETag');
    expect((await client.get('/words/export').expect(200)).headers.etag).toBeUndefined();
    expect((await client.get('/words').expect(200)).headers.etag).toBeDefined();
  });
});

describe('If-Match', () => {
  it('compares the whole resource as its GET answers it: an answer about a word changes its ETag', async () => {
    const word = await client.createWord({ thai: 'แมว', english: 'cat' });
    const tag = await tagOf(`/words/${word.id}`);
    await client.review(word.id, true).expect(201);

    expectProblem(await client.patch(`/words/${word.id}`, { english: 'kitten' }).set('If-Match', tag), 412);

    expect((await client.getWord(word.id)).english).toBe('cat');
  });

  it('or If-None-Match, on a write that takes neither, is a 412 that says so, and nothing is written', async () => {
    const word = await client.createWord({ thai: 'แมว', english: 'cat' });
    const group = await client.createGroup('Animals');
    const tag = await tagOf(`/groups/${group.id}`);
    const before = await allRows(t);

    const refused = await client.post(`/groups/${group.id}/words`, { word_ids: [word.id] }).set('If-Match', tag);

    const unmatched = await client.post(`/groups/${group.id}/words`, { word_ids: [word.id] }).set('If-None-Match', '*');

    for (const response of [refused, unmatched]) {
      expect(expectProblem(response, 412).detail).toBe(NOT_CONDITIONAL);
    }
    expect(await allRows(t)).toEqual(before);
    await client
      .post(`/groups/${group.id}/words`, { word_ids: [word.id] })
      .set('If-Match', '*')
      .expect(200);
  });
});

/** Writes to a resource named in their path that take no preconditions: what each writes to, and the write. */
const UNCONDITIONAL_WRITES: [string, (found: Found) => Test][] = [
  ['add words to a group', ({ groupId, wordId }) => client.post(`/groups/${groupId}/words`, { word_ids: [wordId] })],
  ["remove a group's word", ({ groupId, wordId }) => client.delete(`/groups/${groupId}/words/${wordId}`)],
  ['record an answer', ({ sessionId, wordId }) => client.post(reviewPath(sessionId, wordId), { correct: true })],
  [
    'record answers',
    ({ sessionId, wordId }) =>
      client.post(`/study_sessions/${sessionId}/answers`, { answers: [{ word_id: wordId, correct: true }] }),
  ],
  ['launch an app', ({ appId, groupId }) => client.post(`/learning_apps/${appId}/launch`, { group_id: groupId })],
];

interface Found {
  groupId: number;
  wordId: number;
  sessionId: number;
  appId: number;
}

describe.each(UNCONDITIONAL_WRITES)('A write that takes no preconditions (%s)', (_, write) => {
  /** A group with a word, a session of it and an app: every write above finds what it writes to. */
  async function found(): Promise<Found> {
    const word = await client.createWord({ thai: 'แมว', english: 'cat' });
    const group = await client.createGroup('Animals', [word.id]);
    const session = await client.createSession(group.id);
    const app = await client.createApp();
    return { groupId: group.id, wordId: word.id, sessionId: session.id, appId: app.id };
  }

  it('sent with If-Match or If-None-Match is a 412 once what it writes to is found, and nothing is written', async () => {
    const ids = await found();
    const before = await allRows(t);

    for (const [header, value] of [
      ['If-Match', '"a-tag"'],
      ['If-None-Match', '*'],
      ['If-None-Match', '"a-tag"'],
    ]) {
      expect(expectProblem(await write(ids).set(header, value), 412).detail).toBe(NOT_CONDITIONAL);
    }
    expect(await allRows(t)).toEqual(before);
  });

  // RFC 9110 §13.2.1: a response that would not be a 2xx without the preconditions ignores them.
  it('to what does not exist is a 404 with If-Match or without, as without it', async () => {
    const ids = await found();
    const missing = {
      groupId: ids.groupId + 100,
      wordId: ids.wordId + 100,
      sessionId: ids.sessionId + 100,
      appId: ids.appId + 100,
    };
    const before = await allRows(t);

    const plain = await write(missing);
    const conditional = await write(missing).set('If-Match', '"a-tag"');

    expect(expectProblem(plain, 404).detail).toBe(expectProblem(conditional, 404).detail);
    expect(await allRows(t)).toEqual(before);
  });
});

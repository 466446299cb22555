import request, { type Test } from 'supertest';
import { allRows, expectProblem } from '../api.js';
import { type TestApp, useEmptyTestApp } from '../app.js';
import { portal } from '../fixtures.js';

/** With ADMIN_TOKEN set, the resets and the force deletes need `Authorization: Bearer <token>`; nothing else does. */

const TOKEN = 'admin-token-0123456789-abcdef';

/** A group of words with learning history, so that the force deletes have something to destroy. */
async function studied(t: TestApp) {
  const client = portal(t);
  const { group, words } = await client.groupWithWords('Animals', 2);
  const session = await client.createSession(group.id);
  await client.answer(session.id, words[0].id, true, { key: 'k-1' }).expect(201);
  await client.review(words[1].id, false).expect(201);
  return { group, words, session };
}

interface Destructive {
  label: string;
  send: (t: TestApp, ids: Awaited<ReturnType<typeof studied>>) => Test;
  status: number;
}

const DESTRUCTIVE: Destructive[] = [
  {
    label: 'POST /full_reset',
    send: (t) => request(t.http).post('/api/v1/full_reset').send({ confirm: 'full_reset' }),
    status: 200,
  },
  {
    label: 'POST /reset_history',
    send: (t) => request(t.http).post('/api/v1/reset_history').send({ confirm: 'reset_history' }),
    status: 200,
  },
  {
    label: 'DELETE /words/:id?force=true',
    send: (t, { words }) => request(t.http).delete(`/api/v1/words/${words[0].id}?force=true`),
    status: 204,
  },
  {
    label: 'DELETE /groups/:id?force=true',
    send: (t, { group }) => request(t.http).delete(`/api/v1/groups/${group.id}?force=true`),
    status: 204,
  },
];

describe('with ADMIN_TOKEN set', () => {
  const t = useEmptyTestApp({ ADMIN_TOKEN: TOKEN });

  describe.each(DESTRUCTIVE)('$label', ({ send, status }) => {
    it('without Authorization: 401 with WWW-Authenticate, and nothing changes', async () => {
      const ids = await studied(t);
      const before = await allRows(t);

      const response = await send(t, ids);

      expectProblem(response, 401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
      expect(await allRows(t)).toEqual(before);
    });

    it.each([
      ['another Basic scheme', 'Basic YWRtaW46YWRtaW4='],
      ['an empty Bearer', 'Bearer '],
      ['the token followed by another word', `Bearer ${TOKEN} extra`],
    ])('with %s: 401, and nothing changes', async (_what, authorization) => {
      const ids = await studied(t);
      const before = await allRows(t);

      const response = await send(t, ids).set('Authorization', authorization);

      expectProblem(response, 401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
      expect(await allRows(t)).toEqual(before);
    });

    it.each([
      ['a wrong token', 'Bearer not-the-admin-token-at-all'],
      ['the token with one character less', `Bearer ${TOKEN.slice(0, -1)}`],
      ['the token with one character more', `Bearer ${TOKEN}x`],
    ])('with %s: 403, and nothing changes', async (_what, authorization) => {
      const ids = await studied(t);
      const before = await allRows(t);

      const response = await send(t, ids).set('Authorization', authorization);

      expectProblem(response, 403);
      expect(await allRows(t)).toEqual(before);
    });

    it(`with the right Bearer token: ${status}`, async () => {
      const ids = await studied(t);
      const before = await allRows(t);

      await send(t, ids).set('Authorization', `Bearer ${TOKEN}`).expect(status);

      expect(await allRows(t)).not.toEqual(before);
    });
  });

  // RFC 9110 §11.1 (and RFC 6750 §2.1 by reference): the authentication scheme is case-insensitive.
  it('accepts the right token under the scheme written "bearer" (schemes are case-insensitive)', async () => {
    const ids = await studied(t);
    await request(t.http)
      .delete(`/api/v1/words/${ids.words[0].id}?force=true`)
      .set('Authorization', `bearer ${TOKEN}`)
      .expect(204);
  });

  it('a delete without force (nothing to destroy) needs no token', async () => {
    const client = portal(t);
    const word = await client.createWord({ thai: 'ลา', english: 'donkey' });
    const group = await client.createGroup('Empty');
    await client.delete(`/words/${word.id}`).expect(204);
    await client.delete(`/groups/${group.id}`).expect(204);
    await client.delete(`/words/${word.id}?force=false`).expect(404);
  });

  it('a delete without force of something with history is still 409 (not 401), and keeps it', async () => {
    const { words, group } = await studied(t);
    const before = await allRows(t);
    expectProblem(await portal(t).delete(`/words/${words[0].id}`), 409);
    expectProblem(await portal(t).delete(`/groups/${group.id}`), 409);
    expect(await allRows(t)).toEqual(before);
  });

  it('every other endpoint needs no token', async () => {
    const client = portal(t);
    const { group, words } = await client.groupWithWords('Birds', 2);
    const app = await client.createApp();
    await client.get('/words').expect(200);
    await client.get(`/words/${words[0].id}`).expect(200);
    await client.patch(`/words/${words[0].id}`, { english: 'a bird' }).expect(200);
    await client.get('/groups').expect(200);
    await client.get(`/groups/${group.id}`).expect(200);
    await client.patch(`/groups/${group.id}`, { name: 'Birds 2' }).expect(200);
    await client.get(`/groups/${group.id}/words/raw`).expect(200);
    const other = await client.createGroup('Other');
    await client.post(`/groups/${other.id}/words`, { word_ids: [words[0].id] }).expect(200);
    await client.delete(`/groups/${other.id}/words/${words[0].id}`).expect(204);
    const launched = await client.post(`/learning_apps/${app.id}/launch`, { group_id: group.id }).expect(201);
    const sessionId = launched.body.study_session.id as number;
    await client.answer(sessionId, words[1].id, true).expect(201);
    await client.review(words[1].id, false).expect(201);
    await client.get('/reviews').expect(200);
    await client.get(`/study_sessions/${sessionId}`).expect(200);
    await client.get('/dashboard/quick_stats').expect(200);
    await client.get('/health').expect(200);
    await request(t.http).get('/metrics').expect(200);
    await client.patch(`/learning_apps/${app.id}`, { name: 'Flashcards 2' }).expect(200);
  });
});

describe('with ADMIN_TOKEN unset (the default)', () => {
  const t = useEmptyTestApp({ ADMIN_TOKEN: undefined });

  it.each(DESTRUCTIVE)('$label needs no token', async ({ send, status }) => {
    const ids = await studied(t);
    await send(t, ids).expect(status);
  });

  it.each(DESTRUCTIVE)('$label ignores an Authorization header it does not need', async ({ send, status }) => {
    const ids = await studied(t);
    await send(t, ids).set('Authorization', 'Bearer whatever-token-0000000000').expect(status);
  });
});

import { jest } from '@jest/globals';
import request from 'supertest';
import { PortalGauges } from '../../src/metrics/metrics.service.js';
import { ReviewsService } from '../../src/reviews/reviews.service.js';
import { StudySessionsService } from '../../src/study-sessions/study-sessions.service.js';
import { WordsService } from '../../src/words/words.service.js';
import { countRows, expectProblem } from '../api.js';
import { useEmptyTestApp } from '../app.js';
import { portal } from '../fixtures.js';

/** GET /metrics: Prometheus text, outside /api/v1. */

const t = useEmptyTestApp();
const client = portal(t);

const scrape = async () => {
  const response = await request(t.http).get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain/);
  return response.text;
};

/** The value of one series (name with labels, exactly as exposed), or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it('counts requests by method, route template and status, and times them', async () => {
  const word = await client.createWord({ thai: 'แมว', english: 'cat' });
  await client.get('/words').expect(200);
  await client.get('/words').expect(200);
  await client.get(`/words/${word.id}`).expect(200);
  await client.get('/words/999999').expect(404);
  const before = await scrape();

  await client.get('/words').expect(200);
  const text = await scrape();

  const series = 'http_requests_total{method="GET",route="/api/v1/words",status="200"}';
  expect(valueOf(before, series)).toBeGreaterThanOrEqual(2);
  expect(valueOf(text, series)).toBe(valueOf(before, series)! + 1);
  expect(valueOf(text, 'http_requests_total{method="GET",route="/api/v1/words/:id",status="200"}')).toBeGreaterThan(0);
  expect(valueOf(text, 'http_requests_total{method="GET",route="/api/v1/words/:id",status="404"}')).toBeGreaterThan(0);
  expect(valueOf(text, 'http_requests_total{method="POST",route="/api/v1/words",status="201"}')).toBeGreaterThan(0);
  expect(text).toMatch(/^http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/words"[^}]*\} \d+$/m);
  expect(text).toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/words"[^}]*\} \d+$/m);
  // Ids never become labels.
  expect(text).not.toContain(`/api/v1/words/${word.id}"`);
  expect(text).not.toContain('/api/v1/words/999999');
});

it('unknown paths do not become labels (no unbounded series)', async () => {
  await request(t.http).get('/api/v1/no-such-thing-12345');
  await request(t.http).get('/no-such-thing-67890');
  const text = await scrape();
  expect(text).not.toContain('no-such-thing');
});

it('counts the requests answered before any route: a body that does not parse, a CORS preflight', async () => {
  const unparsable = 'http_requests_total{method="POST",route="unmatched",status="400"}';
  const preflight = 'http_requests_total{method="OPTIONS",route="unmatched",status="204"}';
  const before = await scrape();

  await request(t.http).post('/api/v1/words').set('content-type', 'application/json').send('{"thai":').expect(400);
  await request(t.http)
    .options('/api/v1/words')
    .set('origin', 'http://app.example')
    .set('access-control-request-method', 'POST')
    .expect(204);
  const text = await scrape();

  expect(valueOf(text, unparsable)).toBe((valueOf(before, unparsable) ?? 0) + 1);
  expect(valueOf(text, preflight)).toBe((valueOf(before, preflight) ?? 0) + 1);
});

it('exposes the process metrics', async () => {
  const text = await scrape();
  expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
  expect(text).toMatch(/^process_resident_memory_bytes \d/m);
  expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
});

it('lang_portal_words, lang_portal_study_sessions and lang_portal_reviews equal the real counts', async () => {
  const { group, words } = await client.groupWithWords('Animals', 3);
  await client.createWord({ thai: 'นก', english: 'bird' });
  const first = await client.createSession(group.id);
  await client.createSession(group.id);
  await client.answer(first.id, words[0].id, true).expect(201);
  await client.answer(first.id, words[1].id, false).expect(201);
  await client.review(words[2].id, true).expect(201);

  const text = await scrape();

  expect(await countRows(t, 'words')).toBe(4);
  expect(valueOf(text, 'lang_portal_words')).toBe(4);
  expect(valueOf(text, 'lang_portal_study_sessions')).toBe(await countRows(t, 'study_sessions'));
  expect(valueOf(text, 'lang_portal_study_sessions')).toBe(2);
  expect(valueOf(text, 'lang_portal_reviews')).toBe(await countRows(t, 'words_review_items'));
  expect(valueOf(text, 'lang_portal_reviews')).toBe(3);
});

it('the gauges follow the data (after a history reset)', async () => {
  const { group, words } = await client.groupWithWords('Animals', 2);
  const session = await client.createSession(group.id);
  await client.answer(session.id, words[0].id, true).expect(201);
  expect(valueOf(await scrape(), 'lang_portal_reviews')).toBe(1);

  await client.post('/reset_history', { confirm: 'reset_history' }).expect(200);

  const text = await scrape();
  expect(valueOf(text, 'lang_portal_words')).toBe(2);
  expect(valueOf(text, 'lang_portal_study_sessions')).toBe(0);
  expect(valueOf(text, 'lang_portal_reviews')).toBe(0);
});

it('GET /api/v1/metrics is 404', async () => {
  expectProblem(await request(t.http).get('/api/v1/metrics'), 404);
  expectProblem(await request(t.http).get('/api/metrics'), 404);
});

it('still answers while the database does not: the process and request metrics an outage needs', async () => {
  await client.createWord({ thai: 'แมว', english: 'cat' });
  expect(valueOf(await scrape(), 'lang_portal_words')).toBe(1);
  const count = jest
    .spyOn(t.app.get(WordsService), 'count')
    .mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  try {
    const text = await scrape();

    expect(text).toMatch(/^http_requests_total\{/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    // The last figure read.
    expect(valueOf(text, 'lang_portal_words')).toBe(1);
  } finally {
    count.mockRestore();
  }
});

it('shows no figure for a count it could never read (the database down since the start), not 0', async () => {
  await client.createWord({ thai: 'แมว', english: 'cat' });
  const count = jest
    .spyOn(t.app.get(WordsService), 'count')
    .mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  try {
    // The gauges as a server that has just started makes them.
    new PortalGauges(t.orm, t.app.get(WordsService), t.app.get(StudySessionsService), t.app.get(ReviewsService));
    const text = await scrape();

    expect(text).toMatch(/^# TYPE lang_portal_words gauge$/m);
    expect(valueOf(text, 'lang_portal_words')).toBeUndefined();
    expect(valueOf(text, 'lang_portal_study_sessions')).toBe(0);
  } finally {
    count.mockRestore();
  }
  expect(valueOf(await scrape(), 'lang_portal_words')).toBe(1);
});

it('answers within seconds while the database hangs (PostgreSQL cut off by the network), with the last figures', async () => {
  await client.createWord({ thai: 'แมว', english: 'cat' });
  expect(valueOf(await scrape(), 'lang_portal_words')).toBe(1);
  const count = jest.spyOn(t.app.get(WordsService), 'count').mockReturnValue(new Promise<never>(() => {}));
  try {
    const started = Date.now();
    const response = await request(t.http).get('/metrics').timeout(10_000).expect(200);

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(valueOf(response.text, 'lang_portal_words')).toBe(1);
  } finally {
    count.mockRestore();
  }
}, 15_000);

it('counts and times a request its client gave up on before the answer, with status 499 (as nginx logs it)', async () => {
  const aborted = 'http_requests_total{method="GET",route="/api/v1/words",status="499"}';
  const timed = 'http_request_duration_seconds_count{method="GET",route="/api/v1/words",status="499"}';
  const words = t.app.get(WordsService);
  const list = words.list.bind(words);
  const slow = jest
    .spyOn(words, 'list')
    .mockImplementation(async (query) => new Promise((resolve) => setTimeout(() => resolve(list(query)), 500)));
  try {
    const before = await scrape();
    await expect(request(t.http).get('/api/v1/words').timeout(100)).rejects.toThrow(/Timeout/);
    // The handler goes on, and answers no one.
    await new Promise((resolve) => setTimeout(resolve, 700));

    const text = await scrape();

    expect(valueOf(text, aborted)).toBe((valueOf(before, aborted) ?? 0) + 1);
    expect(valueOf(text, timed)).toBe((valueOf(before, timed) ?? 0) + 1);
  } finally {
    slow.mockRestore();
  }
});

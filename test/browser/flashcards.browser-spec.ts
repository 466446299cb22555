import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { type BuiltServer, ensureBuilt, sleep, startBuiltServer } from '../server.js';

/**
 * The Flashcards app in a real browser against the real built server (dist/; `npm run test:browser` builds
 * it): launched through the API like the portal does, answered with the keyboard on a phone-sized page,
 * three answers given offline. Afterwards the portal must hold every answer exactly once, at the time it was
 * given, with the word counters equal to the review log. A second run loses the response to the first request
 * under every Idempotency-Key (the portal records it, the page never hears): the app's retries must not record
 * anything twice.
 *
 * Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH) runs headless through playwright-core; everything
 * stays on the loopback interface. On failure a screenshot of the page is written to a temporary folder
 * (test-output/ is not ignored by git) and its path printed. BROWSER_SCREENSHOTS=<folder> also keeps two
 * screenshots taken mid-session there.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.BROWSER_SCREENSHOTS;
const START_TIMEOUT_MS = 20_000;
const ONLINE_ANSWERS = 10;
const OFFLINE_ANSWERS = 3;

interface Json {
  [key: string]: any;
}

interface RawWord {
  id: number;
  thai: string;
  english: string;
}

interface Given {
  wordId: number;
  thai: string;
  correct: boolean;
  offline: boolean;
  /** Test-side clock just before and just after the key press that answered. */
  before: number;
  after: number;
}

/** Polls until `check` returns something other than undefined, or fails with the last state seen. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await sleep(100);
  }
}

describe('Flashcards in a browser', () => {
  let dir: string;
  let server: BuiltServer | undefined;
  let origin: string;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;

  async function api<T = Json>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${origin}/api/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function get<T = Json>(path: string): Promise<T> {
    const response = await api<T>('GET', path);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'lang-portal-browser-'));
    server = await startBuiltServer({
      env: {
        DATABASE_PATH: join(dir, 'portal.sqlite'),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '0',
        // The launch must name this server, whatever the developer's environment says.
        PUBLIC_URL: undefined,
        ADMIN_TOKEN: undefined,
        BACKUP_CRON: undefined,
        NODE_OPTIONS: undefined,
      },
      // Run outside the repository, so that a developer's .env is not read either.
      cwd: dir,
      timeoutMs: START_TIMEOUT_MS,
    });
    origin = server.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  /** A failure keeps a screenshot of the page, outside the repository. */
  async function withScreenshotOnFailure(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (page) {
        const folder = join(tmpdir(), 'lang-portal-test-output');
        mkdirSync(folder, { recursive: true });
        const path = join(folder, `flashcards-failure-${Date.now()}.png`);
        const saved = await page
          .screenshot({ path, fullPage: true })
          .then(() => true)
          .catch(() => false);
        if (saved) {
          process.stderr.write(`Flashcards browser test failed; screenshot of the page: ${path}\n`);
          if (error instanceof Error) error.message += `\nScreenshot of the page: ${path}`;
        }
      }
      throw error;
    }
  }

  interface Launched {
    sessionId: number;
    launchUrl: string;
    words: RawWord[];
  }

  /** Launches the built-in Flashcards app on a group (the `nth` with enough words), as the portal does. */
  async function launch(nth: number, minWords: number): Promise<Launched> {
    const apps = await get<{ items: Json[] }>('/learning_apps?per_page=500');
    const app = apps.items.find((item) => new URL(item.launch_url).pathname === '/apps/flashcards/');
    expect(app).toBeDefined();
    const groups = await get<{ items: Json[] }>('/groups?per_page=500');
    const group = groups.items.filter((item) => item.words_count >= minWords)[nth];
    expect(group).toBeDefined();
    const launched = await api('POST', `/learning_apps/${app!.id}/launch`, { group_id: group!.id });
    expect(launched.status).toBe(201);
    const launchUrl = new URL(launched.body.launch_url);
    expect(launchUrl.origin).toBe(origin);
    expect(launchUrl.searchParams.get('api_base')).toBe(`${origin}/api/v1`);
    const raw = await get<{ words: RawWord[] }>(`/groups/${group!.id}/words/raw`);
    return { sessionId: launched.body.study_session.id, launchUrl: launchUrl.href, words: raw.words };
  }

  /** A phone-sized page on the launch URL, its first card shown. */
  async function open(launched: Launched): Promise<{ page: Page; pageErrors: string[] }> {
    context = await browser!.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
    page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(launched.launchUrl);
    const prompt = page.locator('#prompt');
    await prompt.waitFor({ state: 'visible' });
    await until('the first card', async () => ((await prompt.textContent())?.trim() ? true : undefined));
    return { page, pageErrors };
  }

  /** Answers the card shown with the keyboard: Space flips it, then 1 (wrong) or 2 (right). */
  async function answerCard(
    page: Page,
    launched: Launched,
    given: Given[],
    correct: boolean,
    offline: boolean,
    screenshot?: string,
  ): Promise<void> {
    const index = given.length;
    const thai = (await page.locator('#prompt').textContent())!.trim();
    const word = launched.words.find((candidate) => candidate.thai === thai);
    if (!word) throw new Error(`card ${index + 1} shows "${thai}", which is no word of the group`);
    await page.keyboard.press('Space');
    await page.locator('#reveal').waitFor({ state: 'visible' });
    expect((await page.locator('#answer').textContent())?.trim()).toBe(word.english);
    if (screenshot) await page.screenshot({ path: screenshot });
    const before = Date.now();
    await page.keyboard.press(correct ? '2' : '1');
    const after = Date.now();
    given.push({ wordId: word.id, thai, correct, offline, before, after });
    if (index + 1 < launched.words.length) {
      await page
        .locator('#progress')
        .filter({ hasText: `Card ${index + 2} of ` })
        .waitFor();
    } else {
      await page.locator('#summary').waitFor({ state: 'visible' });
    }
  }

  /** The portal holds each answer given exactly once, as given, and every word's counters equal its log. */
  async function expectRecordedOnce(sessionId: number, given: Given[]): Promise<void> {
    const session = await get(`/study_sessions/${sessionId}`);
    expect(session.review_items_count).toBe(given.length);
    expect(session.correct_count).toBe(given.filter((answer) => answer.correct).length);
    expect(session.wrong_count).toBe(given.filter((answer) => !answer.correct).length);
    const reviews = (await get<{ items: Json[] }>('/reviews?per_page=100')).items.filter(
      (review) => review.study_session_id === sessionId,
    );
    expect(reviews).toHaveLength(given.length);
    expect(new Set(reviews.map((review) => review.word_id)).size).toBe(given.length);
    for (const answer of given) {
      const review = reviews.find((candidate) => candidate.word_id === answer.wordId);
      expect(review).toBeDefined();
      expect(review!.correct).toBe(answer.correct);
      if (answer.offline) {
        const reviewedAt = Date.parse(review!.reviewed_at);
        expect(reviewedAt).toBeGreaterThanOrEqual(answer.before - 1000);
        expect(reviewedAt).toBeLessThanOrEqual(answer.after + 1000);
      }
      const word = await get(`/words/${answer.wordId}`);
      const log = (await get<{ items: Json[] }>(`/reviews?word_id=${answer.wordId}&per_page=500`)).items;
      expect([word.correct_count, word.wrong_count]).toEqual([
        log.filter((entry) => entry.correct).length,
        log.filter((entry) => !entry.correct).length,
      ]);
    }
  }

  /** Every Idempotency-Key went out with one body only, and every body under one key only. */
  function expectOneKeyPerRequest(requests: Request[]): Map<string, Request[]> {
    const byKey = new Map<string, Request[]>();
    const keysOfBody = new Map<string, Set<string>>();
    for (const request of requests) {
      const key = request.headers()['idempotency-key'];
      expect(key).toMatch(/^[\x20-\x7e]{1,255}$/);
      const target = `${request.url()} ${request.postData()}`;
      byKey.set(key, [...(byKey.get(key) ?? []), request]);
      keysOfBody.set(target, (keysOfBody.get(target) ?? new Set()).add(key));
    }
    for (const sent of byKey.values()) {
      expect(new Set(sent.map((request) => `${request.url()} ${request.postData()}`)).size).toBe(1);
    }
    for (const keys of keysOfBody.values()) expect(keys.size).toBe(1);
    return byKey;
  }

  afterEach(async () => {
    await context?.close().catch(() => undefined);
    context = undefined;
    page = undefined;
  });

  it('records every answer once, at the time it was given, across going offline', async () => {
    await withScreenshotOnFailure(async () => {
      const launched = await launch(0, ONLINE_ANSWERS + OFFLINE_ANSWERS + 1);
      const { page, pageErrors } = await open(launched);
      const answers = `${origin}/api/v1/study_sessions/${launched.sessionId}/answers`;
      const batches: Request[] = [];
      const singles: Request[] = [];
      page.on('request', (request) => {
        if (request.method() !== 'POST') return;
        if (request.url() === answers) batches.push(request);
        if (request.url().endsWith('/review')) singles.push(request);
      });
      // Thai first, marked as Thai, in the font shipped with the app (the machine has no Thai font of its own).
      expect(await page.locator('#prompt').getAttribute('lang')).toBe('th');
      await until('the Thai web font', async () =>
        (await page.evaluate(
          `document.fonts.ready.then(() => [...document.fonts].some((font) => font.family.includes('Noto Sans Thai') && font.status === 'loaded'))`,
        ))
          ? true
          : undefined,
      );
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);

      const given: Given[] = [];
      const correct = (index: number) => index % 3 !== 1;
      for (let index = 0; index < ONLINE_ANSWERS; index++)
        await answerCard(page, launched, given, correct(index), false);
      await until('the online answers to be recorded', async () =>
        (await get(`/study_sessions/${launched.sessionId}`)).review_items_count === ONLINE_ANSWERS ? true : undefined,
      );
      await page.locator('#outbox', { hasText: 'All answers sent' }).waitFor();

      await context!.setOffline(true);
      if (SHOTS) mkdirSync(SHOTS, { recursive: true });
      for (let index = ONLINE_ANSWERS; index < ONLINE_ANSWERS + OFFLINE_ANSWERS; index++) {
        const shot = SHOTS && index === ONLINE_ANSWERS ? join(SHOTS, 'flashcards-flipped.png') : undefined;
        await answerCard(page, launched, given, correct(index), true, shot);
      }
      const waiting = `${OFFLINE_ANSWERS} answers waiting to be sent`;
      await page.locator('#outbox', { hasText: waiting }).waitFor();
      // Long enough for the app's retry timer (3 s) to try again while offline.
      await sleep(3500);
      expect((await page.locator('#outbox').textContent())?.trim()).toBe(waiting);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'flashcards-waiting.png') });
      expect((await get(`/study_sessions/${launched.sessionId}`)).review_items_count).toBe(ONLINE_ANSWERS);

      await context!.setOffline(false);
      await page.locator('#outbox', { hasText: 'All answers sent' }).waitFor({ timeout: 15_000 });
      await expectRecordedOnce(launched.sessionId, given);

      // The offline answers went out in batches, each retried under one Idempotency-Key, never one by one.
      const offlineWords = given.filter((answer) => answer.offline).map((answer) => answer.wordId);
      const reviewed = singles.map((request) => Number(request.url().split('/').at(-2)));
      expect(reviewed.filter((wordId) => offlineWords.includes(wordId))).toEqual([]);
      expect(batches.length).toBeGreaterThan(0);
      expectOneKeyPerRequest([...batches, ...singles]);
      const batched: number[] = [];
      for (const request of batches) {
        if ((await request.response())?.status() === 201) {
          batched.push(...(JSON.parse(request.postData()!) as Json).answers.map((item: Json) => item.word_id));
        }
      }
      const ascending = (a: number, b: number) => a - b;
      expect(batched.sort(ascending)).toEqual(offlineWords.sort(ascending));

      // The rest of the deck, then the session's score as the portal counts it.
      while (given.length < launched.words.length) await answerCard(page, launched, given, true, false);
      await page.locator('#score').waitFor({ state: 'visible', timeout: 15_000 });
      const final = await get(`/study_sessions/${launched.sessionId}`);
      expect(final.review_items_count).toBe(launched.words.length);
      expect(final.correct_count).toBe(given.filter((answer) => answer.correct).length);
      expect(await page.locator('#score-total').textContent()).toBe(String(final.review_items_count));
      expect(await page.locator('#score-right').textContent()).toBe(String(final.correct_count));
      expect(await page.locator('#score-wrong').textContent()).toBe(String(final.wrong_count));
      expect(pageErrors).toEqual([]);
    });
  }, 120_000);

  it('records an answer once when the response to it is lost and the app retries', async () => {
    await withScreenshotOnFailure(async () => {
      const launched = await launch(1, 6);
      const { page, pageErrors } = await open(launched);
      // The first request under each Idempotency-Key reaches the portal, which records it; its response is lost.
      const sent: Request[] = [];
      const lost = new Set<string>();
      await page.route(`${origin}/api/v1/study_sessions/${launched.sessionId}/**`, async (route) => {
        const request = route.request();
        const key = request.headers()['idempotency-key'];
        if (request.method() !== 'POST' || !key) return route.continue();
        sent.push(request);
        if (lost.has(key)) return route.continue();
        lost.add(key);
        await route.fetch();
        return route.abort('connectionreset');
      });

      const given: Given[] = [];
      await answerCard(page, launched, given, true, false);
      await answerCard(page, launched, given, false, false);
      await context!.setOffline(true);
      await answerCard(page, launched, given, true, true);
      await answerCard(page, launched, given, true, true);
      await context!.setOffline(false);
      await answerCard(page, launched, given, false, false);
      // "All answers sent" shows while an answer's first attempt is under way too: every answer recorded (each first
      // request made, its response lost), and each sent again, come first.
      await until('every answer to be recorded', async () =>
        (await get<{ review_items_count: number }>(`/study_sessions/${launched.sessionId}`)).review_items_count ===
        given.length
          ? true
          : undefined,
      );
      const sentAgain = (key: string) => sent.filter((request) => request.headers()['idempotency-key'] === key).length;
      await until('every answer whose response was lost to be sent again', async () =>
        [...lost].every((key) => sentAgain(key) >= 2) ? true : undefined,
      );
      await page.locator('#outbox', { hasText: 'All answers sent' }).waitFor({ timeout: 20_000 });

      await expectRecordedOnce(launched.sessionId, given);
      const byKey = expectOneKeyPerRequest(sent);
      // Each key's first request was recorded without the app knowing; it asked again, with the same key.
      for (const requests of byKey.values()) expect(requests.length).toBeGreaterThanOrEqual(2);
      expect(await page.locator('#notes').textContent()).toBe('');
      expect(pageErrors).toEqual([]);
    });
  }, 60_000);
});

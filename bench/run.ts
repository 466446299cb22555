import '../src/node-version-guard.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { benchImport } from './import.js';

// A real server on a temporary SQLite file (WAL), loaded with the seed data, measured over loopback
// with a bounded number of requests per scenario.
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);

const dir = mkdtempSync(join(tmpdir(), 'lang-portal-bench-'));
process.env.DATABASE_PATH = join(dir, 'bench.sqlite');
process.env.LOG_LEVEL ??= 'warn';
const { AppModule } = await import('../src/app.module.js');
const { configureApp } = await import('../src/app.setup.js');
const { seed } = await import('../database/seeders/DatabaseSeeder.js');

const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error'] });
await configureApp(app);
const orm = app.get<MikroORM>(MikroORM);
await orm.migrator.up();
await seed(orm);
await app.listen(0, '127.0.0.1');
const base = `${await app.getUrl()}/api/v1`;

async function call(method: string, path: string, body?: object): Promise<unknown> {
  const response = await fetch(base + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }
  return response.json();
}

async function scenario(name: string, request: (i: number) => Promise<unknown>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const t0 = performance.now();
        await request(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2);
  process.stdout.write(
    `${name.padEnd(44)} ${String(Math.round(REQUESTS / seconds)).padStart(6)} req/s   p50 ${at(0.5)} ms   p95 ${at(0.95)} ms\n`,
  );
}

const { words } = (await call('GET', '/groups/1/words/raw')) as { words: { id: number }[] };
const launched = (await call('POST', '/learning_apps/1/launch', { group_id: 1 })) as { study_session: { id: number } };
const session = launched.study_session.id;

process.stdout.write(`${REQUESTS} requests per scenario, ${CONCURRENCY} concurrent\n`);
await scenario('GET /words?per_page=100', () => call('GET', '/words?per_page=100'));
await scenario('GET /words?q=a&sort_by=english', () => call('GET', '/words?q=a&sort_by=english'));
await scenario('POST /study_sessions/:id/words/:word_id/review', (i) =>
  call('POST', `/study_sessions/${session}/words/${words[i % words.length].id}/review`, { correct: i % 3 !== 0 }),
);
await scenario('POST /reviews (Idempotency-Key)', (i) =>
  fetch(`${base}/reviews`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${i}` },
    body: JSON.stringify({ word_id: words[i % words.length].id, correct: true }),
  }),
);
// 500 answers in one request, to set beside 500 single answers (one scenario request = 500 answers).
const batch = Array.from({ length: 500 }, (_, i) => ({ word_id: words[i % words.length].id, correct: i % 3 !== 0 }));
await scenario('POST /study_sessions/:id/answers (500 answers)', () =>
  call('POST', `/study_sessions/${session}/answers`, { answers: batch }),
);
await scenario('GET /groups/:id (stats)', () => call('GET', '/groups/1'));
await scenario('GET /study_sessions', () => call('GET', '/study_sessions'));
await scenario('GET /dashboard/quick_stats', () => call('GET', '/dashboard/quick_stats'));
await benchImport(base);

await app.close();
rmSync(dir, { recursive: true, force: true });

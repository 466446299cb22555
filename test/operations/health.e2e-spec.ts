import { jest } from '@jest/globals';
import { HealthCheckService } from '@nestjs/terminus';
import request from 'supertest';
import { expectProblem } from '../api.js';
import { useTestApp } from '../app.js';

/** Liveness and readiness, for load balancers and supervisors. */

const t = useTestApp();

it('GET /api/v1/health is 200 {status: "ok"}', async () => {
  const response = await request(t.http).get('/api/v1/health').expect(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toMatchObject({ status: 'ok' });
});

it('GET /api/v1/health/ready is 200 with the database and the migrations up', async () => {
  const response = await request(t.http).get('/api/v1/health/ready').expect(200);
  expect(response.body).toMatchObject({
    status: 'ok',
    info: { database: { status: 'up' }, migrations: { status: 'up' } },
  });
});

it('GET /api/v1/health/ready is a 503 problem naming a pending migration, and 200 again once it is applied', async () => {
  const undone = await t.orm.migrator.down();
  try {
    expect(undone).toHaveLength(1);
    const [{ name }] = undone;

    const response = await request(t.http).get('/api/v1/health/ready');

    const problem = expectProblem(response, 503);
    expect(problem.detail).toContain(name);
    expect(problem.detail).toMatch(/migrations/);
    // Liveness does not depend on it.
    await request(t.http).get('/api/v1/health').expect(200);
  } finally {
    await t.orm.migrator.up();
  }
  await request(t.http).get('/api/v1/health/ready').expect(200);
});

it('GET /api/v1/health and /health/ready are a 503 problem saying the server is stopping once it stops', async () => {
  // What app.close() does to terminus before the server stops listening (a request on a kept-alive connection).
  const { healthCheckExecutor: executor } = t.app.get(HealthCheckService) as unknown as {
    healthCheckExecutor: { beforeApplicationShutdown(): Promise<void>; isShuttingDown: boolean };
  };
  await executor.beforeApplicationShutdown();
  try {
    for (const path of ['/api/v1/health', '/api/v1/health/ready']) {
      const problem = expectProblem(await request(t.http).get(path), 503);
      expect(problem.detail).toMatch(/^The server is stopping/);
    }
  } finally {
    executor.isShuttingDown = false;
  }
});

it('the health endpoints take no query (400 problem)', async () => {
  expectProblem(await request(t.http).get('/api/v1/health?verbose=true'), 400);
  expectProblem(await request(t.http).get('/api/v1/health/ready?x=1'), 400);
});

it('GET /api/v1/health/ready is a 503 problem naming the database when the database does not answer', async () => {
  const connection = t.orm.em.getConnection();
  const ping = jest.spyOn(connection, 'isConnected').mockResolvedValue(false);
  // What the driver throws for the migrations table, as PostgreSQL stopped makes it.
  const migrations = jest
    .spyOn(t.orm.migrator, 'getPending')
    .mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  try {
    const response = await request(t.http).get('/api/v1/health/ready');

    const problem = expectProblem(response, 503);
    expect(problem.detail).toMatch(/^Not ready: database /);
    expect(problem.detail).not.toContain('ECONNREFUSED');
  } finally {
    ping.mockRestore();
    migrations.mockRestore();
  }
  await request(t.http).get('/api/v1/health/ready').expect(200);
});

it('GET /api/v1/health/ready answers 503 within seconds when the database hangs, as PostgreSQL cut off by the network does', async () => {
  const connection = t.orm.em.getConnection();
  const never = new Promise<never>(() => {});
  // The ping and the read of the migrations both wait on a connection that never answers.
  const ping = jest.spyOn(connection, 'isConnected').mockReturnValue(never);
  const migrations = jest.spyOn(t.orm.migrator, 'getPending').mockReturnValue(never);
  try {
    const started = Date.now();
    const response = await request(t.http).get('/api/v1/health/ready').timeout(10_000);

    const problem = expectProblem(response, 503);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(problem.detail).toMatch(/^Not ready: database .*; migrations /);
  } finally {
    ping.mockRestore();
    migrations.mockRestore();
  }
  await request(t.http).get('/api/v1/health/ready').expect(200);
}, 15_000);

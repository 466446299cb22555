import request from 'supertest';
import { createTestApp, type TestApp } from '../app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.app.close());

it('creates and reads a word', async () => {
  const created = await request(t.http).post('/api/v1/words').send({ thai: 'สวัสดี', english: 'hello' }).expect(201);
  const read = await request(t.http).get(`/api/v1/words/${created.body.id}`).expect(200);
  expect(read.body).toMatchObject({ thai: 'สวัสดี', english: 'hello', parts: {} });
});

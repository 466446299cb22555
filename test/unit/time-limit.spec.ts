import { within } from '../../src/core/time-limit.js';

/** The time limit of the probes and scrapes that must answer while the database does not. */

it('is the work’s result when it answers in time', async () => {
  await expect(within(1_000, Promise.resolve('answered'))).resolves.toBe('answered');
});

it('is the work’s own rejection when it fails in time', async () => {
  await expect(within(1_000, Promise.reject(new Error('refused')))).rejects.toThrow('refused');
});

it('rejects once the time has passed without an answer', async () => {
  await expect(within(10, new Promise(() => {}))).rejects.toThrow('no answer within 10 ms');
});

it('leaves no timer behind once the work has answered, which would keep a stopping process alive', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
  const before = timers();

  await within(60_000, Promise.resolve('answered'));

  expect(timers()).toBe(before);
});

import * as os from 'node:os';
import { jest } from '@jest/globals';

// A machine with more cores than WORKERS takes (two 96-core processors with two threads a core).
jest.unstable_mockModule('node:os', () => ({ ...os, availableParallelism: () => 384 }));
const { validateEnvironment } = await import('../../src/config.js');

it('WORKERS unset on a machine of more than 256 cores is 256, not a start-up failure naming a setting never set', () => {
  expect(validateEnvironment({}).WORKERS).toBe(256);
});

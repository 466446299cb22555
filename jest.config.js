import { readFileSync } from 'node:fs';

const swcrc = JSON.parse(readFileSync(`${import.meta.dirname}/.swcrc`, 'utf8'));

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['<rootDir>/src/node-version-guard.ts', '<rootDir>/test/setup-env.ts'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  // Each e2e file boots the whole application; on two busy cores a first request can take seconds. Speed is
  // measured by bench/, not by timeouts here.
  testTimeout: 30_000,
};

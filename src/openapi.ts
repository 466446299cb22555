import './node-version-guard.js';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Environment } from './config.js';

// Builds the document from the code (a step of `npm run build`) without listening or touching the real database,
// whichever the environment names; it is read when the app module is first imported, hence the dynamic imports. The
// portal's other settings (of the environment or .env) are left at their defaults (an empty value is unset): the
// document does not depend on them, and a bad one is for the server or script run after the build to report by name,
// not for the build to fail on with a stack trace.
for (const name of Object.keys(new Environment())) {
  process.env[name] = '';
}
process.env.DATABASE_PATH = ':memory:';
const { AppModule } = await import('./app.module.js');
const { configureApp } = await import('./app.setup.js');
const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error'] });
const document = await configureApp(app);
// dist/openapi.json: the server reads it at start-up (src/server.ts); `npm run openapi` copies it to the committed one.
writeFileSync(new URL('../openapi.json', import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
await app.close();

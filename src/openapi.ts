import './node-version-guard.js';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

// Builds the document from the code without listening or touching the real database; the
// environment is read when the app module is first imported, hence the dynamic imports.
process.env.DATABASE_PATH = ':memory:';
const { AppModule } = await import('./app.module.js');
const { configureApp } = await import('./app.setup.js');
const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error'] });
const document = await configureApp(app);
writeFileSync(new URL('../../openapi.json', import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
await app.close();

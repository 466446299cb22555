// Nest is ESM and some of its companions (throttler, prometheus) are CommonJS that require it: loaded
// first, it is complete by the time they do, as in Node itself (Jest would otherwise see a require cycle).
import '@nestjs/common';
import '@nestjs/core';
import '@nestjs/config';

// Read by ConfigModule when the app module is first imported: tests never touch the real database file.
process.env.DATABASE_PATH = ':memory:';
// The PostgreSQL run (test/postgres.ts): each test application gets a database of its own on that server.
if (process.env.TEST_DATABASE_URL) {
  process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
}
process.env.APP_TIMEZONE = 'UTC';
process.env.LOG_LEVEL = 'warn';

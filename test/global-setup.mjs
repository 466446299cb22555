import { randomBytes } from 'node:crypto';

/**
 * Before the suite. With TEST_DATABASE_URL (a PostgreSQL server), this run's databases (test/postgres.ts) get
 * names of their own, which test/global-teardown.mjs drops at the end; without it, the suite runs on SQLite
 * alone and says so. (Plain JavaScript: Jest loads a global setup outside its ESM transform.)
 */
export default async function globalSetup() {
  // The test processes, which Jest starts after this, run in a time zone with an offset, as a school's server may:
  // no instant may depend on the server's zone (APP_TIMEZONE is the portal's own, set in setup-env.ts).
  process.env.TZ = 'Asia/Bangkok';
  if (!process.env.TEST_DATABASE_URL) {
    process.stdout.write(
      '\nPostgreSQL run skipped: TEST_DATABASE_URL is not set (`npm run test:postgres` runs the suite on a private cluster).\n',
    );
    return;
  }
  // Read by the test processes, which Jest starts after this.
  process.env.TEST_DATABASE_PREFIX = `lang_portal_test_${randomBytes(3).toString('hex')}_`;
  process.stdout.write(`\nPostgreSQL run on ${new URL(process.env.TEST_DATABASE_URL).host}\n`);
}

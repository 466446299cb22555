import pg from 'pg';

/**
 * Before the suite. With TEST_DATABASE_URL (a PostgreSQL server), the databases previous runs left are dropped
 * (test/postgres.ts creates them), but not those another run still uses; without it, the suite runs on SQLite
 * alone and says so. (Plain JavaScript: Jest loads a global setup outside its ESM transform.)
 */
export default async function globalSetup() {
  if (!process.env.TEST_DATABASE_URL) {
    process.stdout.write(
      '\nPostgreSQL run skipped: TEST_DATABASE_URL is not set (`npm run test:postgres` runs the suite on a private cluster).\n',
    );
    return;
  }
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    // The lock under which test/postgres.ts creates the template and copies of it.
    await client.query('select pg_advisory_lock(7201126)');
    const { rows } = await client.query(
      "select datname from pg_database where datname like 'lang\\_portal\\_test\\_%'",
    );
    for (const { datname } of rows) {
      // A database another run still uses stays.
      await client.query(`drop database if exists "${datname}"`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
  process.stdout.write(`\nPostgreSQL run on ${new URL(process.env.TEST_DATABASE_URL).host}\n`);
}

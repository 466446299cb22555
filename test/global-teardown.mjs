import pg from 'pg';

/** After the suite: the PostgreSQL databases this run created (test/global-setup.mjs) are dropped. */
export default async function globalTeardown() {
  if (!process.env.TEST_DATABASE_URL) {
    return;
  }
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query('select datname from pg_database where starts_with(datname, $1)', [
      process.env.TEST_DATABASE_PREFIX,
    ]);
    for (const { datname } of rows) {
      await client.query(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await client.end();
  }
}

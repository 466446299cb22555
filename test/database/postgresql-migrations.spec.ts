import { MikroORM } from '@mikro-orm/sql';
import { ormConfig } from '../../mikro-orm.config.js';
import { postgresqlMigrations } from '../../database/migrations/postgresql/index.js';
import { validateEnvironment } from '../../src/config.js';
import { dialect } from '../../src/database/dialect.js';
import { freshDatabase } from '../postgres.js';

/** The tables of the portal's schema, without the migrator's own. */
async function tables(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em.fork().execute<{ name: string }[]>(
    `select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_name != 'mikro_orm_migrations' order by 1`,
  );
  return rows.map((row) => row.name);
}

async function triggers(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em.fork().execute<{ name: string }[]>(
    `select t.tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid
        join pg_namespace n on n.oid = c.relnamespace
        where not t.tgisinternal and n.nspname = current_schema() order by 1`,
  );
  return rows.map((row) => row.name);
}

async function triggerFunctions(orm: MikroORM): Promise<number> {
  const [{ count }] = await orm.em.fork().execute<{ count: number }[]>(
    `select count(*) as count from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = current_schema() and p.prorettype = 'trigger'::regtype`,
  );
  return count;
}

// The PostgreSQL run only (TEST_DATABASE_URL); test/database/migrations.spec.ts checks SQLite's migrations.
(dialect.name === 'postgresql' ? describe : describe.skip)('PostgreSQL migrations', () => {
  let orm: MikroORM;
  beforeEach(async () => {
    const database = await freshDatabase();
    orm = await MikroORM.init({
      ...ormConfig({ ...validateEnvironment(process.env), DATABASE_URL: database }),
      logger: () => undefined,
    });
  });
  afterEach(() => orm.close());

  it('build exactly the schema the entities describe', async () => {
    expect(await orm.migrator.getPending()).toEqual([]);
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
    expect(await tables(orm)).toEqual([...orm.getMetadata().getAll().values()].map((meta) => meta.tableName).sort());
    expect(await triggers(orm)).toHaveLength(8);
  });

  it('every migration has a down() that undoes it: down then up again gives the same schema', async () => {
    const schema = await tables(orm);
    const allTriggers = await triggers(orm);
    for (const migration of [...postgresqlMigrations].reverse()) {
      await orm.migrator.down();
      expect((await orm.migrator.getExecuted()).map((executed) => executed.name)).not.toContain(migration.name);
    }
    expect(await tables(orm)).toEqual([]);
    expect(await triggerFunctions(orm)).toBe(0);

    await orm.migrator.up();
    expect(await tables(orm)).toEqual(schema);
    expect(await triggers(orm)).toEqual(allTriggers);
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
  });
});

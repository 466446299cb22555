import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { releasingConnections } from '../../src/database/released-connections.js';

/** A driver lending its one connection, whose queries answer with no rows, as SQLite's does. */
function oneConnectionDriver(): Driver {
  const connection: DatabaseConnection = {
    executeQuery: async <R>(): Promise<QueryResult<R>> => ({ rows: [] }),
    streamQuery: () => {
      throw new Error('not streamed');
    },
  };
  return {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
}

it('guards a connection once however often it is lent: a guard at each loan would nest one call per loan', async () => {
  const driver = releasingConnections(oneConnectionDriver());
  let connection!: DatabaseConnection;
  for (let loan = 0; loan < 100_000; loan += 1) {
    connection = await driver.acquireConnection();
    await driver.releaseConnection(connection);
  }
  await expect(connection.executeQuery(CompiledQuery.raw('select 1'))).resolves.toEqual({ rows: [] });
});

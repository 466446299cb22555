import type { CompiledQuery, DatabaseConnection, Driver } from 'kysely';

/**
 * A Kysely driver whose transactions give their connection back whatever fails. Kysely's controlled transactions,
 * MikroORM's, keep the connection for good when `begin` or `rollback` throws (kysely-org/kysely#1990): SQLite's one
 * connection then made every later query of the server wait, for good (a `begin immediate` refused while another
 * process held the write lock); PostgreSQL's pool lost a connection at each write whose connection was cut
 * (a database restarted, a backend terminated), until none was left.
 *
 * A refused `begin` is answered by the transaction's first statement (or its commit) instead, and its rollback,
 * which runs no SQL then, gives the connection back. A rollback that fails (its connection lost, nothing left to
 * undo) gives it back too: `pg`'s pool drops a connection that was lost rather than lending it again.
 */
export function releasingConnections(driver: Driver): Driver {
  const refused = new WeakMap<DatabaseConnection, unknown>();
  const guarded = new WeakSet<DatabaseConnection>();
  const acquire = driver.acquireConnection.bind(driver);
  driver.acquireConnection = async () => {
    const connection = await acquire();
    if (!guarded.has(connection)) {
      guarded.add(connection);
      const execute = connection.executeQuery.bind(connection);
      connection.executeQuery = <R>(query: CompiledQuery) =>
        refused.has(connection) ? Promise.reject(refused.get(connection)) : execute<R>(query);
    }
    return connection;
  };
  const begin = driver.beginTransaction.bind(driver);
  driver.beginTransaction = async (connection, settings) => {
    try {
      await begin(connection, settings);
    } catch (error) {
      refused.set(connection, error);
    }
  };
  const commit = driver.commitTransaction.bind(driver);
  driver.commitTransaction = async (connection) => {
    if (refused.has(connection)) {
      throw refused.get(connection);
    }
    await commit(connection);
  };
  const rollback = driver.rollbackTransaction.bind(driver);
  driver.rollbackTransaction = async (connection) => {
    if (refused.delete(connection)) {
      return;
    }
    try {
      await rollback(connection);
    } catch {
      // MikroORM rolls back after a failure, which it reports itself; this one adds nothing to it.
    }
  };
  return driver;
}

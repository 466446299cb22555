import { databaseName, type Environment } from './config.js';

/** A start-up failure as its cause and its fix (the server's, src/server.ts, and db:migrate's, src/db-migrate.ts). */
export function explain(error: unknown, config?: Environment): string {
  const { code, message, hostname } = (error ?? {}) as { code?: string; message?: string; hostname?: string };
  if (code === 'EADDRINUSE' && config) {
    return `port ${config.PORT} on ${config.HOST} is in use by another program: stop it, or set PORT to a free port`;
  }
  if (code === 'EACCES' && config) {
    return `port ${config.PORT} may not be opened by this user (${message}): ports below 1024 need privileges; set PORT to 3000 or another above 1023 (behind a reverse proxy for port 80)`;
  }
  // The host to listen on, not found or not this machine's (a PostgreSQL host not found is DATABASE_URL's, below).
  if (config && (code === 'EADDRNOTAVAIL' || (code === 'ENOTFOUND' && hostname === config.HOST))) {
    return `HOST ${config.HOST} is no address of this machine (${message}): set HOST to one of its addresses, 127.0.0.1 (this machine only) or 0.0.0.0 (every network)`;
  }
  if (
    config?.DATABASE_URL &&
    (/^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|28P01|28000|3D000)$/.test(
      code ?? '',
    ) ||
      // pg's own, without a code: no answer within the connect timeout, or a connection closed before it was ready.
      /^(timeout expired|Connection terminated)/.test(message ?? ''))
  ) {
    return `PostgreSQL at ${databaseName(config)} cannot be reached (${message}): check DATABASE_URL, and that the server runs and the database exists`;
  }
  if (
    config &&
    (code?.startsWith('SQLITE_CANTOPEN') || /open database|directory does not exist/i.test(message ?? ''))
  ) {
    return `the database ${config.DATABASE_PATH} cannot be opened (${message}): check DATABASE_PATH and that its folder exists and is writable`;
  }
  if (config && code === 'SQLITE_NOTADB') {
    return `the database ${config.DATABASE_PATH} is not an SQLite database (${message}): set DATABASE_PATH to the portal's database file`;
  }
  // SQLite opens a file it may not write read-only, and fails at the first write: most often the file (or its folder,
  // where the -wal and -shm files go) belongs to another user than the one running the server.
  if (config && code?.startsWith('SQLITE_READONLY')) {
    return `the database ${config.DATABASE_PATH} cannot be written (${message}): let the user running the server write the file and its folder (chown or chmod), or set DATABASE_PATH to a file it may write`;
  }
  return message ?? String(error);
}

import { validateEnvironment } from '../../src/config.js';
import { explain } from '../../src/start-up-failure.js';

/** A start-up failure told as its cause and its fix, by the error's code (or pg's message) and the settings. */

const sqlite = validateEnvironment({ PORT: '80', HOST: '10.9.8.7', DATABASE_PATH: '/srv/portal/portal.sqlite' });
const postgresql = validateEnvironment({ DATABASE_URL: 'postgresql://portal:S3cret@db.school.example/lang' });

/** An error as Node and the drivers throw them: a message, and a code (and a host name) as properties. */
const failure = (message: string, properties: object = {}) => Object.assign(new Error(message), properties);

it.each([
  [
    failure('listen EADDRINUSE', { code: 'EADDRINUSE' }),
    'port 80 on 10.9.8.7 is in use by another program: stop it, or set PORT to a free port',
  ],
  [
    failure('listen EACCES: permission denied 10.9.8.7:80', { code: 'EACCES' }),
    'port 80 may not be opened by this user (listen EACCES: permission denied 10.9.8.7:80): ports below 1024 need ' +
      'privileges; set PORT to 3000 or another above 1023 (behind a reverse proxy for port 80)',
  ],
  [
    failure('listen EADDRNOTAVAIL', { code: 'EADDRNOTAVAIL' }),
    'HOST 10.9.8.7 is no address of this machine (listen EADDRNOTAVAIL): set HOST to one of its addresses, 127.0.0.1 ' +
      '(this machine only) or 0.0.0.0 (every network)',
  ],
  [
    failure('getaddrinfo ENOTFOUND 10.9.8.7', { code: 'ENOTFOUND', hostname: '10.9.8.7' }),
    'HOST 10.9.8.7 is no address of this machine (getaddrinfo ENOTFOUND 10.9.8.7): set HOST to one of its addresses, ' +
      '127.0.0.1 (this machine only) or 0.0.0.0 (every network)',
  ],
  [
    failure('unable to open database file', { code: 'SQLITE_CANTOPEN' }),
    'the database /srv/portal/portal.sqlite cannot be opened (unable to open database file): check DATABASE_PATH and ' +
      'that its folder exists and is writable',
  ],
  [
    failure('Cannot open database because the directory does not exist'),
    'the database /srv/portal/portal.sqlite cannot be opened (Cannot open database because the directory does not ' +
      'exist): check DATABASE_PATH and that its folder exists and is writable',
  ],
  [
    failure('file is not a database', { code: 'SQLITE_NOTADB' }),
    'the database /srv/portal/portal.sqlite is not an SQLite database (file is not a database): set DATABASE_PATH to ' +
      "the portal's database file",
  ],
  [
    failure('attempt to write a readonly database', { code: 'SQLITE_READONLY_DBMOVED' }),
    'the database /srv/portal/portal.sqlite cannot be written (attempt to write a readonly database): let the user ' +
      'running the server write the file and its folder (chown or chmod), or set DATABASE_PATH to a file it may write',
  ],
  // Errors of PostgreSQL's, and of a host that is the database's, are told by the SQLite settings as they are.
  [failure('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }), 'connect ECONNREFUSED 127.0.0.1:5432'],
  [
    failure('getaddrinfo ENOTFOUND db.school.example', { code: 'ENOTFOUND', hostname: 'db.school.example' }),
    'getaddrinfo ENOTFOUND db.school.example',
  ],
])('on SQLite, %s is told as: %s', (error, explanation) => {
  expect(explain(error, sqlite)).toBe(explanation);
});

it.each([
  ['connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'],
  ['getaddrinfo ENOTFOUND db.school.example', 'ENOTFOUND'],
  ['getaddrinfo EAI_AGAIN db.school.example', 'EAI_AGAIN'],
  ['connect ETIMEDOUT 10.0.0.5:5432', 'ETIMEDOUT'],
  ['connect EHOSTUNREACH 10.0.0.5:5432', 'EHOSTUNREACH'],
  ['connect ENETUNREACH 10.0.0.5:5432', 'ENETUNREACH'],
  ['read ECONNRESET', 'ECONNRESET'],
  ['password authentication failed for user "portal"', '28P01'],
  ['no pg_hba.conf entry for host "10.0.0.9"', '28000'],
  ['database "lang" does not exist', '3D000'],
  ['timeout expired', undefined],
  ['Connection terminated unexpectedly', undefined],
])(
  'on PostgreSQL, "%s" (code %s) says the database cannot be reached, naming it without its credentials',
  (message, code) => {
    expect(explain(failure(message, { code }), postgresql)).toBe(
      `PostgreSQL at postgresql://db.school.example/lang cannot be reached (${message}): check DATABASE_URL, and ` +
        'that the server runs and the database exists',
    );
  },
);

it('tells any other failure, and one without settings, by its message alone', () => {
  expect(explain(failure('relation "words" does not exist', { code: '42P01' }), postgresql)).toBe(
    'relation "words" does not exist',
  );
  for (const code of ['EADDRINUSE', 'EACCES', 'SQLITE_NOTADB']) {
    expect(explain(failure(`failed: ${code}`, { code }))).toBe(`failed: ${code}`);
  }
  expect(explain('a thrown string')).toBe('a thrown string');
  expect(explain(undefined)).toBe('undefined');
});

import { availableParallelism } from 'node:os';
import { bytesOf, validateEnvironment } from '../../src/config.js';

describe('validateEnvironment', () => {
  it('fills in the defaults, and treats an empty value as unset', () => {
    expect({ ...validateEnvironment({ PUBLIC_URL: '', PORT: '' }) }).toEqual({
      PORT: 3000,
      DATABASE_PATH: 'database/lang-portal.sqlite',
      DATABASE_URL: undefined,
      DATABASE_POOL_SIZE: 10,
      DATABASE_STATEMENT_TIMEOUT_MS: 60_000,
      APP_TIMEZONE: 'UTC',
      LOG_LEVEL: 'log',
      HOST: '127.0.0.1',
      PUBLIC_URL: undefined,
      CORS_ORIGINS: '',
      ADMIN_TOKEN: undefined,
      BODY_LIMIT: '1mb',
      RATE_LIMIT_PER_MINUTE: 0,
      SHUTDOWN_GRACE_MS: 10000,
      KEEP_ALIVE_TIMEOUT_MS: 5000,
      WORKERS: availableParallelism(),
      BACKUP_KEEP: 7,
      BACKUP_CRON: undefined,
      IMPORT_BODY_LIMIT: '50mb',
      ANKI_IMPORT_LIMIT: '200mb',
      ANKI_UNPACKED_LIMIT: '1024mb',
      MEDIA_PATH: undefined,
      XAPI_KEY: undefined,
      XAPI_SECRET: undefined,
      SRS_REQUEST_RETENTION: 0.9,
      SRS_MAXIMUM_INTERVAL_DAYS: 36500,
      SRS_NEW_WORDS_PER_DAY: 20,
      SRS_LEARNING_STEPS: '1m,10m',
      SRS_ENABLE_FUZZ: true,
      SRS_OPTIMIZE_MAX_ANSWERS: 100000,
    });
  });

  it('reads valid values', () => {
    const env = validateEnvironment({
      PORT: '8080',
      APP_TIMEZONE: 'Asia/Bangkok',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: 'https://portal.school.example',
      SRS_REQUEST_RETENTION: '0.85',
      SRS_LEARNING_STEPS: 'none',
      SRS_ENABLE_FUZZ: 'false',
      BACKUP_CRON: '30 2 * * 1-5',
      KEEP_ALIVE_TIMEOUT_MS: '65000',
    });
    expect(env).toMatchObject({
      KEEP_ALIVE_TIMEOUT_MS: 65000,
      BACKUP_CRON: '30 2 * * 1-5',
      SRS_REQUEST_RETENTION: 0.85,
      SRS_LEARNING_STEPS: 'none',
      SRS_ENABLE_FUZZ: false,
      PORT: 8080,
      APP_TIMEZONE: 'Asia/Bangkok',
      PUBLIC_URL: 'https://portal.school.example',
    });
  });

  it('takes each setting at the edge of its range', () => {
    const edges = {
      DATABASE_URL: 'postgresql://db.school.example:65535/lang',
      KEEP_ALIVE_TIMEOUT_MS: '3600000',
      SHUTDOWN_GRACE_MS: '600000',
      SRS_REQUEST_RETENTION: '0.7',
      SRS_MAXIMUM_INTERVAL_DAYS: '36500',
      SRS_LEARNING_STEPS: '1m,36500d',
      BODY_LIMIT: '2MB',
      IMPORT_BODY_LIMIT: '050mb',
      ADMIN_TOKEN: '0123456789abcdef',
    };
    expect(validateEnvironment(edges)).toMatchObject({
      ...edges,
      KEEP_ALIVE_TIMEOUT_MS: 3_600_000,
      SHUTDOWN_GRACE_MS: 600_000,
      SRS_REQUEST_RETENTION: 0.7,
      SRS_MAXIMUM_INTERVAL_DAYS: 36500,
    });
    expect(validateEnvironment({ SRS_REQUEST_RETENTION: '0.99' }).SRS_REQUEST_RETENTION).toBe(0.99);
  });

  it.each(['http://lang_portal:3000', 'http://192.168.1.20:3000/portal', 'http://[::1]:3000'])(
    'takes the PUBLIC_URL %j (a container’s service name may hold underscores)',
    (url) => {
      expect(validateEnvironment({ PUBLIC_URL: url }).PUBLIC_URL).toBe(url);
    },
  );

  it.each(['Asia/Kathmandu', '+07:00', '+05:15', '+05:45', '-0930'])('takes the APP_TIMEZONE %j', (zone) => {
    expect(validateEnvironment({ APP_TIMEZONE: zone }).APP_TIMEZONE).toBe(zone);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '0x50'],
    ['PORT', '1e3'],
    ['PORT', '70000'],
    ['APP_TIMEZONE', 'Mars/Base'],
    ['APP_TIMEZONE', '+05:17'],
    ['APP_TIMEZONE', '-0310'],
    ['LOG_LEVEL', 'loud'],
    ['HOST', '127.0.0.1 '],
    ['HOST', 'portal host'],
    ['PUBLIC_URL', 'portal.school.example'],
    ['PUBLIC_URL', 'https://portal.school.example/?x=1'],
    ['PUBLIC_URL', 'https://portal.school.example/#top'],
    ['DATABASE_PATH', 'C:\\portal\\'],
    ['XAPI_KEY', 'portal key'],
    ['CORS_ORIGINS', 'localhost:5173'],
    ['CORS_ORIGINS', 'http://a.example, http://b.example'],
    ['CORS_ORIGINS', 'http://a.example http://b.example'],
    ['BODY_LIMIT', 'lots'],
    // Not "no limit", as RATE_LIMIT_PER_MINUTE=0 is: every request with a body was a 413.
    ['BODY_LIMIT', '0mb'],
    ['IMPORT_BODY_LIMIT', '0b'],
    ['ANKI_IMPORT_LIMIT', '000kb'],
    ['ANKI_UNPACKED_LIMIT', '0mb'],
    ['RATE_LIMIT_PER_MINUTE', '-1'],
    ['KEEP_ALIVE_TIMEOUT_MS', '500'],
    ['KEEP_ALIVE_TIMEOUT_MS', '5s'],
    ['KEEP_ALIVE_TIMEOUT_MS', '3600001'],
    ['SHUTDOWN_GRACE_MS', '600001'],
    ['BACKUP_KEEP', '0'],
    ['BACKUP_CRON', 'daily'],
    ['BACKUP_CRON', '99 99 * * *'],
    ['BACKUP_CRON', '0 3 30 2 *'],
    ['SRS_REQUEST_RETENTION', '1.5'],
    ['SRS_REQUEST_RETENTION', 'high'],
    ['SRS_REQUEST_RETENTION', '0.69'],
    ['SRS_REQUEST_RETENTION', '1'],
    ['SRS_MAXIMUM_INTERVAL_DAYS', '0'],
    ['SRS_MAXIMUM_INTERVAL_DAYS', '36501'],
    ['SRS_NEW_WORDS_PER_DAY', '-5'],
    ['SRS_LEARNING_STEPS', '1m,10x'],
    ['SRS_LEARNING_STEPS', '10'],
    ['SRS_LEARNING_STEPS', '1m10m'],
    // Beyond the last instant a Date holds: every answer to a new word failed with 500.
    ['SRS_LEARNING_STEPS', '1m,100000000d'],
    ['SRS_LEARNING_STEPS', '36501d'],
    // ts-fsrs skips a step of no length: '0m' was 'none' unsaid.
    ['SRS_LEARNING_STEPS', '0m'],
    ['SRS_LEARNING_STEPS', '1m,00h'],
    ['SRS_ENABLE_FUZZ', 'yes'],
    ['DATABASE_URL', 'mysql://db.example/portal'],
    ['DATABASE_URL', 'postgresql://[bad'],
    ['DATABASE_URL', 'postgresql://localhost:99999/db'],
    ['DATABASE_URL', 'postgresql://localhost:0/db'],
    ['DATABASE_URL', 'postgresql://localhost:5432'],
    ['DATABASE_URL', 'postgres://localhost/'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-1'],
    // PostgreSQL's statement_timeout is a 32-bit count of milliseconds (about 24.8 days).
    ['DATABASE_STATEMENT_TIMEOUT_MS', '2147483648'],
  ])('refuses %s=%s with a message naming it and the value', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(`${name}=${JSON.stringify(value)}`);
  });

  it.each([
    [
      'http://a.example, http://b.example',
      'CORS_ORIGINS has a space around " http://b.example": separate the origins by commas alone, such as http://a.example,http://b.example',
    ],
    [
      'http://localhost:5173/',
      'CORS_ORIGINS has "http://localhost:5173/", which is no origin: an origin has no path, not even "/"; write http://localhost:5173',
    ],
    [
      'http://a.example,,http://b.example',
      'CORS_ORIGINS has an empty entry: separate the origins by one comma, such as http://a.example,http://b.example',
    ],
    [
      'localhost:5173',
      'CORS_ORIGINS has "localhost:5173", which is no origin: write each as http:// or https://, the host and any port, such as http://localhost:5173',
    ],
  ])('refuses CORS_ORIGINS=%j saying what is wrong', (value, message) => {
    expect(() => validateEnvironment({ CORS_ORIGINS: value })).toThrow(
      `- CORS_ORIGINS=${JSON.stringify(value)}: ${message}`,
    );
  });

  it('refuses a PUBLIC_URL with a user name or password, which every launch URL would show, and hides the password', () => {
    const refused = () => validateEnvironment({ PUBLIC_URL: 'http://user:S3cret@portal.school.example' });
    expect(refused).toThrow(
      '- PUBLIC_URL="http://user:***@portal.school.example": PUBLIC_URL must not hold a user name or password',
    );
    expect(refused).not.toThrow('S3cret');
    expect(() => validateEnvironment({ PUBLIC_URL: 'HTTPS://user:S3cret@portal.school.example' })).toThrow(
      '- PUBLIC_URL="HTTPS://user:***@portal.school.example": PUBLIC_URL must not hold a user name or password',
    );
  });

  it.each([
    ['ADMIN_TOKEN', 'short secret'],
    ['ADMIN_TOKEN', '0123456789abcde'],
    ['XAPI_SECRET', 'tooshort'],
  ])('refuses %s naming it and the length of its value, never the value', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(`${name}="*** (${value.length} characters)"`);
    expect(() => validateEnvironment({ [name]: value })).not.toThrow(value);
  });

  it.each(['postgresql://portal:s%40cret@db.school.example:5432/lang_portal', 'postgres://portal@[::1]/lang_portal'])(
    'reads the PostgreSQL URL %s',
    (url) => {
      expect(validateEnvironment({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    },
  );

  it.each([
    [
      'postgresql://portal:S3cretPw@db.school.example:99999/lang',
      'postgresql://portal:***@db.school.example:99999/lang',
    ],
    ['postgresql://portal:S3c/ret@Pw@db.school.example/lang', 'postgresql://portal:***@db.school.example/lang'],
    ['postgresql://portal:S3cretPw@db.school.example', 'postgresql://portal:***@db.school.example'],
    // Mistyped, the URL is refused for its shape: the password must stay hidden all the same.
    ['postgresql:/portal:S3cretPw@db.school.example/lang', 'postgresql:/portal:***@db.school.example/lang'],
    ['postgresql:portal:S3cretPw@db.school.example/lang', 'postgresql:***@db.school.example/lang'],
    ['portal:S3cretPw@db.school.example:5432/lang', 'portal:***@db.school.example:5432/lang'],
  ])('refuses DATABASE_URL=%s without showing its password', (url, shown) => {
    expect(() => validateEnvironment({ DATABASE_URL: url })).toThrow(`DATABASE_URL=${JSON.stringify(shown)}: `);
    expect(() => validateEnvironment({ DATABASE_URL: url })).not.toThrow(/S3c/);
  });

  it.each([
    ['PORT', 'abc', 'PORT must be an integer number'],
    ['SRS_REQUEST_RETENTION', 'high', 'SRS_REQUEST_RETENTION must be a number conforming to the specified constraints'],
  ])('refuses %s=%s saying it is of the wrong type, not also every range it misses', (name, value, message) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(
      new Error(`Invalid configuration:\n- ${name}=${JSON.stringify(value)}: ${message}`),
    );
  });

  it('refuses a DATABASE_PATH that names a folder, which SQLite would create as a file', () => {
    expect(() => validateEnvironment({ DATABASE_PATH: '/srv/portal/' })).toThrow(
      'DATABASE_PATH="/srv/portal/": DATABASE_PATH names a folder: give the database file\'s path in it, such as /srv/portal/lang-portal.sqlite',
    );
    expect(validateEnvironment({ DATABASE_PATH: '/srv/portal/lang.sqlite' }).DATABASE_PATH).toBe(
      '/srv/portal/lang.sqlite',
    );
  });

  it('refuses a DATABASE_URL with a # in its password, saying to %-encode it', () => {
    expect(() =>
      validateEnvironment({ DATABASE_URL: 'postgresql://portal:p@ss#1@db.school.example:5432/lang' }),
    ).toThrow(/has a # in it, which ends the URL there: %-encode .* \(# is %23\)/);
  });

  it('refuses a schedule the cron package that takes the backups refuses, with its reason', () => {
    expect(() => validateEnvironment({ BACKUP_CRON: '99 99 * * *' })).toThrow(
      /BACKUP_CRON="99 99 \* \* \*": BACKUP_CRON must be a cron expression .*: Field value \(99\) is out of range/,
    );
  });

  it('refuses scheduled backups of a database in memory, which has no file to back up', () => {
    expect(() => validateEnvironment({ DATABASE_PATH: ':memory:', BACKUP_CRON: '0 3 * * *' })).toThrow(
      /BACKUP_CRON="0 3 \* \* \*": .*":memory:" is none/,
    );
  });

  it('refuses an xAPI key without its secret and a secret without its key, naming the one set', () => {
    expect(() => validateEnvironment({ XAPI_KEY: 'portal' })).toThrow(
      /- XAPI_KEY="portal": turns on xAPI with XAPI_SECRET, which is not set/,
    );
    expect(() => validateEnvironment({ XAPI_SECRET: 'secretsecretsecret' })).toThrow(
      /- XAPI_SECRET=.*: turns on xAPI with XAPI_KEY, which is not set/,
    );
    expect(validateEnvironment({ XAPI_KEY: 'portal', XAPI_SECRET: 'secretsecretsecret' }).XAPI_KEY).toBe('portal');
  });

  it('refuses scheduled backups of a PostgreSQL database (pg_dump backs it up)', () => {
    expect(() =>
      validateEnvironment({ DATABASE_URL: 'postgresql://portal@db.example/portal', BACKUP_CRON: '0 3 * * *' }),
    ).toThrow(/BACKUP_CRON="0 3 \* \* \*": .*pg_dump/);
  });
});

/** The sizes the configuration writes (ANKI_IMPORT_LIMIT, ANKI_UNPACKED_LIMIT), as the body limits count them. */
it.each([
  ['100000b', 100_000],
  ['512kb', 524_288],
  ['200mb', 209_715_200],
  ['1MB', 1_048_576],
])('bytesOf reads %s as %d bytes', (size, bytes) => {
  expect(bytesOf(size)).toBe(bytes);
});

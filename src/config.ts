import { availableParallelism } from 'node:os';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidationError,
  validateSync,
} from 'class-validator';
import { sendAt, validateCronExpression } from 'cron';
import { DecimalIntIn, QueryBoolean, TYPE_CONSTRAINTS } from './core/http.js';

/** A string setting in which `problemWith` finds nothing wrong; else the message names the setting and the problem. */
const Satisfies = (name: string, problemWith: (value: string) => string | undefined) =>
  ValidateBy({
    name,
    validator: {
      validate: (value) => typeof value === 'string' && problemWith(value) === undefined,
      defaultMessage: (args) => `$property ${problemWith(String(args?.value))}`,
    },
  });

/**
 * Why the `cron` package, which takes the backups (src/backups/backups.service.ts), would refuse the schedule, or
 * nothing: checked here, so that the server stops before it migrates and seeds, not once the database is written.
 */
function problemWithSchedule(schedule: string): string | undefined {
  const { error } = validateCronExpression(schedule);
  if (error) {
    return `must be a cron expression of 5 or 6 fields such as 0 3 * * *: ${error.message}`;
  }
  try {
    sendAt(schedule);
    return undefined;
  } catch {
    // A date that does not exist (`0 3 30 2 *`) passes the syntax check; the job would fail to start.
    return 'never comes due: no date matches it';
  }
}

/** SQLite would create a file named after the folder that a path ending with a slash names, not a file in it. */
function problemWithDatabasePath(path: string): string | undefined {
  return /[/\\]$/.test(path)
    ? `names a folder: give the database file's path in it, such as ${path}lang-portal.sqlite`
    : undefined;
}

/** A list as CORS_ORIGINS takes it, for the messages that refuse one. */
const ORIGINS_EXAMPLE = 'such as http://a.example,http://b.example';

/**
 * Why CORS_ORIGINS is no list of origins as browsers send them in `Origin` (scheme, host and port, no path), which
 * are compared as they are, or nothing. A space after a comma and a trailing slash (as a browser's address bar
 * shows an address) are the likely slips; each is named.
 */
function problemWithOrigins(list: string): string | undefined {
  for (const entry of list === '' ? [] : list.split(',')) {
    if (entry === '') {
      return `has an empty entry: separate the origins by one comma, ${ORIGINS_EXAMPLE}`;
    }
    if (entry.trim() !== entry) {
      return `has a space around ${JSON.stringify(entry)}: separate the origins by commas alone, ${ORIGINS_EXAMPLE}`;
    }
    const withPath = /^(https?:\/\/[^\s/]+)\//.exec(entry);
    if (withPath) {
      return `has ${JSON.stringify(entry)}, which is no origin: an origin has no path, not even "/"; write ${withPath[1]}`;
    }
    if (!/^https?:\/\/[^\s/]+$/.test(entry)) {
      return `has ${JSON.stringify(entry)}, which is no origin: write each as http:// or https://, the host and any port, such as http://localhost:5173`;
    }
  }
  return undefined;
}

/** PUBLIC_URL is written into every launch URL and xAPI endpoint the portal gives out: credentials would be too. */
const problemWithPublicUrl = (url: string): string | undefined =>
  /^[a-z][\w+.-]*:\/\/[^/?#]*@/i.test(url)
    ? 'must not hold a user name or password: every launch URL and xAPI endpoint the portal gives would show them'
    : undefined;

/**
 * Why study days could not be counted in a time zone Intl takes, or nothing (an unknown zone is IsTimeZone's to
 * refuse). Besides the IANA zones Intl takes an offset (`+05:17`), but the streak finds a day's answers in the
 * review log's UTC quarter hours: a day that starts inside one took in answers of the day before.
 */
function problemWithTimeZone(zone: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  return /^[+-]\d\d:(?!00|15|30|45)/.test(resolved)
    ? 'must be an IANA time zone such as Asia/Bangkok, or an offset of whole quarter hours such as +05:45'
    : undefined;
}

/**
 * What keeps the PostgreSQL driver from connecting to `url` (DATABASE_URL), or nothing; never the URL's password. The
 * driver's own messages ("Invalid URL", "missing the pathname") would not name the setting.
 */
function problemWithDatabaseUrl(url: string): string | undefined {
  const shape = 'postgresql://user:password@host:5432/name';
  if (!/^postgres(ql)?:\/\//.test(url)) {
    return `must be a PostgreSQL URL such as ${shape}`;
  }
  // The host and port follow the last @ of the authority (a password may hold @ only %-encoded, but may be mistyped).
  const authority = url.slice(url.indexOf('//') + 2).split(/[/?#]/)[0];
  const port = /:(\d+)$/.exec(authority.slice(authority.lastIndexOf('@') + 1))?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) {
    return `has the port ${port}: a port is 1 to 65535 (PostgreSQL's is 5432)`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a URL such as ${shape}: check the host, and %-encode @ : / # ? % in the user name and password`;
  }
  // A # ends a URL where it stands: most often one in a password, where it is %23.
  if (parsed.hash !== '') {
    return `has a # in it, which ends the URL there: %-encode @ : / # ? % in the user name and password (# is %23)`;
  }
  return parsed.pathname.length > 1 ? undefined : `names no database: end it with /name, as in ${shape}`;
}

/**
 * A size limit (`1mb`, `512kb`, `100000b`) above zero: 0 does not turn the limit off, as RATE_LIMIT_PER_MINUTE=0 does,
 * but made every request with a body a 413.
 */
const Size = (example: string) =>
  Matches(/^0*[1-9]\d*(b|kb|mb)$/i, {
    message: `$property must be a size above zero such as ${example}, 512kb or 100000b`,
  });

/** Bytes of a size as the configuration writes it (`200mb`, `512kb`, `100000b`). */
export function bytesOf(size: string): number {
  const [amount, unit] = /^(\d+)(b|kb|mb)$/i.exec(size)?.slice(1) ?? ['0', 'b'];
  return Number(amount) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit!.toLowerCase() as 'b' | 'kb' | 'mb'];
}

/** A learning step's length in minutes, by its unit. */
const STEP_MINUTES: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };

/**
 * Why a learning step is too short or too long, or nothing. ts-fsrs takes a step of no length as none: a new word
 * skipped it unseen (`0m` was `none`). It dates a step's end unbounded, and one beyond the last instant a Date holds
 * (100,000,000 days after 1970) failed every answer to a new word with 500; no step need be longer than the longest
 * interval (36500 days).
 */
function problemWithLearningSteps(steps: string): string | undefined {
  const lengths = [...steps.matchAll(/(\d+)([mhd])/g)].map(([, count, unit]) => Number(count) * STEP_MINUTES[unit]);
  if (lengths.includes(0)) {
    return 'has a step of no length, which ts-fsrs skips: give each step a length such as 1m, or none for no steps';
  }
  return Math.max(0, ...lengths) > 36_500 * STEP_MINUTES.d
    ? 'has a step longer than 36500d (100 years), the longest interval'
    : undefined;
}

/** The settings that are secrets: a message about one shows its length, never its value. */
const SECRETS = new Set(['ADMIN_TOKEN', 'XAPI_SECRET']);

/**
 * DATABASE_URL's password (between user: and the last @) hidden. A URL refused for its shape is most often a mistyped
 * one, its scheme short of a slash or missing: its password is hidden all the same. A scheme is told from a user name
 * by the slash after it; without one, `postgresql:` of `postgresql://user@host` is no user name.
 */
const withoutPassword = (url: string): string =>
  url.replace(/^((?:[a-z][\w+.-]*:\/+|(?![a-z][\w+.-]*:\/))[^/:@]*:).*@/i, '$1***@');

/** A setting's value as a message may show it: secrets, and a password in DATABASE_URL or PUBLIC_URL, hidden. */
const printable = (name: string, value: unknown): unknown => {
  if (typeof value !== 'string') {
    return value;
  }
  if (SECRETS.has(name)) {
    return `*** (${value.length} characters)`;
  }
  return name === 'DATABASE_URL' || name === 'PUBLIC_URL' ? withoutPassword(value) : value;
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The environment the server reads, with its defaults. Documented in `.env.example`. */
export class Environment {
  @DecimalIntIn(1, 65535)
  PORT = 3000;

  @IsString()
  @IsNotEmpty()
  @Satisfies('isFilePath', problemWithDatabasePath)
  DATABASE_PATH = 'database/lang-portal.sqlite';

  /** A PostgreSQL database (`postgresql://user:password@host:port/name`) used instead of the SQLite file. */
  @IsOptional()
  @Satisfies('isPostgresqlUrl', problemWithDatabaseUrl)
  DATABASE_URL: string | undefined = undefined;

  /** The most connections each server process opens to PostgreSQL. */
  @DecimalIntIn(1, 1000)
  DATABASE_POOL_SIZE = 10;

  /** PostgreSQL cancels a statement that runs longer than this; 0 for never. */
  // PostgreSQL refuses a statement_timeout beyond 2^31 - 1 ms, and with it every connection, naming only itself.
  @DecimalIntIn(0, 2 ** 31 - 1)
  DATABASE_STATEMENT_TIMEOUT_MS = 60_000;

  @IsTimeZone()
  @Satisfies('isQuarterHourTimeZone', problemWithTimeZone)
  APP_TIMEZONE = 'UTC';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'log';

  @IsString()
  @IsNotEmpty()
  // A space, unseen in a quoted .env value, made it a name no machine has.
  @Matches(/^\S+$/, { message: '$property must be an address or a host name, without spaces' })
  HOST = '127.0.0.1';

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true })
  @Matches(/^[^?#]*$/, { message: '$property must be an origin (and path), without a query or fragment' })
  @Satisfies('hasNoCredentials', problemWithPublicUrl)
  PUBLIC_URL: string | undefined = undefined;

  /** Origins (comma-separated) whose pages may call the endpoints that destroy data; the others are open to all. */
  @Satisfies('isOriginList', problemWithOrigins)
  CORS_ORIGINS = '';

  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,}$/, { message: '$property must be at least 16 printable ASCII characters, no spaces' })
  ADMIN_TOKEN: string | undefined = undefined;

  /** The xAPI client's HTTP Basic credentials; the /xapi endpoints answer 404 while either is unset. */
  @IsOptional()
  @Matches(/^[^:\s]+$/, { message: '$property must be non-empty, without spaces or ":"' })
  XAPI_KEY: string | undefined = undefined;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,}$/, { message: '$property must be at least 16 printable ASCII characters, no spaces' })
  XAPI_SECRET: string | undefined = undefined;

  @Size('1mb')
  BODY_LIMIT = '1mb';

  /** The body limit of `POST /words/import` alone (a whole vocabulary in one request). */
  @Size('50mb')
  IMPORT_BODY_LIMIT = '50mb';

  /** The largest Anki package `POST /import/anki` takes (it is read in memory). */
  @Size('200mb')
  ANKI_IMPORT_LIMIT = '200mb';

  /** The most an Anki package's files may unpack to at once (its collection; a batch of its media): zip and zstd bombs. */
  @Size('1024mb')
  ANKI_UNPACKED_LIMIT = '1024mb';

  /** Where media files (audio of imported Anki notes) are kept, served at /media/; unset, `media/` beside the database. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  MEDIA_PATH: string | undefined = undefined;

  /** Requests per minute per client address; 0 turns rate limiting off. */
  @DecimalIntIn(0)
  RATE_LIMIT_PER_MINUTE = 0;

  /** How long a stopping server lets requests in flight finish. */
  @DecimalIntIn(0, 600_000)
  SHUTDOWN_GRACE_MS = 10_000;

  /** How long an idle keep-alive connection stays open: longer than the idle timeout of a load balancer in front. */
  @DecimalIntIn(1_000, 3_600_000)
  KEEP_ALIVE_TIMEOUT_MS = 5_000;

  /** How many server processes `npm run start:cluster` runs (Node's cluster module); one per core by default. */
  // The default is checked as a value set would be: more cores than the most workers refused every start, `npm start` too.
  @DecimalIntIn(1, 256)
  WORKERS = Math.min(availableParallelism(), 256);

  @DecimalIntIn(1)
  BACKUP_KEEP = 7;

  /** A cron expression (e.g. `0 3 * * *`) for backups taken by the server itself; unset, none. */
  @IsOptional()
  @Satisfies('isCronSchedule', problemWithSchedule)
  BACKUP_CRON: string | undefined = undefined;

  /** The probability of recall FSRS schedules each review for. */
  @Type(() => Number)
  @IsNumber()
  @Min(0.7)
  @Max(0.99)
  SRS_REQUEST_RETENTION = 0.9;

  @DecimalIntIn(1, 36500)
  SRS_MAXIMUM_INTERVAL_DAYS = 36500;

  @DecimalIntIn(0)
  SRS_NEW_WORDS_PER_DAY = 20;

  /** Comma-separated steps of minutes, hours or days (`1m,10m`) a new word goes through first; `none` for none. */
  @Matches(/^(none|\d+[mhd](,\d+[mhd])*)$/, { message: '$property must be steps such as 1m,10m (m, h or d), or none' })
  @Satisfies('isLearningStepsOfUsableLength', problemWithLearningSteps)
  SRS_LEARNING_STEPS = '1m,10m';

  /** Spreads intervals a little so that words learnt together do not stay due together. */
  @QueryBoolean()
  @IsBoolean()
  SRS_ENABLE_FUZZ = true;

  /**
   * The most answers a fit (`POST /srs/optimize`) learns from: those of the most recently answered words. Bounds its
   * memory and time; the optimizer holds each answer with all of its word's answers before it.
   */
  @DecimalIntIn(1)
  SRS_OPTIMIZE_MAX_ANSWERS = 100000;
}

/** Validates the environment at start-up; a bad value stops the server with a message naming it. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.fromEntries(
    Object.keys(new Environment())
      .filter((key) => raw[key] !== undefined && raw[key] !== '')
      .map((key) => [key, raw[key]]),
  );
  const env = plainToInstance(Environment, known);
  const errors = validateSync(env);
  const refuse = (property: string, message: string) =>
    errors.push(Object.assign(new ValidationError(), { property, constraints: { combination: message } }));
  if (env.DATABASE_URL && env.BACKUP_CRON) {
    refuse('BACKUP_CRON', 'backs up the SQLite file; PostgreSQL (DATABASE_URL) is backed up with pg_dump');
  }
  // Else a backup failed at every tick, logged as an error, with nothing to back up.
  if (!env.DATABASE_URL && env.DATABASE_PATH === ':memory:' && env.BACKUP_CRON) {
    refuse('BACKUP_CRON', 'backs up the SQLite file; DATABASE_PATH ":memory:" is none');
  }
  // One without the other left /xapi answering 404, silently.
  if ((env.XAPI_KEY === undefined) !== (env.XAPI_SECRET === undefined)) {
    const [set, unset] = env.XAPI_KEY === undefined ? ['XAPI_SECRET', 'XAPI_KEY'] : ['XAPI_KEY', 'XAPI_SECRET'];
    refuse(set, `turns on xAPI with ${unset}, which is not set`);
  }
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const failed = Object.entries(error.constraints ?? {});
      const wrongType = failed.filter(([constraint]) => TYPE_CONSTRAINTS.has(constraint));
      const messages = (wrongType.length > 0 ? wrongType : failed).map(([, message]) => message);
      return `- ${error.property}=${JSON.stringify(printable(error.property, raw[error.property]))}: ${messages.join('; ')}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}

/** A PostgreSQL URL as it may be printed: its host and database, never its user's password. */
export function printableUrl(databaseUrl: string): string {
  const { host, pathname } = new URL(databaseUrl);
  return `postgresql://${host}${pathname}`;
}

/** Where the database is, for logs: the SQLite file, or PostgreSQL's host and database. */
export const databaseName = (env: Pick<Environment, 'DATABASE_PATH' | 'DATABASE_URL'>): string =>
  env.DATABASE_URL ? printableUrl(env.DATABASE_URL) : env.DATABASE_PATH;

/**
 * Set by the cluster (cluster.ts) for every worker but the first, read by server.ts: the database is migrated,
 * seeded and its cards fresh, so the worker skips that work.
 */
export const DATABASE_PREPARED = 'LANG_PORTAL_DATABASE_PREPARED';

/**
 * Set by the cluster (cluster.ts) for each worker: its slot, 1 to WORKERS, which the worker that replaces one that
 * died takes over. The worker's metrics carry it as the label `worker` (src/metrics/metrics.service.ts).
 */
export const WORKER_SLOT = 'LANG_PORTAL_WORKER_SLOT';

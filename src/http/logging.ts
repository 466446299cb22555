import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoggerService, RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { type LoggerOptions, pino } from 'pino';
import { type Options, pinoHttp } from 'pino-http';
import type { LogLevel } from '../config.js';

// Nest's names for its levels, as pino calls them.
export const PINO_LEVELS: Record<LogLevel, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * A pino logger on stdout that writes each line as it is logged. Pino's default buffers lines and writes what is left
 * at exit, which its sonic-boom 4 retries for as long as that fails: with stdout a pipe that nobody reads any more (a
 * log collector that died: EPIPE), a server told to stop closed its port but never exited. A line that cannot be
 * written now is dropped (pino stops writing on EPIPE).
 */
export const stdoutLogger = (options: LoggerOptions) => pino(options, pino.destination({ dest: 1, sync: true }));

// A client's own request id is kept when it is this tame; anything else is replaced.
const SANE_REQUEST_ID = /^[\w.:@-]{1,128}$/;

/**
 * Gives every request an id before anything else can answer it, and sends it back as `X-Request-Id`: a
 * client's own id is kept when it is tame.
 */
export function assignRequestId(
  request: IncomingMessage & { id?: string },
  response: ServerResponse,
  next: () => void,
): void {
  const sent = request.headers['x-request-id'];
  request.id = typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
  response.setHeader('X-Request-Id', request.id);
  next();
}

/**
 * Structured JSON logs on one pino logger: one line per request with its id (also sent back as X-Request-Id), never
 * a body. The request log itself is `requestLog`, mounted by configureApp before every other middleware, so that the
 * requests answered before Nest's router (static files, CORS preflights, bodies that do not parse, paths outside
 * the API) are logged too. nestjs-pino binds each routed request's logger, so that what is logged while it is
 * answered (a 500's stack) bears its id.
 */
export function loggingOptions(level: LogLevel): LoggingParams {
  return {
    pinoHttp: {
      logger:
        process.env.NODE_ENV === 'development'
          ? pino({ level: PINO_LEVELS[level], transport: { target: 'pino-pretty' } })
          : stdoutLogger({ level: PINO_LEVELS[level] }),
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
    // The request log is requestLog's: nestjs-pino only binds the logger it gives each request.
    useExisting: true,
    // Every request routed under the global prefix, and the two paths outside it, each once. The default mounts
    // each path again under /v1 and every xAPI route once more for each method (26 router layers, not 6).
    forRoutes: ['/', 'xapi/{*path}', { path: 'metrics', method: RequestMethod.GET }],
  };
}

/** nestjs-pino's options as `loggingOptions` gives them: pino-http's settings alone, no stream. */
export type LoggingParams = Params & { pinoHttp: Options };

/** The request log: pino-http with the settings of `loggingOptions`, on its logger. */
export const requestLog = (params: LoggingParams) => pinoHttp(params.pinoHttp);

// Nest's own start-up chatter (modules loaded, every route mapped, "successfully started").
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * The application logger, with Nest's start-up chatter moved down to debug: start-up says what happened, and only
 * that. So is the error Nest logs when it cannot listen (a port in use, a HOST not of this machine): the server
 * reports that failure itself, with its fix (src/server.ts).
 */
export function quietStartup(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...rest: unknown[]) =>
      FRAMEWORK_CONTEXTS.has(String(rest.at(-1))) ? logger.debug?.(message, ...rest) : logger.log(message, ...rest),
    error: (message: unknown, ...rest: unknown[]) =>
      rest.at(-1) === 'NestApplication' ? logger.debug?.(message, ...rest) : logger.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => logger.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => logger.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => logger.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) => logger.fatal?.(message, ...rest),
  };
}

import { readdirSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { RequestMethod, VersioningType } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import { ANKI_IMPORT_PATH } from './anki/anki.controller.js';
import { mediaDirectory } from './anki/media.js';
import { bytesOf, type Environment } from './config.js';
import { documentBodyContents } from './http/body-content.js';
import { documentWrites, ValidationFailedException } from './http/problem-document.js';
import { corsOptions } from './http/destructive.js';
import { documentEntityTags, entityTag } from './http/entity-tag.js';
import { assignRequestId, type LoggingParams, requestLog } from './http/logging.js';
import { Operations } from './http/operations.js';
import { publicPath, refuseInvalidHost } from './http/origin.js';
import { receiveDeadline, refuseDeclaredOverLimit } from './http/receive-deadline.js';
import {
  answerOptions,
  answerUnparsableRequest,
  answerUnrouted,
  ProblemFilter,
  sendProblem,
  toFieldErrors,
} from './http/problems.js';
import { JSON_BODY, RequestChecksGuard } from './http/request-checks.guard.js';
import { recordRequestMetrics } from './metrics/metrics.service.js';
import { ValidationKeepingJson } from './http/validation.pipe.js';
import { importBodyParsers, IMPORT_PATH } from './words/word-import.body.js';
import { XAPI_PATH, xapiBodyParser } from './xapi/xapi.body.js';

/**
 * Nest's router without its not-found handler: a request no route takes goes on to `answerUnrouted` (mounted after
 * the routes), whose 404 or 405 the problem filter then never has to tell from a handler's 404 about a resource.
 */
class PortalExpressAdapter extends ExpressAdapter {
  private stopping = false;

  override setNotFoundHandler(): this {
    return this;
  }

  /**
   * Once the server stops, every response it still sends (a request in flight at SIGTERM, or one arriving on a
   * connection kept alive) says `Connection: close` and closes its connection after it: Node's server.close() leaves
   * such a connection open, answering further requests and saying keep-alive, so the process waited up to the
   * keep-alive timeout to exit. Checked as the response's head is written (on Express's prototype of every response),
   * the only moment it is known for them all.
   * Only a GET's answer keeps the ETag that Express gives every body: a write's answer is not always the resource as
   * GET answers it (a group's PATCH, the parts of a word as sent against those PostgreSQL stores), and its tag, sent
   * back in `If-Match`, would fail.
   */
  constructor(instance: express.Express) {
    super(instance);
    const stopping = () => this.stopping;
    const { writeHead } = instance.response;
    instance.response.writeHead = function (this: Response, ...head: unknown[]) {
      if (stopping()) {
        this.setHeader('Connection', 'close');
      }
      if (this.req.method !== 'GET' && this.req.method !== 'HEAD') {
        this.removeHeader('ETag');
      }
      return Reflect.apply(writeHead, this, head) as Response;
    } as Response['writeHead'];
  }

  override beforeClose(): void {
    this.stopping = true;
    super.beforeClose();
  }

  /**
   * Node's server, where a client that sends its headers slowly (or never finishes them) cannot hold a connection for
   * long; the body's deadline is each request's own (`receiveDeadline`), which Node's `requestTimeout`, one for every
   * request, is not. Its timeouts are checked every second: at Node's default, every 30 s, a client that stopped in
   * its headers kept its connection 27 s instead of 10. None of Nest's options for the server (https, connections
   * closed by force) is used by the portal.
   */
  override initHttpServer(): void {
    this.setHttpServer(
      http.createServer(
        { requestTimeout: 0, headersTimeout: 10_000, connectionsCheckingInterval: 1_000 },
        this.getInstance(),
      ),
    );
  }
}

/** Express as the portal needs it before its router exists: `/API/V1/FULL_RESET` is no route of the API. */
export function portalHttpAdapter(): ExpressAdapter {
  const instance = express();
  instance.set('case sensitive routing', true);
  instance.set('etag', entityTag);
  return new PortalExpressAdapter(instance);
}

/**
 * Everything the server and the tests share: the /api/v1 routes, validation, errors and the docs.
 * Initialises the application, so that requests no route answers get a problem document too.
 * `built` is the document the build wrote from this same code (dist/openapi.json); without it the document is
 * generated from the controllers, as the tests and the build do.
 */
export async function configureApp(app: NestExpressApplication, built?: OpenAPIObject): Promise<OpenAPIObject> {
  const config = app.get<ConfigService<Environment, true>>(ConfigService);
  app.disable('x-powered-by');
  app.use(assignRequestId);
  app.use(requestLog(app.get<LoggingParams>(PARAMS_PROVIDER_TOKEN)));
  // Counted and timed, as logged, before anything may answer: a static file, a CORS preflight, a body that does
  // not parse (their route is "unmatched").
  app.use(recordRequestMetrics);
  const importLimit = bytesOf(config.get('IMPORT_BODY_LIMIT', { infer: true }));
  app.use(
    receiveDeadline({
      [IMPORT_PATH]: importLimit,
      [ANKI_IMPORT_PATH]: bytesOf(config.get('ANKI_IMPORT_LIMIT', { infer: true })),
    }),
  );
  app.use(refuseInvalidHost);
  const underPath = publicPath(config);
  // Served over plain http on a school network, pages must not be told to fetch everything over https.
  const upgradeInsecureRequests = config.get('PUBLIC_URL', { infer: true })?.startsWith('https:') ? [] : null;
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests } } }));
  // The learning apps built into the portal (plain files: `apps/<app>/`), at /apps/. An app calls the api_base its
  // launch gives, which is the address the launch was asked at (or PUBLIC_URL), not always the one its launch_url
  // names (an app registered at http://127.0.0.1:3000/apps/… launched at localhost): connect-src 'self' alone kept
  // such a page from reaching the API at all. Everything else stays to the portal's own origin.
  app.use(
    '/apps/',
    helmet.contentSecurityPolicy({
      directives: { upgradeInsecureRequests, connectSrc: ["'self'", 'http:', 'https:'] },
    }),
  );
  const appsFolder = fileURLToPath(new URL('../apps/', import.meta.url));
  app.useStaticAssets(appsFolder, { prefix: '/apps/', redirect: false });
  app.use('/apps/', toAppFolders(appsFolder, underPath));
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'metrics', method: RequestMethod.GET },
      // xAPI has its own versioning (the X-Experience-API-Version header), at /xapi.
      { path: 'xapi/{*path}', method: RequestMethod.ALL },
    ],
  });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalPipes(
    new ValidationKeepingJson({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      // Nest drops the value of an error that has nested ones; toFieldErrors tells a field left out by its value.
      validationError: { value: true },
      exceptionFactory: (errors) => new ValidationFailedException(toFieldErrors(errors)),
    }),
  );
  const document = built ?? describeApi(app);
  // The document's server `/` is the host's root: behind a proxy serving the portal under a path (PUBLIC_URL's), the
  // docs page's requests missed the portal. The path alone, as `/` is: the page may be opened at another address.
  if (underPath) {
    document.servers = [{ url: underPath, description: 'This Lang Portal, under the path of PUBLIC_URL' }];
  }
  const operations = new Operations(document);
  app.use(answerOptions(operations));
  // Launched learning apps are web pages served from their own origins; what destroys data is not for them.
  app.enableCors(corsOptions(operations, config.get('CORS_ORIGINS', { infer: true }).split(',').filter(Boolean)));
  // Bodies are read after CORS: the problem document of one that does not parse (400, 413) carries its headers too,
  // for a learning app on another origin to read. A bulk import takes a whole vocabulary, as JSON or CSV: its own
  // parsers and limit, before the global one; an Anki package's limit is its file's (multer's), not its form's.
  const bodyLimit = bytesOf(config.get('BODY_LIMIT', { infer: true }));
  app.use(refuseDeclaredOverLimit(bodyLimit, { [IMPORT_PATH]: importLimit, [ANKI_IMPORT_PATH]: Infinity }));
  app.use(IMPORT_PATH, ...importBodyParsers(importLimit));
  // xAPI statements come as JSON or multipart/mixed (with attachments): read as bytes, parsed by the resource.
  app.use(XAPI_PATH, xapiBodyParser(bodyLimit));
  app.use(express.json({ ...JSON_BODY, limit: bodyLimit }));
  // Media files (audio of imported Anki notes), at /media/: words' parts.audio, which launched apps on other origins
  // play or fetch, so served after CORS and with a resource policy that lets other origins load them.
  app.useStaticAssets(
    mediaDirectory({
      MEDIA_PATH: config.get('MEDIA_PATH', { infer: true }),
      DATABASE_PATH: config.get('DATABASE_PATH', { infer: true }),
    }),
    {
      prefix: '/media/',
      dotfiles: 'deny',
      index: false,
      // A folder is no medium: a 404 problem document, not serve-static's redirect to it with a slash (an HTML page).
      redirect: false,
      setHeaders: (response) => response.setHeader('Cross-Origin-Resource-Policy', 'cross-origin'),
    },
  );
  // Each request works in its own fork of the EntityManager, mounted here once, before the routes, as the request log
  // and the metrics are above: Nest's consumer would mount a middleware on each of the 17 paths the global prefix, its
  // exclusions and their routes make, a router layer that every request is matched against. Mounted once, these took
  // Express's router from 182 layers to 105, and a request 0.03–0.05 ms less CPU (5–17%).
  const orm = app.get(MikroORM);
  app.use((_request: Request, _response: Response, next: NextFunction) => RequestContext.create(orm.em, next));
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalGuards(new RequestChecksGuard(operations, app.get(Reflector)));
  SwaggerModule.setup('api/docs', app, document);
  await app.init();
  // The portal's own address (the README's), opened in a browser, leads to the API's documentation, under a proxy's
  // path (PUBLIC_URL's) as Location headers are. After the routes: no request of the API passes here.
  app.use((request: Request, response: Response, next: NextFunction) =>
    request.path === '/' && (request.method === 'GET' || request.method === 'HEAD')
      ? response.redirect(302, `${underPath}/api/docs`)
      : next(),
  );
  // What no route takes, inside /api or out: Express's own 404 page and error handler would answer it.
  app.use(answerUnrouted(operations));
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => sendProblem(response, error));
  app.getHttpServer().on('clientError', answerUnparsableRequest);
  return document;
}

/**
 * An app's folder named without its slash (`/apps/flashcards?…`) leads to it, query kept, under a proxy's path
 * (PUBLIC_URL's) as the other Location headers are: serve-static's own redirect named the host's root, which missed it.
 * A 302, as `/`'s: the address follows PUBLIC_URL, which may change, where a browser keeps a 301 for good.
 */
function toAppFolders(folder: string, underPath: string) {
  const apps = new Set(
    readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name),
  );
  return (request: Request, response: Response, next: NextFunction) => {
    const name = request.path.slice(1);
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !apps.has(name)) {
      return next();
    }
    const query = request.originalUrl.indexOf('?');
    response.redirect(302, `${underPath}/apps/${name}/${query === -1 ? '' : request.originalUrl.slice(query)}`);
  };
}

/** The OpenAPI document of the routes as configured (prefix, versions), from the controllers and DTOs. */
function describeApi(app: NestExpressApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Lang Portal API')
      .setDescription(
        'Vocabulary inventory, learning record store and launchpad of a language school. ' +
          'Every error is an RFC 9457 problem document (application/problem+json). ' +
          'An xAPI Learning Record Store (xAPI 1.0.3 and 2.0.0: statements, the State, Activity Profile and Agent ' +
          'Profile documents, agents, activities, about) is served at /xapi, outside this document, once XAPI_KEY ' +
          'and XAPI_SECRET are set (HTTP Basic); a learning app registered with launch_method "xapi" is launched ' +
          'cmi5-style, with a credential of its own study session. See the README and docs/api.md §7.',
      )
      .setVersion('1')
      // Relative: the document is served by the portal it describes, wherever that runs.
      .addServer('/', 'This Lang Portal: the server that serves this document')
      .addTag('words', 'The vocabulary: Thai words with their English meaning and free-form parts.')
      .addTag('groups', 'Named groups of words, which study sessions practise.')
      .addTag('learning apps', 'The registered learning apps, and launching one on a group.')
      .addTag('study sessions', 'Study sessions and the answers given in them.')
      .addTag('reviews', 'The learning record: every answer given, in a study session or outside one.')
      .addTag('dashboard', 'Overall progress and statistics.')
      .addTag('settings', 'Resetting the study history or the whole portal.')
      .addTag('health', 'Liveness and readiness, for load balancers and supervisors.')
      .build(),
    { autoTagControllers: false },
  );
  // Bodies taken in several media types (the CSV import), each with its own schema.
  documentBodyContents(document);
  documentWrites(document);
  documentEntityTags(document);
  return document;
}

import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { NextFunction, Request, Response } from 'express';

/**
 * Holds every answer of the test app to the OpenAPI document: each response of a documented route must have a
 * documented status, a documented media type and a body its schema accepts. What breaks the document is collected
 * (a middleware cannot fail a test) and asserted empty when the app closes (test/app.ts).
 */
export class ContractCheck {
  readonly violations: string[] = [];
  // OpenAPI 3.0 schemas: `nullable` is a keyword Ajv knows; `example` and the like are not JSON Schema's.
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<object, ValidateFunction>();
  private document?: OpenAPIObject;

  constructor() {
    addFormats.default(this.ajv);
  }

  /** The document to hold the answers to, once the app has made it (routes answered before are not checked). */
  describe(document: OpenAPIObject): void {
    this.document = document;
    this.ajv.addSchema({ components: document.components }, 'openapi');
  }

  /** Mounted before the routes: records each response's body and checks it once it is sent. */
  install(app: NestExpressApplication): void {
    app.use((request: Request, response: Response, next: NextFunction) => {
      const chunks: Buffer[] = [];
      const write = response.write as (...args: unknown[]) => boolean;
      const end = response.end as (...args: unknown[]) => Response;
      response.write = function (this: Response, ...args: unknown[]) {
        collect(chunks, args[0]);
        return write.apply(this, args);
      } as Response['write'];
      response.end = function (this: Response, ...args: unknown[]) {
        collect(chunks, args[0]);
        return end.apply(this, args);
      } as Response['end'];
      response.once('finish', () => {
        try {
          this.check(request, response, Buffer.concat(chunks));
        } catch (error) {
          // A body of a JSON type that does not parse, say: a failure of its own, which the test file reports.
          this.violations.push(`${request.method} ${request.originalUrl} → ${response.statusCode}: ${String(error)}`);
        }
      });
      next();
    });
  }

  private check(request: Request, response: Response, body: Buffer): void {
    const operation = this.operationOf(request);
    // Outside the document (xAPI, /metrics, static files), or a 304 to a conditional GET (docs/api.md §1), bodiless.
    if (!operation || response.statusCode === 304) {
      return;
    }
    const where = `${request.method} ${request.originalUrl} → ${response.statusCode}`;
    const type = String(response.getHeader('content-type') ?? '').split(';')[0];
    const documented = operation.responses[response.statusCode];
    if (!documented) {
      // Any operation may fail unexpectedly; and one that takes no body answers a body with 413 or 415, which
      // docs/api.md gives every endpoint alike. Problem documents all the same.
      if (answersEveryOperation(operation, response.statusCode) && type === 'application/problem+json') {
        this.validate(where, PROBLEM, body);
      } else {
        this.violations.push(`${where}: status not documented`);
      }
      return;
    }
    if (body.length === 0 || request.method === 'HEAD') {
      return;
    }
    const media = ('content' in documented ? documented.content : undefined)?.[type];
    if (!media) {
      this.violations.push(`${where}: ${type || 'a body without a type'} not documented`);
    } else if (media.schema && type.endsWith('json')) {
      this.validate(where, media.schema, body);
    }
  }

  /**
   * The document's operation for the request's path (which routing takes with a trailing slash too) and method. As
   * OpenAPI matches paths: one without parameters before a template, a template with fewer before one with more.
   */
  private operationOf(request: Request): OperationObject | undefined {
    const path = request.path.length > 1 ? request.path.replace(/\/$/, '') : request.path;
    const [, item] =
      Object.entries(this.document?.paths ?? {})
        .filter(([template]) => templateOf(template).test(path))
        .sort(([one], [other]) => parametersIn(one) - parametersIn(other))[0] ?? [];
    return item?.[request.method === 'HEAD' ? 'get' : (request.method.toLowerCase() as 'get')];
  }

  private validate(where: string, schema: object, body: Buffer): void {
    const validate = this.validatorOf(schema);
    if (!validate(JSON.parse(body.toString('utf8')))) {
      this.violations.push(`${where}: ${this.ajv.errorsText(validate.errors)}`);
    }
  }

  private validatorOf(schema: object): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      // `$ref`s name '#/components/...' of the document, registered as the schema 'openapi'.
      const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
      validate = this.ajv.compile(rebased);
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

function collect(chunks: Buffer[], chunk: unknown): void {
  if (typeof chunk === 'string') {
    chunks.push(Buffer.from(chunk));
  } else if (chunk instanceof Uint8Array) {
    chunks.push(Buffer.from(chunk));
  }
}

/** The schema of every error's body, one object: validators are kept by their schema's identity. */
const PROBLEM = { $ref: '#/components/schemas/ProblemDto' };

const parametersIn = (template: string) => template.split('{').length - 1;

function answersEveryOperation(operation: OperationObject, status: number): boolean {
  return status === 500 || (!operation.requestBody && (status === 413 || status === 415));
}

const templates = new Map<string, RegExp>();

/** `/api/v1/words/{id}` as a pattern of the paths it names. */
function templateOf(template: string): RegExp {
  let pattern = templates.get(template);
  if (!pattern) {
    pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);
    templates.set(template, pattern);
  }
  return pattern;
}

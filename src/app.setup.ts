import { type ArgumentMetadata, NotFoundException, ValidationPipe, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import {
  answerUnparsableRequest,
  ProblemFilter,
  sendProblem,
  toFieldErrors,
  ValidationFailedException,
} from './core/errors.js';
import { RequestChecksGuard } from './core/request-checks.js';

/**
 * Validation that keeps nested JSON (parts, id lists) exactly as sent: every DTO is flat, and
 * ValidationPipe and class-transformer would rebuild nested objects, dropping keys such as "constructor".
 */
class ValidationKeepingJson extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const sent: unknown = metadata.type === 'body' ? structuredClone(value) : undefined;
    const dto: unknown = await super.transform(value, metadata);
    if (dto && typeof dto === 'object' && sent && typeof sent === 'object') {
      for (const [field, raw] of Object.entries(sent)) {
        if (raw !== null && typeof raw === 'object') {
          (dto as Record<string, unknown>)[field] = raw;
        }
      }
    }
    return dto;
  }
}

/**
 * Everything the server and the tests share: the /api/v1 routes, validation, errors and the docs.
 * Initialises the application, so that requests no route answers get a problem document too.
 */
export async function configureApp(app: NestExpressApplication): Promise<OpenAPIObject> {
  app.disable('x-powered-by');
  // Launched learning apps are web pages served from their own origins.
  app.enableCors({ exposedHeaders: ['Location'] });
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(
    new ValidationKeepingJson({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      exceptionFactory: (errors) => new ValidationFailedException(toFieldErrors(errors)),
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Lang Portal API')
      .setDescription(
        'Vocabulary inventory, learning record store and launchpad of a language school. ' +
          'Every error is an RFC 9457 problem document (application/problem+json).',
      )
      .setVersion('1')
      .build(),
    { autoTagControllers: false },
  );
  app.useGlobalGuards(new RequestChecksGuard(document));
  SwaggerModule.setup('api/docs', app, document);
  await app.init();
  // Outside /api Nest routes nothing: Express's own 404 page and error handler would answer there.
  app.use((request: Request, response: Response) =>
    sendProblem(response, new NotFoundException(`Cannot ${request.method} ${request.path}`)),
  );
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => sendProblem(response, error));
  app.getHttpServer().on('clientError', answerUnparsableRequest);
  return document;
}

import { type ArgumentMetadata, NotFoundException, ValidationPipe, VersioningType } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { ProblemFilter, sendProblem, toFieldErrors, ValidationFailedException } from './core/errors.js';
import { RequestBodyGuard } from './core/http.js';

/** Validates bodies and queries; path ids are left as written for `ParseIdPipe` to judge (`1e3` is no id). */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // class-transformer skips fields named like Object.prototype members, so the whitelist never sees them.
    const inherited =
      value && typeof value === 'object' ? Object.keys(value).filter((key) => key in Object.prototype) : [];
    if (inherited.length > 0) {
      throw new ValidationFailedException(inherited.map((field) => ({ field, message: 'is not a known field' })));
    }
    return super.transform(value, metadata);
  }

  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/**
 * Everything the server and the tests share: the /api/v1 routes, validation, errors and the docs.
 * Initialises the application, so that requests no route answers get a problem document too.
 */
export async function configureApp(app: NestExpressApplication): Promise<OpenAPIObject> {
  app.disable('x-powered-by');
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalGuards(new RequestBodyGuard(app.get(Reflector)));
  app.useGlobalPipes(
    new RequestValidationPipe({
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
  );
  SwaggerModule.setup('api/docs', app, document);
  await app.init();
  // Outside /api Nest routes nothing: Express's own 404 page and error handler would answer there.
  app.use((request: Request, response: Response) =>
    sendProblem(response, new NotFoundException(`Cannot ${request.method} ${request.path}`)),
  );
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => sendProblem(response, error));
  return document;
}

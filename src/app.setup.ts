import { ValidationPipe, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemFilter, toFieldErrors, ValidationFailedException } from './core/errors.js';
import { JsonBodyGuard } from './core/http.js';

/** Everything the server and the tests share: the /api/v1 routes, validation, errors and the docs. */
export function configureApp(app: NestExpressApplication): OpenAPIObject {
  app.disable('x-powered-by');
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalGuards(new JsonBodyGuard());
  app.useGlobalPipes(
    new ValidationPipe({
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
  return document;
}

import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtension,
  ApiExtraModels,
  type ContentObject,
  type OpenAPIObject,
} from '@nestjs/swagger';

const BODY_CONTENT = 'x-body-content';

/**
 * Documents a request body taken in several media types (JSON or CSV), each with its own schema and
 * example. `@ApiBody` would give every media type of `@ApiConsumes` the same schema: this one is put in
 * place by `documentBodyContents` once the document is built. The request checks accept exactly the
 * media types named here.
 */
export const ApiBodyContent = (description: string, content: ContentObject, models: Type<unknown>[] = []) =>
  applyDecorators(
    ApiExtraModels(...models),
    ApiConsumes(...Object.keys(content)),
    ApiBody({ description, required: true, schema: {} }),
    ApiExtension(BODY_CONTENT, content),
  );

/** Puts the content that `@ApiBodyContent` declared in place of the one Nest generated. */
export function documentBodyContents(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Record<string, unknown>[]) {
      const content = operation?.[BODY_CONTENT] as ContentObject | undefined;
      const requestBody = operation?.requestBody as { content?: ContentObject } | undefined;
      if (content && requestBody) {
        requestBody.content = content;
        delete operation[BODY_CONTENT];
      }
    }
  }
  return document;
}

import type { OpenAPIObject } from '@nestjs/swagger';

type PathItemObject = OpenAPIObject['paths'][string];
export type OperationObject = NonNullable<PathItemObject['get']>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The API's operations, as the OpenAPI document declares them, found by a request's method and path:
 * the one description of what each endpoint takes, used by the request checks, CORS and 405.
 */
export class Operations {
  private readonly paths: [RegExp, PathItemObject][];

  constructor(document: OpenAPIObject) {
    const parameters = (template: string) => template.split('{').length;
    this.paths = Object.entries(document.paths)
      // A literal segment wins over a parameter: /words/export is not /words/{id}.
      .sort(([a], [b]) => parameters(a) - parameters(b))
      .map(([template, item]) => [new RegExp(`^${template.replace(/\{[^/}]+\}/g, '[^/]+')}/?$`), item]);
  }

  /** The path item a concrete path (`/api/v1/words/7`) belongs to, if any. */
  private itemOf(path: string): PathItemObject | undefined {
    return this.paths.find(([pattern]) => pattern.test(path))?.[1];
  }

  /** The operation a request with this method reaches on this path. */
  find(method: string, path: string): OperationObject | undefined {
    return this.itemOf(path)?.[method.toLowerCase() as (typeof METHODS)[number]] as OperationObject | undefined;
  }

  /**
   * The methods a path answers, for `Allow` (none: no path of the API): its operations', HEAD wherever there is a GET
   * (Express answers it), and OPTIONS (`answerOptions`).
   */
  methodsOf(path: string): string[] {
    const item = this.itemOf(path);
    if (!item) {
      return [];
    }
    const methods = METHODS.filter((method) => method in item).map((method) => method.toUpperCase());
    return [...methods.flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method])), 'OPTIONS'];
  }
}

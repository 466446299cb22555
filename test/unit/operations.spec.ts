import type { OpenAPIObject } from '@nestjs/swagger';
import { Operations } from '../../src/http/operations.js';

/** The API's operations found by a request's method and path, whatever order the document declares them in. */

const operation = (operationId: string) => ({ operationId, responses: {} });

// A parameter's path declared before the literal path it would also match, as a controller's routes can come.
const operations = new Operations({
  openapi: '3.0.0',
  info: { title: 'Lang Portal', version: '1' },
  paths: {
    '/api/v1/words/{id}': { get: operation('getWord'), delete: operation('deleteWord') },
    '/api/v1/words/export': { get: operation('exportWords') },
    '/api/v1/groups/{id}/words/{word_id}': { delete: operation('removeWord') },
    '/api/v1/groups/{id}/words/raw': { get: operation('rawWords') },
  },
} as OpenAPIObject);

it.each([
  ['GET', '/api/v1/words/export', 'exportWords'],
  ['GET', '/api/v1/words/7', 'getWord'],
  ['delete', '/api/v1/words/7/', 'deleteWord'],
  ['GET', '/api/v1/groups/3/words/raw', 'rawWords'],
  ['DELETE', '/api/v1/groups/3/words/9', 'removeWord'],
])('%s %s is %s: a literal segment wins over a parameter', (method, path, operationId) => {
  expect(operations.find(method, path)?.operationId).toBe(operationId);
});

it.each([
  ['PATCH', '/api/v1/words/7'],
  ['GET', '/api/v1/words/7/groups'],
  ['GET', '/api/v1/words/'],
  ['GET', '/v2/api/v1/words/7'],
])('%s %s is no operation', (method, path) => {
  expect(operations.find(method, path)).toBeUndefined();
});

it('names the methods a path answers, for Allow: those of its own path, not those of a parameter’s', () => {
  expect(operations.methodsOf('/api/v1/words/export')).toEqual(['GET', 'HEAD', 'OPTIONS']);
  expect(operations.methodsOf('/api/v1/words/7')).toEqual(['GET', 'HEAD', 'DELETE', 'OPTIONS']);
  expect(operations.methodsOf('/api/v1/groups/3/words/raw')).toEqual(['GET', 'HEAD', 'OPTIONS']);
  expect(operations.methodsOf('/api/v1/nothing')).toEqual([]);
});

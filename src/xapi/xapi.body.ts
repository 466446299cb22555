import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** The media type of a Content-Type header, lower-cased, without its parameters. */
export const mediaTypeOf = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0].trim().toLowerCase();

/** Where the xAPI resources are: outside /api/v1, with their own body parsing. */
export const XAPI_PATH = '/xapi';

/**
 * The body parser of /xapi, registered before the global JSON one (which then finds the body read): every
 * body as bytes, since statements come as JSON or as multipart/mixed with their attachments, which the
 * Statements resource reads itself. Then xAPI 1.0's Alternate Request Syntax (see `alternateRequest`).
 */
export function xapiBodyParser(limit: number): RequestHandler {
  const raw = express.raw({ limit, type: () => true });
  return (request, response, next) =>
    raw(request, response, (error?: unknown) => (error ? next(error) : alternateRequest(request, response, next)));
}

// The form fields the Alternate Request Syntax carries as headers.
const HEADER_FIELDS = [
  'authorization',
  'x-experience-api-version',
  'content-type',
  'content-length',
  'if-match',
  'if-none-match',
];

/**
 * xAPI 1.0.3's Alternate Request Syntax (Communication 1.3): `POST <resource>?method=GET|PUT|POST|DELETE|HEAD`
 * with a form body whose fields are the request's headers, its parameters and its `content`. The request
 * is rewritten into the one it stands for before routing, so the resources and XapiGuard see an ordinary
 * request. Only for 1.0.x (2.0 dropped it): anything else goes on unchanged, and the resources refuse the
 * unknown `method` parameter (400), as they do when the query has any parameter besides `method`.
 */
function alternateRequest(request: Request, response: Response, next: NextFunction): void {
  const url = new URL(request.url, 'http://xapi.invalid');
  const method = url.searchParams.get('method');
  const mediaType = mediaTypeOf(request.headers['content-type']);
  if (
    request.method !== 'POST' ||
    method === null ||
    [...url.searchParams.keys()].length !== 1 ||
    !['GET', 'PUT', 'POST', 'DELETE', 'HEAD'].includes(method.toUpperCase()) ||
    mediaType !== 'application/x-www-form-urlencoded' ||
    !Buffer.isBuffer(request.body)
  ) {
    next();
    return;
  }
  const form = new URLSearchParams(request.body.toString('utf8'));
  const headers = new Map<string, string>();
  const parameters = new URLSearchParams();
  let content: string | undefined;
  for (const [name, value] of form) {
    // Trimmed as Node trims a header's value.
    if (HEADER_FIELDS.includes(name.toLowerCase())) headers.set(name.toLowerCase(), value.trim());
    else if (name === 'content') content = value;
    else parameters.append(name, value);
  }
  const version = headers.get('x-experience-api-version') ?? request.get('x-experience-api-version') ?? '';
  if (!/^1\.0(\.\d+)?$/.test(version)) {
    next();
    return;
  }
  for (const [name, value] of headers) request.headers[name] = value;
  const body = Buffer.from(content ?? '', 'utf8');
  request.body = body;
  request.headers['content-length'] = String(body.length);
  if (content === undefined) delete request.headers['content-type'];
  else if (!headers.has('content-type')) request.headers['content-type'] = 'application/json';
  request.method = method.toUpperCase();
  if (request.method === 'HEAD') {
    // Node answers the POST it read with a body: the HEAD's answer has none, so its length must say 0 (Express gives
    // the length of the body a GET would have), or the client waits for bytes that never come.
    const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => Response;
    response.writeHead = ((...args: unknown[]) => {
      response.setHeader('Content-Length', '0');
      return writeHead(...args);
    }) as Response['writeHead'];
  }
  const query = parameters.toString();
  request.url = `${url.pathname}${query ? `?${query}` : ''}`;
  next();
}

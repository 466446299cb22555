import { PayloadTooLargeException, RequestTimeoutException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from './problems.js';

/** The time any request has to arrive whole once its headers are in: a client that sends it too slowly is dropped. */
export const RECEIVE_MS = 30_000;

/**
 * The slowest an upload (an import's body, an Anki package) may arrive, in bytes a second, past RECEIVE_MS: 1 Mbit/s.
 * 30 s alone took 200 MB only at 53 Mbit/s or more (a 100 MB deck over school wifi was a 408).
 */
export const UPLOAD_BYTES_PER_SECOND = 128 * 1024;

/** The body limit of a path that has its own in `limits`, as Express routes it: one trailing slash is the same path. */
function ownLimit(limits: Record<string, number>, path: string): number | undefined {
  return limits[path.endsWith('/') ? path.slice(0, -1) : path];
}

/**
 * Answers 413 at once a request that declares a body over its limit (`limits` of the paths that have their own, else
 * `limit`): the body parsers know it as early, yet read the whole body first, so that a client learnt of it only once
 * it had sent it all, or got a 408 if it sent it slowly. Node reads and drops the rest, as long as the deadline lets
 * it. A compressed body's declared length is not its size: its parser bounds it as it inflates.
 */
export function refuseDeclaredOverLimit(limit: number, limits: Record<string, number>) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const bound = ownLimit(limits, request.path) ?? limit;
    // As body-parser reads it: an empty Content-Encoding is none.
    const identity = (request.headers['content-encoding'] || 'identity').toLowerCase() === 'identity';
    next(
      identity && Number(request.headers['content-length']) > bound
        ? new PayloadTooLargeException(`The request body is larger than the limit of ${bound} bytes`)
        : undefined,
    );
  };
}

/**
 * Answers 408, and closes the connection, when a request's body has not arrived whole by its deadline: `receiveMs`
 * after its headers and, on a path of `uploads` (its limit in bytes), the time its length (declared, at most the
 * limit) takes at UPLOAD_BYTES_PER_SECOND on top. Node's own `requestTimeout` is one deadline for every request; this
 * one is each request's, so that a large upload over a slow link is taken while a client that trickles a small body
 * still cannot hold its connection for long. Once the body is in, the answer may take as long as it takes.
 */
export function receiveDeadline(uploads: Record<string, number>, receiveMs = RECEIVE_MS) {
  return (request: Request, response: Response, next: NextFunction): void => {
    // A request that is in whole already (every one without a body) needs no timer.
    if (request.complete) {
      next();
      return;
    }
    const limit = ownLimit(uploads, request.path);
    const declared = Number(request.headers['content-length'] ?? limit);
    const ms = receiveMs + (limit === undefined ? 0 : (Math.min(declared, limit) / UPLOAD_BYTES_PER_SECOND) * 1000);
    const deadline = setTimeout(() => {
      if (request.complete) {
        return;
      }
      // Answered before its body came (a 415, a 404): the rest of it is not waited for.
      if (response.headersSent) {
        request.socket.destroy();
        return;
      }
      response.setHeader('Connection', 'close');
      sendProblem(
        response,
        new RequestTimeoutException(`The request did not arrive whole within ${Math.ceil(ms / 1000)} s`),
      );
    }, ms);
    // Answered, a request still arriving keeps its deadline: Node goes on reading (and dropping) the rest of its body.
    response.once('close', () => {
      if (request.complete) {
        clearTimeout(deadline);
      }
    });
    next();
  };
}

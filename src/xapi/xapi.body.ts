import express, { type RequestHandler } from 'express';

/** Where the xAPI resources are: outside /api/v1, with their own body parsing. */
export const XAPI_PATH = '/xapi';

/**
 * The body parser of /xapi, registered before the global JSON one (which then finds the body read): every
 * body as bytes, since statements come as JSON or as multipart/mixed with their attachments, which the
 * Statements resource reads itself.
 */
export function xapiBodyParser(limit: string): RequestHandler {
  return express.raw({ limit, type: () => true });
}

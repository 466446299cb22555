import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { BadRequestException } from '@nestjs/common';
import { isInUtf8, JSON_BODY } from '../http/request-checks.guard.js';

/** The one route whose body may be a whole vocabulary, in JSON or CSV. */
export const IMPORT_PATH = '/api/v1/words/import';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A CSV body read as bytes becomes its text; bytes that are no UTF-8 are a 400 (a BOM is dropped). */
function decodeCsv(request: Request, _response: Response, next: NextFunction): void {
  if (Buffer.isBuffer(request.body)) {
    try {
      request.body = strictUtf8.decode(request.body);
    } catch {
      next(new BadRequestException('The CSV file is not UTF-8: save it as "CSV UTF-8"'));
      return;
    }
  }
  next();
}

/**
 * The body parsers of `POST /words/import`, registered before the global JSON parser (which then finds the
 * body read): JSON, and CSV as text, both up to `limit` bytes (IMPORT_BODY_LIMIT) rather than BODY_LIMIT.
 */
export function importBodyParsers(limit: number): RequestHandler[] {
  return [
    express.json({ ...JSON_BODY, limit }),
    express.raw({ limit, type: (request) => isInUtf8(request, ['text/csv']) }),
    decodeCsv,
  ];
}

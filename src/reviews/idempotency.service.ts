import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/sqlite';
import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { ValidationFailedException } from '../core/errors.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

const KEY = /^[\x20-\x7e]{1,255}$/;
const KEEP_MS = 24 * 60 * 60 * 1000;
const ABANDONED_MS = 10 * 60 * 1000;

/**
 * `Idempotency-Key` for the endpoints that record answers (IETF draft): the key is claimed in its own
 * transaction, so a concurrent retry sees it as still running (409), and the response is stored in the
 * same transaction as the write, so a stored response always means the answer was recorded.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly em: EntityManager) {}

  async run<T extends object>(
    endpoint: string,
    key: string | undefined,
    request: object,
    write: (em: EntityManager) => Promise<T>,
  ): Promise<T> {
    if (key === undefined) {
      return this.em.transactional(write);
    }
    if (!KEY.test(key)) {
      throw new ValidationFailedException([
        { field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' },
      ]);
    }
    const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const stored = await this.claim(endpoint, key, fingerprint);
    if (stored) {
      return stored as T;
    }
    try {
      return await this.em.transactional(async (em) => {
        const response = await write(em);
        if ((await em.nativeUpdate(IdempotencyKey, { endpoint, key }, { response })) === 0) {
          // A full reset removed the claim meanwhile: record nothing that a retry could not see.
          throw new ConflictException('The portal was reset while this request ran; send it again');
        }
        return response;
      });
    } catch (error) {
      // Nothing was recorded: release the key so that a retry can succeed.
      await this.em.nativeDelete(IdempotencyKey, { endpoint, key });
      throw error;
    }
  }

  /** Claims the key for this request, or returns the response stored for it. */
  private claim(endpoint: string, key: string, fingerprint: string): Promise<object | undefined> {
    return this.em.transactional(async (em) => {
      await em.nativeDelete(IdempotencyKey, { createdAt: { $lt: new Date(Date.now() - KEEP_MS) } });
      const existing = await em.findOne(IdempotencyKey, { endpoint, key });
      if (!existing) {
        em.create(IdempotencyKey, { endpoint, key, fingerprint, createdAt: new Date() });
        return undefined;
      }
      if (existing.fingerprint !== fingerprint) {
        throw new UnprocessableEntityException('This Idempotency-Key was already used for a different request');
      }
      if (existing.response === null) {
        // No request runs for ten minutes: the key was left by a server that stopped mid-request, and as
        // the answer commits together with its response, nothing was recorded under it.
        if (existing.createdAt.getTime() > Date.now() - ABANDONED_MS) {
          throw new ConflictException('A request with this Idempotency-Key is still being processed');
        }
        existing.createdAt = new Date();
        return undefined;
      }
      return existing.response;
    });
  }
}

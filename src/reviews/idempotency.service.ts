import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/sql';
import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { ValidationFailedException } from '../http/problem-document.js';
import { IdempotencyKey } from './idempotency-key.entity.js';
import { IDEMPOTENCY_KEY } from './idempotency-key.header.js';

const KEY = new RegExp(IDEMPOTENCY_KEY.pattern);
const KEEP_MS = 24 * 60 * 60 * 1000;
const ABANDONED_MS = 10 * 60 * 1000;
const STILL_RUNNING = 'A request with this Idempotency-Key is still being processed';
const USED_FOR_ANOTHER_REQUEST = 'This Idempotency-Key was already used for a different request';
const STARTED = Math.round(performance.timeOrigin);

/**
 * Where a pid names this very process: this boot of this kernel and its pid namespace (each container has
 * its own). A host name alone does not say it: containers sharing the host's name, or machines given one.
 */
function pidSpace(): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}:${readlinkSync('/proc/self/ns/pid').replace(/\D/g, '')}`;
  } catch {
    // Not Linux: the host name has to do.
    return '';
  }
}
const PID_SPACE = pidSpace();

// Who claims a key: this machine, this process, when it started (a restarted container reuses its pid), and
// where its pid means it.
const SERVER = `${hostname()}/${process.pid}/${STARTED}/${PID_SPACE}`;

/**
 * Whether the server that made a claim has stopped; only a server whose pid means the same process here can
 * be told stopped. (A claim without a pid space was made before claims named one: its host name has to do.)
 */
function hasStopped(claimedBy: string | null): boolean {
  if (claimedBy === null) {
    return true;
  }
  const [host, pid, started, space] = claimedBy.split('/');
  if (host !== hostname() || (space !== undefined && space !== PID_SPACE)) {
    return false;
  }
  if (Number(pid) === process.pid) {
    return started !== String(STARTED);
  }
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * What a committed claim of the key means for a request with this fingerprint: its stored response, or (undefined)
 * that it was abandoned. No request runs for ten minutes: the key was left by a server that stopped mid-request,
 * and as the answer commits together with its response, nothing was recorded under it.
 */
function answerOfClaim(claim: IdempotencyKey, fingerprint: string): { stored: object } | undefined {
  if (claim.fingerprint !== fingerprint) {
    throw new UnprocessableEntityException(USED_FOR_ANOTHER_REQUEST);
  }
  if (claim.response !== null) {
    return { stored: claim.response as object };
  }
  if (claim.createdAt.getTime() > Date.now() - ABANDONED_MS) {
    throw new ConflictException(STILL_RUNNING);
  }
  return undefined;
}

/**
 * `Idempotency-Key` for the endpoints that record answers (IETF draft): the key is claimed in its own
 * transaction, so a concurrent retry sees it as still running (409), and the response is stored in the
 * same transaction as the write, so a stored response always means the answer was recorded.
 */
@Injectable()
export class IdempotencyService {
  /**
   * The keys (with their requests' fingerprints) this process is running. On SQLite every statement of a retry
   * would queue behind the running request's transaction (one connection) and then find its response: this tells it
   * at once that the request is still running, as the claim row tells another process, or any on PostgreSQL.
   */
  private readonly running = new Map<string, string>();

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
    const runningKey = `${endpoint} ${key}`;
    const running = this.running.get(runningKey);
    if (running !== undefined) {
      throw running === fingerprint
        ? new ConflictException(STILL_RUNNING)
        : new UnprocessableEntityException(USED_FOR_ANOTHER_REQUEST);
    }
    this.running.set(runningKey, fingerprint);
    try {
      return await this.claimed(endpoint, key, fingerprint, write);
    } finally {
      this.running.delete(runningKey);
    }
  }

  /** Claims the key and runs `write` under it, or answers with the response stored for it. */
  private async claimed<T extends object>(
    endpoint: string,
    key: string,
    fingerprint: string,
    write: (em: EntityManager) => Promise<T>,
  ): Promise<T> {
    const claim =
      (await this.committedAnswer(endpoint, key, fingerprint)) ?? (await this.claim(endpoint, key, fingerprint));
    if ('stored' in claim) {
      return claim.stored as T;
    }
    // The claim row itself, not any row of the key: after a full reset another request may claim the key anew. Nor
    // only its id, which the reset restarts: a request claiming after it takes the same id for another key.
    const ours = { id: claim.id, endpoint, key, fingerprint, response: null };
    try {
      return await this.em.transactional(async (em) => {
        const response = await write(em);
        if ((await em.nativeUpdate(IdempotencyKey, ours, { response })) === 0) {
          // A full reset removed the claim meanwhile: record nothing that a retry could not see.
          throw new ConflictException('The portal was reset while this request ran; send it again');
        }
        return response;
      });
    } catch (error) {
      // Nothing was recorded: release the key so that a retry can succeed.
      await this.em.nativeDelete(IdempotencyKey, ours);
      throw error;
    }
  }

  /**
   * The answer the key's committed claim gives, read without taking the write lock. Another process on one SQLite
   * file (a cluster's worker) holds that lock while it runs the first request: a claim would wait for its commit
   * and replay its response, where a retry sent meanwhile is a 409. Undefined when the key is free or abandoned.
   */
  private async committedAnswer(endpoint: string, key: string, fingerprint: string) {
    const claim = await this.em
      .fork()
      .findOne(IdempotencyKey, { endpoint, key, createdAt: { $gte: new Date(Date.now() - KEEP_MS) } });
    return claim ? answerOfClaim(claim, fingerprint) : undefined;
  }

  /** Claims the key for this request, or returns the response stored for it. */
  private claim(endpoint: string, key: string, fingerprint: string): Promise<{ id: number } | { stored: object }> {
    return this.em.transactional(async (em) => {
      await em.nativeDelete(IdempotencyKey, { createdAt: { $lt: new Date(Date.now() - KEEP_MS) } });
      const existing = await em.findOne(IdempotencyKey, { endpoint, key });
      if (!existing) {
        const claimed = em.create(IdempotencyKey, {
          endpoint,
          key,
          fingerprint,
          claimedBy: SERVER,
          createdAt: new Date(),
        });
        try {
          await em.flush();
        } catch (error) {
          // PostgreSQL runs concurrent claims side by side (SQLite's begin immediate queues them): the unique
          // key lets one of them in, and the others find it running.
          if (error instanceof UniqueConstraintViolationException) {
            throw new ConflictException(STILL_RUNNING);
          }
          throw error;
        }
        return { id: claimed.id };
      }
      const answer = answerOfClaim(existing, fingerprint);
      if (answer) {
        return answer;
      }
      // Taken over only if it is still abandoned: a concurrent request that took it over first renewed it.
      const taken = await em.nativeUpdate(
        IdempotencyKey,
        { id: existing.id, response: null, createdAt: { $lte: new Date(Date.now() - ABANDONED_MS) } },
        { createdAt: new Date(), claimedBy: SERVER },
      );
      if (taken === 0) {
        throw new ConflictException(STILL_RUNNING);
      }
      return { id: existing.id };
    });
  }

  /**
   * Frees the keys claimed by servers of this machine and pid namespace that stopped mid-request (killed,
   * crashed): as an answer commits together with its response, nothing was recorded under them, and a retry
   * may run. Servers elsewhere (other machines on one PostgreSQL database) free their own when they restart.
   */
  async releaseClaimsOfStoppedServers(): Promise<number> {
    const claims = await this.em.fork().find(IdempotencyKey, { response: null }, { fields: ['claimedBy'] });
    const stopped = [...new Set(claims.map((claim) => claim.claimedBy ?? null))].filter(hasStopped);
    if (stopped.length === 0) {
      return 0;
    }
    const servers = stopped.filter((server) => server !== null);
    return this.em.fork().nativeDelete(IdempotencyKey, {
      response: null,
      $or: [{ claimedBy: { $in: servers } }, ...(stopped.includes(null) ? [{ claimedBy: null }] : [])],
    });
  }
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  EntityManager,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/sql';
import { Injectable } from '@nestjs/common';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import { sha256 } from '../core/secrets.js';
import { XapiLaunchToken } from './document.entity.js';
import { isUuid } from './statement-validator.js';

/** What cmi5's fetch URL answers: the credential, or one of cmi5's errors (with the HTTP status it goes with). */
export type Fetched =
  | { status: 200; body: { 'auth-token': string } }
  | { status: 404 | 409; body: { 'error-code': string; 'error-text': string } };

const NOT_LAUNCHED: Fetched = {
  status: 404,
  body: { 'error-code': '3', 'error-text': 'No study session was launched with this URL' },
};

const ALREADY_IN_USE: Fetched = {
  status: 409,
  body: { 'error-code': '1', 'error-text': 'Already in use: this fetch URL gave its credential once' },
};

/**
 * The credentials of launched xAPI apps (cmi5-style): each study session an xAPI launch created may fetch
 * one, once, through its fetch URL; it is HTTP Basic with the session's registration as the user name and
 * a random token as the password, and reaches the LRS for that session only (see XapiGuard).
 */
@Injectable()
export class LaunchService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: StudySessionsService,
  ) {}

  /** `POST /xapi/fetch/:registration`: the session's credential the first time, cmi5's error after. */
  async fetch(registration: string): Promise<Fetched> {
    // A launch's registration is a UUID: anything else was never launched (nor looked up).
    if (!isUuid(registration)) return NOT_LAUNCHED;
    try {
      return await this.issue(registration);
    } catch (error) {
      // Two fetches at once: the unique registration lets one through.
      if (error instanceof UniqueConstraintViolationException) return ALREADY_IN_USE;
      // Its session deleted (a reset, a forced delete of its group) after it was found: as if never launched.
      if (error instanceof ForeignKeyConstraintViolationException) return NOT_LAUNCHED;
      throw error;
    }
  }

  private issue(registration: string): Promise<Fetched> {
    return this.em.transactional(async (em) => {
      const launched = await this.sessions.launchedSession(registration);
      if (!launched) return NOT_LAUNCHED;
      if ((await em.count(XapiLaunchToken, { registration: registration.toLowerCase() })) > 0) {
        return ALREADY_IN_USE;
      }
      const token = randomBytes(24).toString('base64url');
      em.create(XapiLaunchToken, {
        session: launched.session.id,
        registration: registration.toLowerCase(),
        tokenHash: sha256(token).toString('hex'),
      });
      await em.flush();
      return {
        status: 200,
        body: { 'auth-token': Buffer.from(`${registration.toLowerCase()}:${token}`).toString('base64') },
      };
    });
  }

  /** Whether this is the credential the session of this registration fetched (compared in constant time). */
  async verify(registration: string, token: string): Promise<boolean> {
    const row = await this.em.findOne(XapiLaunchToken, { registration: registration.toLowerCase() });
    const expected = row ? Buffer.from(row.tokenHash, 'hex') : sha256('no credential');
    return timingSafeEqual(sha256(token), expected) && row !== null;
  }
}

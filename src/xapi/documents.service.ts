import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/sql';
import { lockTable } from '../database/dialect.js';
import { BadRequestException, ConflictException, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { type DocumentKind, XapiDocument } from './document.entity.js';
import { inspectJson, isJsonObject, type JsonObject } from '../core/json.js';
import { MAX_DEPTH } from './xapi-resource.js';
import { mediaTypeOf } from './xapi.body.js';

/** Which document of which resource: the parameters that name it ('' for one the resource has not). */
export interface DocumentKey {
  kind: DocumentKind;
  activityId: string;
  agent: string;
  registration: string;
  documentId: string;
}

/** A document as sent: its bytes and media type. */
export interface DocumentBody {
  contentType: string;
  content: Buffer;
}

/**
 * The preconditions a write carries (`If-Match`, `If-None-Match`), and what the version asks of a PUT
 * without either: `conflictWithout` (a 409 when the document exists), `requiredWithout` (a 400 always).
 */
export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  conflictWithout?: boolean;
  requiredWithout?: boolean;
}

const isJsonType = (contentType: string) => mediaTypeOf(contentType) === 'application/json';
/** The SHA-1 of a document's content, in hex: its ETag (quoted in the header) */
const etagOf = (content: Buffer) => createHash('sha1').update(content).digest('hex');

/**
 * The entity tags of an `If-Match`/`If-None-Match` header (without quotes), or `*`. `If-Match` compares strongly, so a
 * weak tag (`W/"…"`) never matches and is left out; `If-None-Match` compares weakly: its weak tags count as strong
 * (RFC 9110 §13.1).
 */
function tagsOf(header: string, comparison: 'strong' | 'weak'): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => comparison === 'weak' || !tag.startsWith('W/'))
    .map((tag) => tag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
}

const preconditionFailed = (message: string) => new HttpException(message, HttpStatus.PRECONDITION_FAILED);

/**
 * The document resources of xAPI (State, Activity Profile, Agent Profile): documents kept as sent, written
 * under HTTP's optimistic concurrency (ETag, If-Match, If-None-Match), merged by POST when both are JSON
 * objects.
 */
@Injectable()
export class DocumentsService {
  constructor(private readonly em: EntityManager) {}

  async get(key: DocumentKey): Promise<XapiDocument | null> {
    return this.em.findOne(XapiDocument, key);
  }

  /** The ids of the documents under this key (all but `documentId`), changed after `since` if given. */
  async ids(key: Omit<DocumentKey, 'documentId'>, since?: Date): Promise<string[]> {
    const rows = await this.em.find(
      XapiDocument,
      { ...key, ...(since ? { updated: { $gt: since } } : {}) },
      { fields: ['documentId'], orderBy: { id: 'asc' } },
    );
    return rows.map((row) => row.documentId);
  }

  /** PUT: the document replaces whatever is there (the preconditions allowing). */
  async put(key: DocumentKey, body: DocumentBody, preconditions: Preconditions): Promise<void> {
    await this.em.transactional(async (em) => {
      const existing = await this.lockedRead(em, key);
      this.check(existing, preconditions, true);
      this.write(existing, key, body);
      await em.flush();
    });
  }

  /**
   * POST: a new document is stored as sent; an existing one is merged with it, key by key at the top level,
   * when both are JSON objects (400 otherwise, nothing changed).
   */
  async post(key: DocumentKey, body: DocumentBody, preconditions: Preconditions): Promise<void> {
    await this.em.transactional(async (em) => {
      const existing = await this.lockedRead(em, key);
      this.check(existing, preconditions, false);
      if (!existing) {
        if (isJsonType(body.contentType)) this.jsonObjectOf(body.content, 'The document');
        this.write(null, key, body);
      } else {
        if (!isJsonType(body.contentType) || !isJsonType(existing.contentType)) {
          throw new BadRequestException(
            'A POST merges JSON documents: the stored document and this one must both be application/json',
          );
        }
        const merged = {
          ...this.jsonObjectOf(Buffer.from(existing.content), 'The stored document'),
          ...this.jsonObjectOf(body.content, 'The document'),
        };
        this.write(existing, key, { contentType: 'application/json', content: Buffer.from(JSON.stringify(merged)) });
      }
      await em.flush();
    });
  }

  /** DELETE of one document (204 whether it was there or not, the preconditions allowing). */
  async delete(key: DocumentKey, preconditions: Preconditions): Promise<void> {
    await this.em.transactional(async (em) => {
      const existing = await this.lockedRead(em, key);
      this.check(existing, preconditions, false);
      if (existing) em.remove(existing);
      await em.flush();
    });
  }

  /** DELETE of every document under this key (all states of an activity, agent and registration). */
  async deleteAll(key: Omit<DocumentKey, 'documentId'>): Promise<void> {
    await this.em.nativeDelete(XapiDocument, key);
  }

  /**
   * The document, read once the documents are locked against writes until the commit: two writes of one document
   * each checked and merged what they had read, so the later dropped the earlier's merge, passed an If-Match the
   * earlier had made stale, or inserted a new document twice (the unique key's 409). A write is a few statements.
   */
  private async lockedRead(em: EntityManager, key: DocumentKey): Promise<XapiDocument | null> {
    await lockTable(em, XapiDocument);
    return em.findOne(XapiDocument, key);
  }

  private check(existing: XapiDocument | null, preconditions: Preconditions, isPut: boolean): void {
    const { ifMatch, ifNoneMatch } = preconditions;
    if (ifMatch !== undefined) {
      const tags = tagsOf(ifMatch, 'strong');
      if (!existing || !(tags.includes('*') || tags.includes(existing.etag))) {
        throw preconditionFailed('If-Match does not match the document (it changed, or does not exist)');
      }
    }
    if (ifNoneMatch !== undefined) {
      const tags = tagsOf(ifNoneMatch, 'weak');
      if (existing && (tags.includes('*') || tags.includes(existing.etag))) {
        throw preconditionFailed('If-None-Match: the document exists');
      }
    }
    if (isPut && ifMatch === undefined && ifNoneMatch === undefined) {
      if (existing && preconditions.conflictWithout) {
        throw new ConflictException(
          'The document exists: a PUT over it needs If-Match with its ETag (or If-None-Match: * for a new one)',
        );
      }
      if (preconditions.requiredWithout) {
        throw new BadRequestException('A PUT of this document needs If-Match or If-None-Match');
      }
    }
  }

  private write(existing: XapiDocument | null, key: DocumentKey, body: DocumentBody): void {
    const values = {
      contentType: body.contentType,
      content: body.content,
      etag: etagOf(body.content),
      updated: new Date(),
    };
    if (existing) this.em.assign(existing, values);
    else this.em.create(XapiDocument, { ...key, ...values });
  }

  private jsonObjectOf(content: Buffer, what: string): JsonObject {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content.toString('utf8'));
    } catch {
      throw new BadRequestException(`${what} is not JSON`);
    }
    if (!isJsonObject(parsed)) throw new BadRequestException(`${what} is not a JSON object`);
    if (inspectJson(parsed).depth > MAX_DEPTH) {
      throw new BadRequestException(`${what} is nested deeper than ${MAX_DEPTH} levels`);
    }
    return parsed;
  }
}

import { randomUUID } from 'node:crypto';
import { EntityManager, raw } from '@mikro-orm/sql';
import { awaitInserts, instantOf, lockInserts, lockKeys, lockTable } from '../database/dialect.js';
import { ConflictException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ReviewsService, type WordAnswer } from '../reviews/reviews.service.js';
import { StudySessionsService } from '../study-sessions/study-sessions.service.js';
import { WordsService } from '../words/words.service.js';
import { XapiAttachment, XapiStatement, XapiStatementActivity, XapiStatementAgent } from './statement.entity.js';
import type { JsonObject } from '../core/json.js';
import { XapiActivity, XapiLaunchToken } from './document.entity.js';
import { definitionsOf, indexOf, mergedDefinition, normalized, sameStatement } from './statements.js';
import { instantOfTimestamp, VOIDED, type XapiVersion } from './statement-validator.js';

/** A client's mistake the Statements resource answers with 400. */
export class XapiBadRequest extends Error {}

/** What `GET /xapi/statements` filters by (already checked). */
export interface StatementQuery {
  agent?: string;
  verb?: string;
  activity?: string;
  registration?: string;
  related_activities?: boolean;
  related_agents?: boolean;
  since?: number;
  until?: number;
  limit: number;
  ascending?: boolean;
}

export const MAX_LIMIT = 500;

/** An answer a statement gave about a word, and the registration it carries (lower case), if any. */
type RegisteredAnswer = WordAnswer & { registration: string | null };

/** The answer a statement gives about one of the portal's words (`wordActivity`): its `result.success`. */
function answerIn(statement: JsonObject, wordActivity: RegExp): { wordId: number; correct: boolean } | undefined {
  const object = statement.object as JsonObject;
  const wordId = typeof object.id === 'string' ? wordActivity.exec(object.id)?.[1] : undefined;
  const success = (statement.result as JsonObject | undefined)?.success;
  return wordId !== undefined && typeof success === 'boolean' && (object.objectType ?? 'Activity') === 'Activity'
    ? { wordId: Number(wordId), correct: success }
    : undefined;
}

/** Whether an id read from an activity's IRI can be a word's. */
const isWordId = (id: number) => Number.isSafeInteger(id) && id > 0;

/** Who sends the statements `store` stores, in which version of xAPI. */
interface StoreContext {
  version: XapiVersion;
  authority: JsonObject;
  wordActivity: RegExp;
  scope?: string;
}

/** The answers of the portal's learner, as xAPI statements: the Statements resource and its store. */
@Injectable()
export class XapiService {
  constructor(
    private readonly em: EntityManager,
    private readonly reviews: ReviewsService,
    private readonly words: WordsService,
    private readonly sessions: StudySessionsService,
  ) {}

  /**
   * `X-Experience-API-Consistent-Through` for a request to the Statements resource: every statement stored before it
   * is in what the request reads next. The batches being stored now are waited for; each later one is stored after
   * it (`store` takes the time once its turn has come). Where another process's cannot be waited for, the `stored` of
   * the latest batch committed: the batches commit one at a time, each stored later than the one before, so none
   * stored before it is still to commit.
   */
  async consistentThrough(): Promise<Date> {
    const now = new Date();
    if (await awaitInserts(this.em, XapiStatement)) {
      return now;
    }
    return (await latestStored(this.em)) ?? new Date(0);
  }

  /**
   * Stores statements (already valid) and the attachments sent with them, all or none; a statement whose
   * id is stored already is skipped when it is the same one and a 409 otherwise. A statement about one
   * of the portal's words (`wordActivity`) with `result.success` is also recorded as the word's answer,
   * in the same transaction. Returns the statements' ids in the order sent. `scope` is the registration of a
   * launch credential, the only one whose statements it reaches.
   */
  async store(
    sent: JsonObject[],
    attachments: Map<string, { contentType: string; content: Buffer }>,
    context: StoreContext,
  ): Promise<string[]> {
    const ids = sent.map((statement) => (typeof statement.id === 'string' ? statement.id : randomUUID()));
    const keys = ids.map((id) => id.toLowerCase());
    if (new Set(keys).size !== keys.length) {
      throw new XapiBadRequest('The batch holds two statements with the same id');
    }
    const answered = sent.map((statement) => answerIn(statement, context.wordActivity));
    return this.em.transactional(async (em) => {
      // Every word the statements answer about, before anything else, as an answer and a reset take them (where rows
      // have locks): a reset that came between would wait for the statements' rows while holding the words (a
      // deadlock on PostgreSQL), and a later batch of answers would wait for a word while holding what an earlier one
      // wrote, which an answer of another request could be waiting for.
      await this.words.lock(answered.flatMap((answer) => answer?.wordId ?? []).filter(isWordId));
      // Then the statements' ids, stored or not, before they are looked up: a statement sent again while the first is
      // being stored (a client's retry) waits for the first's commit and finds it, the same statement or a 409. Its
      // insert waited for the first's instead, and the unique key refused it; two batches holding some statements in
      // other orders waited each for one the other had inserted (a deadlock on PostgreSQL, a 500).
      await lockKeys(em, XapiStatement, keys);
      // A launch credential whose session was deleted since the guard accepted it (a reset, a forced delete of its
      // group): its answers, recorded outside any session, outlived the delete that was to take them with the session.
      // It is refused as it would have been after the delete. Such a delete takes the words first: one that comes
      // after this look-up waits for the answers, and takes them.
      if (context.scope !== undefined && (await em.count(XapiLaunchToken, { registration: context.scope })) === 0) {
        throw new UnauthorizedException('The study session of this launch credential was deleted');
      }
      const existing = new Map(
        (await em.find(XapiStatement, { statementId: { $in: keys } })).map((row) => [row.statementId, row]),
      );
      // One batch at a time from here to its commit, before its rows take their ids and its `stored` is read: a batch that
      // took them first and committed after another was missed by a client reading on past the other (since its
      // `stored`, or by a more link of ascending ids), for good.
      await lockInserts(em, XapiStatement);
      // Later than every statement stored, even in the same millisecond: `since` is exclusive, and a client that read
      // on since the other's `stored` missed a batch that committed after its read with the same one, for good.
      const stored = new Date(Math.max(Date.now(), ((await latestStored(em))?.getTime() ?? 0) + 1));
      const answers: RegisteredAnswer[] = [];
      const voiding: string[] = [];
      sent.forEach((statement, index) => {
        const key = keys[index];
        const before = existing.get(key);
        if (before) {
          if (!sameStatement(normalized(statement), before.statement as JsonObject)) {
            throw new ConflictException(`Statement ${ids[index]} is stored already, and differs from this one`);
          }
          return;
        }
        const full: JsonObject = {
          ...normalized(statement),
          id: ids[index],
          timestamp: (statement.timestamp as string | undefined) ?? stored.toISOString(),
          stored: stored.toISOString(),
          authority: context.authority,
          version: (statement.version as string | undefined) ?? (context.version === '2.0.0' ? '2.0.0' : '1.0.0'),
        };
        const object = statement.object as JsonObject;
        const verb = (statement.verb as JsonObject).id as string;
        const target = object.objectType === 'StatementRef' ? (object.id as string).toLowerCase() : null;
        if (target && verb === VOIDED) voiding.push(target);
        const registration = (
          (statement.context as JsonObject | undefined)?.registration as string | undefined
        )?.toLowerCase();
        const row = em.create(XapiStatement, {
          statementId: key,
          statement: full,
          verb,
          registration: registration ?? null,
          stored,
          voided: false,
          target,
        });
        const { agents, activities } = indexOf(full);
        agents.forEach((agent) => em.create(XapiStatementAgent, { statement: row, ...agent }));
        activities.forEach((activity) => em.create(XapiStatementActivity, { statement: row, ...activity }));
        const answer = answered[index];
        if (answer) {
          const at = Math.min(instantOfTimestamp(full.timestamp as string), stored.getTime());
          answers.push({
            word_id: answer.wordId,
            correct: answer.correct,
            reviewed_at: new Date(at).toISOString(),
            registration: registration ?? null,
          });
        }
      });
      // In sha2 order, not as sent: two requests upserting the same attachments in other orders each held one the other
      // was to upsert (a deadlock on PostgreSQL). One stored is kept as it is: its content is the same by its hash, and
      // its Content-Type, sent again as another, would change what earlier statements' attachments are served as.
      const bySha2 = [...attachments].map(([sha2, attachment]) => ({ sha2: sha2.toLowerCase(), ...attachment }));
      for (const attachment of bySha2.sort((a, b) => (a.sha2 < b.sha2 ? -1 : a.sha2 > b.sha2 ? 1 : 0))) {
        await em.upsert(XapiAttachment, attachment, { onConflictAction: 'ignore' });
      }
      await em.flush();
      if (voiding.length > 0) {
        // A voiding statement cannot be voided; any other statement can, once. A launch credential finds no
        // statement of another registration: voiding one voids nothing, as voiding an unknown id does.
        await em.nativeUpdate(
          XapiStatement,
          {
            statementId: { $in: voiding },
            $not: { verb: VOIDED, target: { $ne: null } },
            ...(context.scope !== undefined && { registration: context.scope }),
          },
          { voided: true },
        );
      }
      await this.learnActivities(sent.filter((_, index) => !existing.has(keys[index])));
      await this.feedPortal(answers);
      return ids;
    });
  }

  /** Keeps the activity definitions new statements give (merged into what earlier ones gave). */
  private async learnActivities(statements: JsonObject[]): Promise<void> {
    const definitions = new Map<string, JsonObject>();
    for (const statement of statements) {
      for (const [id, definition] of definitionsOf(statement)) {
        const before = definitions.get(id);
        definitions.set(id, before ? mergedDefinition(before, definition) : definition);
      }
    }
    if (definitions.size === 0) return;
    // Locked before the definitions are read (after the words, as the store takes them): two batches defining one
    // activity merged each into what it had read, and the later write dropped the other's (or both inserted a new
    // one, and the unique key refused a whole batch with a 409). Only this writes the table.
    await lockTable(this.em, XapiActivity);
    const known = new Map(
      (await this.em.find(XapiActivity, { activityId: { $in: [...definitions.keys()] } })).map((row) => [
        row.activityId,
        row,
      ]),
    );
    for (const [activityId, definition] of definitions) {
      const row = known.get(activityId);
      if (row) row.definition = mergedDefinition(row.definition as JsonObject, definition);
      else this.em.create(XapiActivity, { activityId, definition });
    }
    await this.em.flush();
  }

  /**
   * The Activity object `GET /xapi/activities` returns: a portal word's definition from the word (its Thai
   * and English), any other the definitions statements gave it, or only its id when none did.
   */
  async activity(activityId: string, wordActivity: RegExp): Promise<JsonObject> {
    const wordId = wordActivity.exec(activityId)?.[1];
    if (wordId !== undefined) {
      const word = await this.words.get(Number(wordId)).catch((error: unknown) => {
        if (error instanceof NotFoundException) return null;
        throw error;
      });
      if (word) {
        const romanization = typeof word.parts.romanization === 'string' ? ` (${word.parts.romanization})` : '';
        return {
          objectType: 'Activity',
          id: activityId,
          definition: {
            type: 'http://adlnet.gov/expapi/activities/question',
            name: { 'th-TH': word.thai, 'en-US': word.english },
            description: {
              'th-TH': `${word.thai}${romanization}: ${word.english}`,
              'en-US': `The Thai word ${word.thai}${romanization}, "${word.english}"`,
            },
          },
        };
      }
    }
    const row = await this.em.findOne(XapiActivity, { activityId });
    return row
      ? { objectType: 'Activity', id: activityId, definition: row.definition as JsonObject }
      : { objectType: 'Activity', id: activityId };
  }

  /**
   * Records the answers statements gave about the portal's words (those that exist): in the study session
   * whose registration a statement carries (an xAPI launch's) when the word is in its group, at the
   * session's start at the earliest; any other outside any session.
   */
  private async feedPortal(answers: RegisteredAnswer[]): Promise<void> {
    const exists = new Map<number, boolean>();
    for (const wordId of new Set(answers.map((answer) => answer.word_id))) {
      exists.set(
        wordId,
        isWordId(wordId) &&
          (await this.words.get(wordId).then(
            () => true,
            (error: unknown) => {
              if (error instanceof NotFoundException) return false;
              throw error;
            },
          )),
      );
    }
    const known = answers.filter((answer) => exists.get(answer.word_id));
    const outside: WordAnswer[] = known.filter((answer) => !answer.registration);
    const registered = Map.groupBy(
      known.filter((answer) => answer.registration),
      (answer) => answer.registration!,
    );
    for (const [registration, list] of registered) {
      const launched = await this.sessions.launchedSession(
        registration,
        list.map((answer) => answer.word_id),
      );
      const inSession = launched ? list.filter((answer) => launched.members.has(answer.word_id)) : [];
      outside.push(...list.filter((answer) => !inSession.includes(answer)));
      if (launched && inSession.length > 0) {
        const start = launched.session.startedAt.getTime();
        const answersOfSession = inSession.map((answer) => ({
          ...answer,
          reviewed_at: new Date(Math.max(Date.parse(answer.reviewed_at!), start)).toISOString(),
        }));
        await this.reviews.recordBatch(
          'xAPI statements',
          undefined,
          { sessionId: launched.session.id },
          answersOfSession,
          async () => launched.session,
        );
      }
    }
    if (outside.length > 0) {
      await this.reviews.recordBatch('xAPI statements', undefined, {}, outside, async () => null);
    }
  }

  /** A statement by id: a voided one only as `voidedStatementId` (`voided`), any other only as `statementId`. */
  async get(statementId: string, voided: boolean): Promise<JsonObject | null> {
    const row = await this.em.findOne(XapiStatement, { statementId: statementId.toLowerCase() });
    return row && row.voided === voided ? (row.statement as JsonObject) : null;
  }

  /**
   * A page of statements (newest first unless `ascending`), and whether more follow it. `scope` is the registration
   * of a launch credential: its statements are the only ones the query sees, those it returns and those they refer to.
   */
  async query(
    query: StatementQuery,
    after?: number,
    scope?: string,
  ): Promise<{ statements: JsonObject[]; last?: number }> {
    const inScope = scope === undefined ? {} : { registration: scope };
    const statements = this.em
      .createQueryBuilder(XapiStatement, 's')
      .select(['id', 'statement'])
      .where({ voided: false, ...inScope });
    if ([query.verb, query.registration, query.agent, query.activity].some((value) => value !== undefined)) {
      // The statements that are about what the filters name.
      const matching = this.em.createQueryBuilder(XapiStatement, 't').select('t.statementId').where(inScope);
      if (query.verb !== undefined) matching.andWhere({ verb: query.verb });
      if (query.registration !== undefined) matching.andWhere({ registration: query.registration.toLowerCase() });
      if (query.agent !== undefined) {
        const agents = this.em
          .createQueryBuilder(XapiStatementAgent, 'a')
          .select('a.statement')
          .where({ agent: query.agent, ...(!query.related_agents && { related: false }) });
        matching.andWhere({ id: { $in: agents } });
      }
      if (query.activity !== undefined) {
        const activities = this.em
          .createQueryBuilder(XapiStatementActivity, 'a')
          .select('a.statement')
          .where({ activity: query.activity, ...(!query.related_activities && { related: false }) });
        matching.andWhere({ id: { $in: activities } });
      }
      // A statement matches, and so does one whose StatementRef names a matching one (voided or not), and one that
      // refers to that, however far (xAPI's rule is recursive); UNION ends a cycle of references.
      const { sql, params } = matching.toQuery();
      const referring = raw(
        `${sql} union select r.statement_id from xapi_statements r inner join matched on r.target = matched.statement_id` +
          (scope === undefined ? '' : ' where r.registration = ?'),
        scope === undefined ? params : [...params, scope],
      );
      statements.withRecursive('matched', referring).andWhere('s.statement_id in (select statement_id from matched)');
    }
    if (query.since !== undefined) statements.andWhere({ stored: { $gt: new Date(query.since) } });
    if (query.until !== undefined) statements.andWhere({ stored: { $lte: new Date(query.until) } });
    if (after !== undefined) statements.andWhere({ id: query.ascending ? { $gt: after } : { $lt: after } });
    const rows = await statements
      .orderBy({ id: query.ascending ? 'asc' : 'desc' })
      .limit(query.limit + 1)
      .execute<{ id: number; statement: string | JsonObject }[]>('all', false);
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    return {
      statements: page.map((row) =>
        typeof row.statement === 'string' ? (JSON.parse(row.statement) as JsonObject) : row.statement,
      ),
      last: more ? page.at(-1)?.id : undefined,
    };
  }

  /** The stored attachments of these statements (by the hashes their `attachments` name). */
  async attachmentsOf(statements: JsonObject[]): Promise<XapiAttachment[]> {
    const hashes = new Set<string>();
    const collect = (statement: JsonObject | undefined) => {
      for (const attachment of (statement?.attachments as JsonObject[] | undefined) ?? []) {
        if (typeof attachment.sha2 === 'string') hashes.add(attachment.sha2.toLowerCase());
      }
    };
    for (const statement of statements) {
      collect(statement);
      const object = statement.object as JsonObject;
      if (object.objectType === 'SubStatement') collect(object);
    }
    return hashes.size === 0 ? [] : this.em.find(XapiAttachment, { sha2: { $in: [...hashes] } });
  }
}

/** The latest `stored` of the statements (one look-up in its index), null while there are none. */
async function latestStored(em: EntityManager): Promise<Date | null> {
  const row = await em
    .createQueryBuilder(XapiStatement)
    .select(raw('max(stored) as latest'))
    .execute<{ latest: number | string | Date | null }>('get', false);
  return instantOf(row.latest);
}

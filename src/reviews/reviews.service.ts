import { EntityManager } from '@mikro-orm/sqlite';
import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { notFound } from '../core/errors.js';
import { offsetOf, page, type Page } from '../core/pagination.js';
import { WordGroup } from '../groups/word-group.entity.js';
import { StudyActivity } from '../study-sessions/study-activity.entity.js';
import { StudySession } from '../study-sessions/study-session.entity.js';
import { Word } from '../words/word.entity.js';
import type { AnswerDto, AnswerRecordedDto, ListReviewsQueryDto, ReviewDto } from './dto/review.dto.js';
import { IdempotencyService } from './idempotency.service.js';
import { ReviewItem } from './review-item.entity.js';

/** What makes two answers the same request for `Idempotency-Key`: one instant written two ways is one. */
function fingerprintOf(answer: AnswerDto): object {
  return { correct: answer.correct, reviewedAt: answer.reviewed_at && new Date(answer.reviewed_at).toISOString() };
}

@Injectable()
export class ReviewsService {
  constructor(
    private readonly em: EntityManager,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** `POST /reviews`: an answer given outside any session. */
  recordOutsideSession(wordId: number, answer: AnswerDto, idempotencyKey?: string): Promise<AnswerRecordedDto> {
    return this.idempotency.run('POST /reviews', idempotencyKey, { wordId, ...fingerprintOf(answer) }, async (em) => {
      const word = await em.findOne(Word, wordId);
      if (!word) {
        throw new UnprocessableEntityException(`word_id refers to a word that does not exist: ${wordId}`);
      }
      return this.record(em, word, null, answer);
    });
  }

  /** `POST /study_sessions/:id/words/:word_id/review`: the word must belong to the session's group. */
  recordInSession(
    sessionId: number,
    wordId: number,
    answer: AnswerDto,
    idempotencyKey?: string,
  ): Promise<AnswerRecordedDto> {
    const endpoint = 'POST /study_sessions/:id/words/:word_id/review';
    return this.idempotency.run(
      endpoint,
      idempotencyKey,
      { sessionId, wordId, ...fingerprintOf(answer) },
      async (em) => {
        const session = await em.findOneOrFail(StudySession, sessionId, {
          failHandler: notFound('Study session', sessionId),
        });
        const word = await em.findOneOrFail(Word, wordId, { failHandler: notFound('Word', wordId) });
        if ((await em.count(WordGroup, { group: session.group, word })) === 0) {
          throw new UnprocessableEntityException(
            `Word ${wordId} is not in group ${session.group.id} of study session ${sessionId}`,
          );
        }
        return this.record(em, word, session, answer);
      },
    );
  }

  /** Newest first, ties by id descending. */
  async list(query: ListReviewsQueryDto): Promise<Page<ReviewDto>> {
    const [reviews, total] = await this.em.findAndCount(
      ReviewItem,
      {
        ...(query.word_id !== undefined && { word: query.word_id }),
        ...(query.correct !== undefined && { correct: query.correct }),
        ...((query.since ?? query.until) && {
          reviewedAt: {
            ...(query.since && { $gte: new Date(query.since) }),
            ...(query.until && { $lte: new Date(query.until) }),
          },
        }),
      },
      {
        populate: ['word'],
        orderBy: [{ reviewedAt: 'desc' }, { id: 'desc' }],
        limit: query.per_page,
        offset: offsetOf(query),
      },
    );
    const items = reviews.map((review) => ({
      id: review.id,
      word_id: review.word.id,
      thai: review.word.thai,
      english: review.word.english,
      correct: review.correct,
      reviewed_at: review.reviewedAt.toISOString(),
      study_session_id: review.studySession?.id ?? null,
    }));
    return page(items, total, query);
  }

  /** One answer: the session's activity row, the review log row and the word's counters, in the caller's transaction. */
  private async record(
    em: EntityManager,
    word: Word,
    session: StudySession | null,
    answer: AnswerDto,
  ): Promise<AnswerRecordedDto> {
    const reviewedAt = answer.reviewed_at ? new Date(answer.reviewed_at) : new Date();
    if (session && reviewedAt < session.createdAt) {
      throw new UnprocessableEntityException(
        `reviewed_at ${reviewedAt.toISOString()} is before study session ${session.id} started (${session.createdAt.toISOString()})`,
      );
    }
    if (session) {
      em.create(StudyActivity, { session, word, correct: answer.correct });
    }
    em.create(ReviewItem, { word, studySession: session, correct: answer.correct, reviewedAt });
    await em.flush();
    // Incremented in SQL, not from the loaded entity, so that no concurrent answer is lost.
    const counter = answer.correct ? 'correct_count' : 'wrong_count';
    await em.execute(`update words set ${counter} = ${counter} + 1 where id = ?`, [word.id]);
    return {
      success: true,
      word_id: word.id,
      study_session_id: session?.id ?? null,
      correct: answer.correct,
      created_at: reviewedAt.toISOString(),
    };
  }
}

import { Group } from './groups/group.entity.js';
import { WordGroup } from './groups/word-group.entity.js';
import { LearningApp } from './learning-apps/learning-app.entity.js';
import { AnswerQuarterHour, AnswerTotals } from './reviews/answer-summary.entity.js';
import { Card } from './reviews/card.entity.js';
import { IdempotencyKey } from './reviews/idempotency-key.entity.js';
import { ReviewItem } from './reviews/review-item.entity.js';
import { StudyActivity } from './reviews/study-activity.entity.js';
import { SrsParameters } from './scheduling/srs-parameters.entity.js';
import { StudySession } from './study-sessions/study-session.entity.js';
import { Word } from './words/word.entity.js';
import { XapiActivity, XapiDocument, XapiLaunchToken } from './xapi/document.entity.js';
import { XapiAttachment, XapiStatement, XapiStatementActivity, XapiStatementAgent } from './xapi/statement.entity.js';

/** Every entity of the schema, for the one ORM configuration. */
export const ENTITIES = [
  Word,
  Group,
  WordGroup,
  LearningApp,
  StudySession,
  StudyActivity,
  ReviewItem,
  IdempotencyKey,
  Card,
  SrsParameters,
  XapiStatement,
  XapiStatementAgent,
  XapiStatementActivity,
  XapiAttachment,
  XapiDocument,
  XapiActivity,
  XapiLaunchToken,
  AnswerTotals,
  AnswerQuarterHour,
];

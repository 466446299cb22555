import type { Request } from 'autocannon';
import Database from 'better-sqlite3';
import type { Generated } from './generate.js';

/** A request the benchmark measures. */
export interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** For answers: the paths to cycle through, one word after another. */
  paths?: string[];
  /** For answers in batches: the bodies to cycle through, one batch of words after another. */
  bodies?: string[];
}

/** What the benchmark answers in a session of a portal: the session and the words of its group. */
export interface AnswerTarget {
  sessionId: number;
  words: number[];
}

/** How many answers a request of the batch measurement records. */
export const BATCH = 20;

/** The reads measured, on the generated portal's sample group, session and word. */
export function reads(sample: Generated['sample']): Endpoint[] {
  const get = (name: string, path = name): Endpoint => ({ name, method: 'GET', path });
  return [
    get('GET /words?sort_by=correct_count&order=desc', '/words?sort_by=correct_count&order=desc'),
    get('GET /words?q=river', '/words?q=river'),
    get('GET /groups/:id/words', `/groups/${sample.groupId}/words`),
    get('GET /groups/:id', `/groups/${sample.groupId}`),
    get('GET /study_sessions', '/study_sessions'),
    get('GET /study_sessions/:id/words', `/study_sessions/${sample.sessionId}/words`),
    get('GET /dashboard/quick_stats', '/dashboard/quick_stats'),
    get('GET /dashboard/study_progress', '/dashboard/study_progress'),
    get('GET /dashboard/forecast', '/dashboard/forecast'),
    get('GET /words/:id', `/words/${sample.wordId}`),
    get('GET /reviews', '/reviews'),
    get('GET /reviews/queue', '/reviews/queue'),
  ];
}

/** The answers measured: one per request, and in batches of BATCH. */
export function answers(answering: AnswerTarget): Endpoint[] {
  const answerWords = answering.words;
  const answerPaths = answerWords.map((word) => `/study_sessions/${answering.sessionId}/words/${word}/review`);
  const batches = Array.from({ length: Math.ceil(answerWords.length / BATCH) }, (_, index) =>
    JSON.stringify({
      answers: answerWords.slice(index * BATCH, (index + 1) * BATCH).map((word) => ({ word_id: word, correct: true })),
    }),
  );
  return [
    {
      name: 'POST /study_sessions/:id/words/:word_id/review',
      method: 'POST',
      path: answerPaths[0],
      paths: answerPaths,
    },
    {
      name: `POST /study_sessions/:id/answers (${BATCH} answers)`,
      method: 'POST',
      path: `/study_sessions/${answering.sessionId}/answers`,
      bodies: batches,
    },
  ];
}

/** The body of an answer request: one answer, or the `index`th batch. */
export const bodyOf = (endpoint: Endpoint, index = 0) =>
  endpoint.method === 'GET'
    ? undefined
    : endpoint.bodies
      ? endpoint.bodies[index % endpoint.bodies.length]
      : JSON.stringify({ correct: true });

/**
 * The oldest session of a group other than the sample's, and its group's words, each answered in turn: the tens
 * of thousands of answers the measurement records would otherwise pile up in the sample session and group, whose
 * reads (their answers aggregated) are measured in the next round.
 */
export function answerTargetOf(database: string, sample: Generated['sample']): AnswerTarget {
  const db = new Database(database, { readonly: true });
  const sessionId = db
    .prepare('select id from study_sessions where group_id <> ? order by id limit 1')
    .pluck()
    .get(sample.groupId) as number;
  const words = db
    .prepare(
      `select m.word_id from study_sessions s join words_groups m on m.group_id = s.group_id where s.id = ? order by m.word_id`,
    )
    .pluck()
    .all(sessionId) as number[];
  db.close();
  return { sessionId, words };
}

/** What autocannon sends for an endpoint: its path (or the next of its paths) and its body, request after request. */
export function requestsOf(endpoint: Endpoint): Request[] {
  let next = 0;
  return [
    {
      method: endpoint.method,
      headers: endpoint.method === 'POST' ? { 'content-type': 'application/json' } : {},
      setupRequest: (request) => {
        const index = next++;
        return {
          ...request,
          path: `/api/v1${endpoint.paths ? endpoint.paths[index % endpoint.paths.length] : endpoint.path}`,
          body: bodyOf(endpoint, index),
        };
      },
    },
  ];
}

import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** A stored `Idempotency-Key`: the request it was first used for and, once that is done, its response. */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    id: p.integer().primary(),
    endpoint: p.text(),
    key: p.text(),
    fingerprint: p.text(),
    // Null while the first request is still running. json, not PostgreSQL's jsonb: a retry gets the first
    // response as it was sent (jsonb reorders keys).
    response: p.json<object>().columnType('json').nullable(),
    // The server process that claimed the key ("host/pid/start/pid space"), so that a new one can free the claims of a dead one.
    claimedBy: p.text().nullable(),
    createdAt: p.datetime().index(),
  },
  uniques: [{ name: 'idempotency_keys_endpoint_key_unique', properties: ['endpoint', 'key'] }],
});
export type IdempotencyKey = InferEntity<typeof IdempotencyKey>;

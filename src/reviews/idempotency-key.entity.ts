import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** A stored `Idempotency-Key`: the request it was first used for and, once done, its response. */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    id: p.integer().primary(),
    endpoint: p.text(),
    key: p.text(),
    fingerprint: p.text(),
    responseStatus: p.integer().nullable(),
    responseBody: p.json<unknown>().nullable(),
    createdAt: p.datetime().index(),
  },
  uniques: [{ name: 'idempotency_keys_endpoint_key_unique', properties: ['endpoint', 'key'] }],
});
export type IdempotencyKey = InferEntity<typeof IdempotencyKey>;

import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { rowOf } from '../database/columns.js';

/** The FSRS parameters fitted to this learner's log, newest last; none while the defaults are in use. */
export const SrsParameters = defineEntity({
  name: 'SrsParameters',
  tableName: 'srs_parameters',
  properties: {
    ...rowOf(),
    parameters: p.json<number[]>(),
    reviews: p.integer(),
    defaultLogLoss: p.float(),
    defaultRmse: p.float(),
    fittedLogLoss: p.float(),
    fittedRmse: p.float(),
  },
});
export type SrsParameters = InferEntity<typeof SrsParameters>;

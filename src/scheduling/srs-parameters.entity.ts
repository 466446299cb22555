import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { doublePrecision, rowOf } from '../database/columns.js';

/** The FSRS parameters fitted to this learner's log, newest last; none while the defaults are in use. */
export const SrsParameters = defineEntity({
  name: 'SrsParameters',
  tableName: 'srs_parameters',
  properties: {
    ...rowOf(),
    parameters: p.json<number[]>(),
    reviews: p.integer(),
    defaultLogLoss: doublePrecision(),
    defaultRmse: doublePrecision(),
    fittedLogLoss: doublePrecision(),
    fittedRmse: doublePrecision(),
  },
});
export type SrsParameters = InferEntity<typeof SrsParameters>;

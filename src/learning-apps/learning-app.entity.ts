import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { changingRowOf } from '../database/columns.js';

export const LearningApp = defineEntity({
  name: 'LearningApp',
  tableName: 'learning_apps',
  properties: {
    ...changingRowOf(),
    name: p.text().collation('nocase').unique('learning_apps_name_unique'),
    description: p.text().default(''),
    launchUrl: p.text(),
    thumbnailUrl: p.text().nullable(),
  },
});
export type LearningApp = InferEntity<typeof LearningApp>;

import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const LearningApp = defineEntity({
  name: 'LearningApp',
  tableName: 'learning_apps',
  properties: {
    id: p.integer().primary(),
    name: p.text().collation('nocase').unique('learning_apps_name_unique'),
    description: p.text().default(''),
    launchUrl: p.text(),
    thumbnailUrl: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type LearningApp = InferEntity<typeof LearningApp>;

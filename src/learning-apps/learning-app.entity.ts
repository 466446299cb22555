import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { caselessName, changingRowOf, uniqueNameOf } from '../database/columns.js';

/** How an app is launched: `plain` (session_id, group_id, api_base) or `xapi` (cmi5-style, also an LRS credential). */
export const LAUNCH_METHODS = ['plain', 'xapi'] as const;
export type LaunchMethod = (typeof LAUNCH_METHODS)[number];

export const LearningApp = defineEntity({
  name: 'LearningApp',
  tableName: 'learning_apps',
  properties: {
    ...changingRowOf(),
    name: caselessName(),
    description: p.text().default(''),
    launchUrl: p.text(),
    thumbnailUrl: p.text().nullable(),
    launchMethod: p.text().$type<LaunchMethod>().default('plain'),
  },
  uniques: [uniqueNameOf('learning_apps')],
});
export type LearningApp = InferEntity<typeof LearningApp>;

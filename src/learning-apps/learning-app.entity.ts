import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { caselessName, changingRowOf, foldedOf, uniqueNameOf } from '../database/columns.js';

/** How an app is launched: `plain` (session_id, group_id, api_base) or `xapi` (cmi5-style, also an LRS credential). */
export const LAUNCH_METHODS = ['plain', 'xapi'] as const;
export type LaunchMethod = (typeof LAUNCH_METHODS)[number];

export const LearningApp = defineEntity({
  name: 'LearningApp',
  tableName: 'learning_apps',
  properties: {
    ...changingRowOf(),
    name: caselessName(),
    nameFolded: foldedOf('name'),
    description: p.text().default(''),
    /** An absolute URL; or, for an app the portal serves itself (`apps/`), its path there, which follows its address. */
    launchUrl: p.text(),
    thumbnailUrl: p.text().nullable(),
    launchMethod: p.text().$type<LaunchMethod>().default('plain'),
  },
  uniques: [uniqueNameOf('learning_apps')],
});
export type LearningApp = InferEntity<typeof LearningApp>;

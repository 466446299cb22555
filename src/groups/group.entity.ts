import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const Group = defineEntity({
  name: 'Group',
  tableName: 'groups',
  properties: {
    id: p.integer().primary(),
    name: p.text().collation('nocase').unique('groups_name_unique'),
    // Counter cache of the group's memberships, kept exact by every write to words_groups.
    wordsCount: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Group = InferEntity<typeof Group>;

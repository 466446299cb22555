import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { lateCheckedPartOf, partOf, rowOf } from '../database/columns.js';
import { countingTriggers } from '../database/dialect.js';
import { Word } from '../words/word.entity.js';
import { Group } from './group.entity.js';

/** A word's membership of a group: the pivot of Group.words (the `words_groups` table). */
export const WordGroup = defineEntity({
  name: 'WordGroup',
  tableName: 'words_groups',
  properties: {
    ...rowOf(),
    word: () => lateCheckedPartOf(Word),
    group: () => partOf(Group),
  },
  uniques: [{ name: 'words_groups_word_id_group_id_unique', properties: ['word', 'group'] }],
  // groups.words_count follows the memberships in the database, whatever adds or deletes one (a cascade too).
  triggers: countingTriggers({
    table: 'words_groups',
    key: 'group_id',
    parent: 'groups',
    counter: 'words_count',
    countedIn: 'member_counted_in_group',
    countedOut: 'member_uncounted_in_group',
  }),
});
export type WordGroup = InferEntity<typeof WordGroup>;

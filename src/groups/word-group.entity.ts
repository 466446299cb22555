import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { lateCheckedPartOf, partOf, rowOf } from '../database/columns.js';
import { triggers } from '../database/dialect.js';
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
  triggers: triggers([
    {
      name: 'member_counted_in_group',
      timing: 'after',
      events: ['insert'],
      body: 'update groups set words_count = words_count + 1 where id = new.group_id;',
    },
    {
      name: 'member_uncounted_in_group',
      timing: 'after',
      events: ['delete'],
      body: 'update groups set words_count = words_count - 1 where id = old.group_id;',
    },
  ]),
});
export type WordGroup = InferEntity<typeof WordGroup>;

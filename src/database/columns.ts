import { p } from '@mikro-orm/core';

/** The surrogate key and the creation time every table has. */
export const rowOf = () => ({ id: p.integer().primary(), createdAt: p.datetime().onCreate(() => new Date()) });

/** The surrogate key, the creation time and the time of the last change. */
export const changingRowOf = () => ({
  ...rowOf(),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date()),
});

/** A reference to the row this one belongs to, deleted with it, and indexed. */
export const partOf = <T extends Parameters<typeof p.manyToOne>[0]>(parent: T) =>
  p.manyToOne(parent).deleteRule('cascade').index();

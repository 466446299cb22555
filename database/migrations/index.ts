import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125122914_initial } from './Migration20261125122914_initial.js';

/** Every migration, oldest first. Add each new one here (see README, "Adding a migration"). */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261125122914_initial', class: Migration20261125122914_initial },
];

import { Migration } from '@mikro-orm/migrations';
import { validateEnvironment } from '../../src/config.js';
import { listeningOrigin } from '../../src/http/origin.js';

const EXAMPLE_APP = 'Example Flashcards';
const EXAMPLE_PATH = '/apps/flashcards/';

/**
 * The example app a portal seeded before: its launch_url named the address of the start that seeded it (PUBLIC_URL
 * then, or where it listened: 127.0.0.1 for HOST=0.0.0.0, which no other machine reaches), now the path on the
 * portal that each request's address opens (`launchUrlOf`). Only the seed's row: its name, an address and its path.
 */
export class Migration20261225090000_portal_app_paths extends Migration {
  override name = 'Migration20261225090000_portal_app_paths';

  override up(): void {
    this.addSql(
      `update learning_apps set launch_url = '${EXAMPLE_PATH}'
        where name = '${EXAMPLE_APP}' and launch_url like 'http%://%${EXAMPLE_PATH}'`,
    );
  }

  /** The address again as the seed gave it, for a portal that reads launch_url as it is. */
  override down(): void {
    const { PUBLIC_URL, HOST, PORT } = validateEnvironment(process.env);
    const host = HOST === '0.0.0.0' ? '127.0.0.1' : HOST === '::' ? '::1' : HOST;
    const address = (PUBLIC_URL ?? listeningOrigin(host, PORT)).replace(/\/+$/, '');
    this.addSql(
      `update learning_apps set launch_url = '${address.replaceAll("'", "''")}${EXAMPLE_PATH}'
        where name = '${EXAMPLE_APP}' and launch_url = '${EXAMPLE_PATH}'`,
    );
  }
}

import './node-version-guard.js';
import module from 'node:module';
import { loadEnvFile } from './env-file.js';
import { messageOf } from './core/errors.js';

// `npm start`: the server is one bundle of ~5 MB (src/server.ts, bundled by scripts/bundle.mjs). V8's compiled code
// of it, kept on disk by Node (in the system's temporary folder), takes ~0.08 s off every start after the first.
module.enableCompileCache();
try {
  loadEnvFile();
} catch (error) {
  // Reported as server.ts reports a start-up failure: its message alone, not Node's stack trace.
  process.stderr.write(`Lang Portal could not start: ${messageOf(error)}\n`);
  process.exit(1);
}
await import('./server.js');
// Written once the server listens, rather than when it exits: a server killed later has cached its start too.
module.flushCompileCache();

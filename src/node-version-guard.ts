// better-sqlite3 13 crashes the process without a word on Node.js < 22, and the project is pinned to
// Node.js 24: refuse to start on an older runtime with a message instead.
const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_MAJOR) {
  process.stderr.write(
    `Lang Portal needs Node.js ${REQUIRED_MAJOR} or newer, but this is ${process.version}.\n` +
      'Run it through npm (npm start, npm test, npm run ...): the project pins Node.js 24 as a dev dependency.\n',
  );
  process.exit(1);
}

#!/usr/bin/env bash
# ADL's xAPI conformance suite against the built server (npm run test:xapi builds it first): the server is
# started on a temporary database (SQLite, or PostgreSQL: see below) with test credentials, the whole suite is run on xAPI 1.0.3 and 2.0.0 (about
# a minute each), and the server is stopped. ADL_LRS_DIR is the suite (read-only; copied to a temporary folder
# and installed there), by default ../shared/adl-lrs beside the repository, or beside the repository a local
# clone was made from (CI runs in a fresh clone elsewhere).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
suite="${ADL_LRS_DIR:-$repo/../shared/adl-lrs}"
origin="$(git -C "$repo" remote get-url origin 2>/dev/null || true)"
if [ -z "${ADL_LRS_DIR:-}" ] && [ ! -d "$suite" ] && [ -d "$origin" ]; then
  suite="$(cd "$origin" && pwd)/../shared/adl-lrs"
fi
if [ ! -f "$suite/bin/console_runner.js" ]; then
  echo "ADL's conformance suite is not at $suite: set ADL_LRS_DIR" >&2
  exit 1
fi

# The whole suite must pass on both versions, but for three tests of 1.0.3 that contradict 2.0.0's: a request
# without X-Experience-API-Version (a 400) must be answered with the header 1.0.3 says 1.0.3 and 2.0.0 says
# 2.0.0. An LRS speaking both cannot tell which the client meant; it answers with its latest, 2.0.0, as
# xAPI asks. Those three are left out of the 1.0.3 run (-g is a regular expression over the tests' full titles).
skip_103='^(?!Versioning Requirements .* should fail when Statement (GET|POST|PUT) without header)'

work="$(mktemp -d)"
server=''
database=''
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$database" ]; then psql -q "$TEST_DATABASE_URL" -c "drop database if exists $database" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The suite, installed once per version of its lock file in the temporary folder of this machine.
copy="${TMPDIR:-/tmp}/lang-portal-adl-lrs-$(sha1sum "$suite/package-lock.json" | cut -c1-12)"
if [ ! -d "$copy/node_modules" ]; then
  rm -rf "$copy" && cp -r "$suite" "$copy" && chmod -R u+w "$copy"
  (cd "$copy" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# On SQLite, or with TEST_DATABASE_URL (npm run test:postgres:xapi) on a new PostgreSQL database of that server.
database_url=''
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  database="lang_portal_xapi_$$"
  psql -q "$TEST_DATABASE_URL" -c "create database $database"
  database_url="${TEST_DATABASE_URL%/*}/$database"
fi
port="${XAPI_TEST_PORT:-$((20000 + RANDOM % 20000))}"
key=conformance
secret=conformance-secret-0123456789
DATABASE_PATH="$work/lrs.sqlite" DATABASE_URL="$database_url" PORT="$port" HOST=127.0.0.1 XAPI_KEY="$key" \
  XAPI_SECRET="$secret" LOG_LEVEL=warn node "$repo/dist/src/main.js" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/xapi/about" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done

status=0
for version in 1.0.3 2.0.0; do
  rm -rf "$copy/logs"
  grep=()
  if [ "$version" = 1.0.3 ]; then grep=(-g "$skip_103"); fi
  (cd "$copy" && node bin/console_runner.js -e "http://127.0.0.1:$port/xapi" -a -u "$key" -p "$secret" \
    -x "$version" "${grep[@]}" >"$work/suite-$version.out" 2>&1) || true
  summary="$(grep '"total"' "$work/suite-$version.out" | tail -1 || true)"
  echo "xAPI $version: $summary"
  log="$(ls "$copy"/logs/*.log 2>/dev/null | head -1 || true)"
  if [ -z "$log" ] || [ -z "$summary" ]; then
    cat "$work/suite-$version.out" >&2
    status=1
    continue
  fi
  # Passed and failed tests per top-level block of the suite's log.
  node -e '
    const { log } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const count = (node, tally) => {
      if (node.tests && node.tests.length > 0) node.tests.forEach((child) => count(child, tally));
      else if (node.status === "passed" || node.status === "failed") tally[node.status]++;
      return tally;
    };
    let failed = 0;
    for (const block of log.tests || []) {
      const tally = count(block, { passed: 0, failed: 0 });
      failed += tally.failed;
      process.stdout.write(`  ${block.title}: ${tally.passed} passed, ${tally.failed} failed\n`);
    }
    process.exit(failed > 0 ? 1 : 0);
  ' "$log" || status=1
done
exit "$status"

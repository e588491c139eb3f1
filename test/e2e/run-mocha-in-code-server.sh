#!/usr/bin/env bash
# run-mocha-in-code-server.sh — run an extension's integration tests (the module
# exporting run(), e.g. a mocha runner, as used with @vscode/test-electron) inside
# code-server's real extension host, with headless Chromium as the workbench.
#
#   run-mocha-in-code-server.sh EXTENSION_DIR TESTS_MODULE [WORKSPACE_DIR]
#
#   EXTENSION_DIR  the built extension (package.json + its "main" bundle), loaded as a
#                  development extension: no .vsix needed, and its node_modules are used
#                  at run time (so `require('mocha')` from the test runner works)
#   TESTS_MODULE   compiled test entry, e.g. dist/test/suite/index.js (relative to
#                  EXTENSION_DIR or absolute)
#   WORKSPACE_DIR  folder to open (default: a fresh empty temp folder)
#
# Env: E2E_OUT (artifacts: screenshot, workbench logs; default ./e2e-out),
#      E2E_TEST_TIMEOUT (seconds for the whole run, default 600), plus those of
#      start-code-server.sh. The code-server process environment reaches the
#      extension host, so variables you export here are visible to the tests.
# Exit status: 0 when run() resolved, 1 otherwise.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E_CACHE="${E2E_CACHE:-$HOME/.cache/poolscope-e2e}"
[ -f "$E2E_CACHE/env.sh" ] || { echo "run $HERE/setup.sh first" >&2; exit 2; }
# shellcheck disable=SC1091
source "$E2E_CACHE/env.sh"

[ $# -ge 2 ] || { sed -n '2,21p' "$0" >&2; exit 2; }
EXT_DIR="$(cd "$1" && pwd)"
case "$2" in /*) TESTS="$2" ;; *) TESTS="$EXT_DIR/$2" ;; esac
[ -f "$EXT_DIR/package.json" ] || { echo "no package.json in $EXT_DIR" >&2; exit 2; }
[ -e "$TESTS" ] || [ -e "$TESTS.js" ] || { echo "no test module $TESTS" >&2; exit 2; }

CLEAN_WS=""
if [ $# -ge 3 ]; then
  WS="$3"
else
  WS="$(mktemp -d "${TMPDIR:-/tmp}/vscode-e2e-ws.XXXXXX")"; CLEAN_WS="$WS"
fi
trap '[ -z "$CLEAN_WS" ] || rm -rf "$CLEAN_WS"' EXIT

# A built workbench ignores extensionDevelopmentPath/extensionTestsPath in the URL
# payload unless the server runs with --enable-smoke-test-driver.
export E2E_CODE_SERVER_ARGS="${E2E_CODE_SERVER_ARGS:-} --vscode-option enable-smoke-test-driver"

bash "$HERE/start-code-server.sh" - "$WS" -- \
  "$E2E_NODE" "$HERE/extension-tests.mjs" \
    --extension-development-path "$EXT_DIR" \
    --extension-tests-path "$TESTS" \
    --out "${E2E_OUT:-e2e-out}"

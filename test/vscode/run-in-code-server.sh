#!/usr/bin/env bash
# Runs the extension-API mocha suite (dist/test/suite/index.js) inside
# code-server's real extension host, on a fresh copy of test/vscode/workspace.
# Needs the e2e cache (test/e2e/setup.sh, or the shared recipe's setup.sh).
#
#   test/vscode/run-in-code-server.sh            # build, then run
#   POOLSCOPE_TEST_GREP='diagnostics' test/vscode/run-in-code-server.sh
#
# Env: E2E_CACHE (default $HOME/.cache/poolscope-e2e), E2E_OUT (default e2e-out/vscode-suite),
#      SKIP_BUILD=1 to use the existing dist/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export E2E_CACHE="${E2E_CACHE:-$HOME/.cache/poolscope-e2e}"
# The project's copy of the recipe scripts, else the shared read-only original.
RECIPE="$ROOT/test/e2e"
[ -f "$RECIPE/run-mocha-in-code-server.sh" ] || RECIPE="${POOLSCOPE_RECIPE_DIR:-/work/shared/recipes/vscode-e2e}"
[ "${SKIP_BUILD:-}" = 1 ] || npm run build --silent
WS="$(mktemp -d "${TMPDIR:-/tmp}/poolscope-vscode-ws.XXXXXX")"
trap 'rm -rf "$WS"' EXIT
cp -r test/vscode/workspace/. "$WS"/
export E2E_OUT="${E2E_OUT:-$ROOT/e2e-out/vscode-suite}"
export E2E_MOCHA_RESULTS="${E2E_MOCHA_RESULTS:-$E2E_OUT/mocha-results.json}"
mkdir -p "$E2E_OUT"
bash "$RECIPE/run-mocha-in-code-server.sh" "$ROOT" dist/test/suite/index.js "$WS"

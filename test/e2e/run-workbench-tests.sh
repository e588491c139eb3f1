#!/usr/bin/env bash
# run-workbench-tests.sh (= npm run test:workbench) — PoolScope in a real
# VS Code workbench (code-server), the way a user gets it:
#
#   1. setup.sh: Node 24, code-server, Playwright driver, vsce into a cache
#      (E2E_CACHE, default ~/.cache/poolscope-e2e; ~5 min cold, ~1 s warm)
#   2. npm run build, then package-vsix.mjs → the platform .vsix; its file list is checked
#   3. the .vsix installed into a fresh code-server; poolscope.e2e.mjs drives it
#      with Playwright in Debian's Chromium (palette, webview, status bar,
#      Problems, export); screenshots in e2e-out/
#   3b. restricted.e2e.mjs in a second code-server with Workspace Trust on and the
#      folder untrusted (Restricted Mode: CodeLens, one refusal, disabled run controls)
#   4. the extension-API mocha suite (dist/test/suite/index.js) inside
#      code-server's extension host (run-mocha-in-code-server.sh)
#
# Env: E2E_OUT (artifacts, default ./e2e-out), E2E_SKIP_BUILD=1, E2E_SKIP_MOCHA=1,
# plus those of setup.sh / start-code-server.sh. Exit 0 only if every step passed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
export E2E_CACHE="${E2E_CACHE:-$HOME/.cache/poolscope-e2e}"
OUT="$(mkdir -p "${E2E_OUT:-$ROOT/e2e-out}" && cd "${E2E_OUT:-$ROOT/e2e-out}" && pwd)"
# Stale artifacts of an earlier run would mislead: remove what these scripts write.
rm -rf "$OUT"/*.png "$OUT"/*.html "$OUT"/*.txt "$OUT"/*.json "$OUT"/*.log "$OUT/mocha"
log() { printf '[workbench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
t_start=$SECONDS

TMP="$(mktemp -d "${TMPDIR:-/tmp}/poolscope-workbench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

log "setup (cache $E2E_CACHE)"
bash "$HERE/setup.sh"
# shellcheck disable=SC1091
source "$E2E_CACHE/env.sh"

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
  log "build"
  npm run build --silent
fi

log "package"
VSIX="$TMP/poolscope.vsix"
node "$HERE/package-vsix.mjs" --out "$VSIX" | tail -1
# The .vsix must hold what the extension needs at run time and nothing else.
python3 - "$VSIX" <<'EOF'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ['extension/package.json', 'extension/readme.md', 'extension/changelog.md', 'extension/media/icon.png',
        'extension/dist/extension.js', 'extension/dist/runner.js', 'extension/dist/worker.js', 'extension/dist/webview.js',
        'extension/node_modules/esbuild/lib/main.js']
missing = [n for n in need if n not in names]
native = [n for n in names if n.startswith('extension/node_modules/@esbuild/') and n.endswith(('/bin/esbuild', '/esbuild.exe'))]
stray = [n for n in names if n.startswith(('extension/src/', 'extension/test/', 'extension/webview/', 'extension/dist/test/'))
         or n.endswith(('.ts', '.map'))
         or (n.startswith('extension/node_modules/') and not n.startswith(('extension/node_modules/esbuild/', 'extension/node_modules/@esbuild/')))]
if missing or len(native) != 1 or stray:
    print(f'vsix contents wrong: missing={missing} native={native} stray={sorted(stray)[:20]}', file=sys.stderr)
    sys.exit(1)
print(f'vsix: {len(names)} entries, native esbuild {native[0]}')
EOF

passed=0; failed=0
# What failed, by step and check, printed again as the last lines: a CI log is often read from its end.
failures=()
# Runs one step, keeps going so every step reports, and adds up the tests it
# counted (its "<name>: N passed, M failed" line); a step that fails without
# such a line counts as one failure. Returns the step's exit code.
run_step() { # name, command…
  local name="$1"; shift
  local logf="$TMP/step.log" rc=0 line n0=${#failures[@]}
  log "$name"
  "$@" 2>&1 | tee "$logf" || rc=$?
  line="$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$logf" | tail -1 || true)"
  if [ -n "$line" ]; then
    passed=$((passed + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")))
  fi
  if [ "$rc" -ne 0 ]; then
    log "FAILED: $name (exit $rc)"
    if [ -z "$line" ] || [ "$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")" = 0 ]; then failed=$((failed + 1)); fi
    # The checks' own FAIL lines (UI e2e), mocha's numbered failures and the runners' last words.
    while IFS= read -r l; do failures+=("$name: ${l:0:400}"); done < <(grep -a -E '\] FAIL |^ +[0-9]+\) |E2E FAILED|EXTENSION TESTS FAILED' "$logf" | head -20)
    [ ${#failures[@]} -gt "$n0" ] || failures+=("$name: exit $rc, no FAIL line (see the log above)")
  fi
  return "$rc"
}

# A UI step that fails is run once more in a fresh code-server, and both outcomes are reported: a check that
# fails only on a loaded machine (a workbench that took longer than a bound) is then told apart from a broken
# one, which fails twice. Only the second attempt's count is kept, so a flake does not count a test twice.
run_ui_step() { # name, workspace template, its copy's folder name, command… (the literal WORKSPACE: the copy's path)
  local name="$1" template="$2" folder="$3"; shift 3
  local attempt ws p0="$passed" f0="$failed"
  for attempt in 1 2; do
    ws="$TMP/attempt-$attempt-$RANDOM/$folder"
    mkdir -p "$(dirname "$ws")" && cp -r "$template" "$ws"
    local args=() a
    for a in "$@"; do if [ "$a" = WORKSPACE ]; then args+=("$ws"); else args+=("$a"); fi; done
    if run_step "$name$([ "$attempt" = 1 ] || echo " (attempt $attempt)")" "${args[@]}"; then
      [ "$attempt" = 1 ] || failures+=("$name: passed on its second attempt (the first one's failure is above)")
      return 0
    fi
    [ "$attempt" = 2 ] || { passed="$p0"; failed="$f0"; log "retrying $name once in a fresh code-server"; }
  done
  return 1
}

run_ui_step "UI e2e in code-server" "$HERE/workspace" workspace \
  env E2E_OUT="$OUT" bash "$HERE/start-code-server.sh" "$VSIX" WORKSPACE -- \
  "$E2E_NODE" "$HERE/poolscope.e2e.mjs" --out "$OUT" || true

# Restricted Mode: a fresh code-server with Workspace Trust on and the folder untrusted
# (no start-up prompt: it opens restricted, as after "Don't Trust").
printf '%s\n' '{ "security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never", "security.workspace.trust.banner": "never" }' \
  > "$TMP/restricted-settings.json"
run_ui_step "Restricted Mode e2e in code-server" "$HERE/workspace" restricted-workspace \
  env E2E_OUT="$OUT" E2E_WORKSPACE_TRUST=1 E2E_SETTINGS_JSON="$TMP/restricted-settings.json" \
  bash "$HERE/start-code-server.sh" "$VSIX" WORKSPACE -- "$E2E_NODE" "$HERE/restricted.e2e.mjs" --out "$OUT" || true

if [ "${E2E_SKIP_MOCHA:-0}" != 1 ]; then
  if [ -f "$ROOT/dist/test/suite/index.js" ]; then
    MOCHA_WS="$TMP/mocha-workspace"
    if [ -d "$ROOT/test/vscode/workspace" ]; then cp -r "$ROOT/test/vscode/workspace" "$MOCHA_WS"; else cp -r "$HERE/workspace" "$MOCHA_WS"; fi
    run_step "extension-API suite in code-server's extension host" \
      env E2E_OUT="$OUT/mocha" bash "$HERE/run-mocha-in-code-server.sh" "$ROOT" dist/test/suite/index.js "$MOCHA_WS" || true
  else
    log "FAILED: dist/test/suite/index.js missing (test/vscode/suite not built)"
    failed=$((failed + 1))
  fi
fi

log "done in $((SECONDS - t_start)) s; artifacts in $OUT"
echo "workbench: $passed passed, $failed failed"
for f in "${failures[@]}"; do echo "  $f"; done
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

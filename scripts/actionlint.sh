#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint, built from the Go module proxy (actionlint has no
# npm or Debian package we may use offline). The binary is cached outside the repository and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION="v1.7.12"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/flashduty-wiring"
BIN_DIR="$CACHE_ROOT/actionlint-$ACTIONLINT_VERSION"
ACTIONLINT="$BIN_DIR/actionlint"

if [[ ! -x "$ACTIONLINT" ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "actionlint.sh: Go is not installed (needed once to build actionlint $ACTIONLINT_VERSION)." >&2
    echo "  Install Go >= 1.22 (https://go.dev/doc/install) or put an actionlint binary at $ACTIONLINT." >&2
    exit 1
  fi
  echo "actionlint.sh: building actionlint $ACTIONLINT_VERSION into $BIN_DIR (one-time)" >&2
  mkdir -p "$BIN_DIR"
  start=$(date +%s)
  # CGO off: a static binary, no C toolchain needed.
  GOBIN="$BIN_DIR" CGO_ENABLED=0 nice go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  echo "actionlint.sh: built in $(($(date +%s) - start))s" >&2
fi

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [[ ${#workflows[@]} -eq 0 ]]; then
  echo "actionlint.sh: no workflow files under .github/workflows/" >&2
  exit 1
fi
# -shellcheck= : do not look for shellcheck (not installed here; it would be a Debian package).
"$ACTIONLINT" -shellcheck= -pyflakes= "$@" "${workflows[@]}"
echo "actionlint: ${#workflows[@]} workflow file(s) OK"

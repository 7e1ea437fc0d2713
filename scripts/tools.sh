#!/usr/bin/env bash
# Builds the test tools pinned in tools/go.mod (a module of its own, so their dependencies stay out
# of fmn's go.mod) into $HOME/.cache/fmn-tools/<tool>-<version>/, once per version: a second run
# costs nothing. Today that is mailpit, the SMTP server of the email tests (internal/testkit/mailtest),
# ergo, the IRC server of the IRC tests (internal/testkit/irctest), and devoidc, the dev/test OpenID
# Provider of the login tests (internal/testkit/oidctest), whose version also hashes its own source.
# `make run` uses the same three. `scripts/tools.sh lint` builds only golangci-lint, the linter of
# `make lint` (a few minutes the first time, so the tests and `make run` don't wait for it). It
# prints each binary's path as NAME=PATH on stdout (what it is doing goes to stderr), for
# `eval "$(scripts/tools.sh)"`.
set -euo pipefail
cd "$(dirname "$0")/../tools"
export PATH=$PATH:/usr/local/go/bin
. ../scripts/lib.sh

cache=${FMN_TOOLS_CACHE:-$HOME/.cache/fmn-tools}

# build <name> <module> <package> [version]: the version defaults to the module's.
build() {
  local name=$1 mod=$2 pkg=$3
  local ver=${4:-} dir
  [ -n "$ver" ] || ver=$(go list -m -f '{{.Version}}' "$mod")
  dir=$cache/$name-$ver
  if [ -x "$dir/$name" ]; then
    echo "[tools] $name $ver: cached in $dir" >&2
  else
    echo "[tools] building $name $ver into $dir (downloads its modules and compiles: a minute or two the first time)" >&2
    mkdir -p "$dir"
    progress "building $name" go build -trimpath -o "$dir/$name.tmp" "$pkg"
    mv "$dir/$name.tmp" "$dir/$name"
    echo "[tools] $name $ver: built" >&2
  fi
  echo "$name=$dir/$name"
}

if [ "${1:-}" = lint ]; then
  build golangci-lint github.com/golangci/golangci-lint/v2 github.com/golangci/golangci-lint/v2/cmd/golangci-lint
  exit 0
fi
build mailpit github.com/axllent/mailpit github.com/axllent/mailpit
build ergo github.com/ergochat/ergo github.com/ergochat/ergo
# devoidc is our own code: its version is zitadel/oidc's plus a hash of the files in tools/devoidc
# (sorted by name, concatenated), so any change rebuilds it. internal/testkit/oidctest computes the same.
devoidc_hash=$(cd devoidc && LC_ALL=C ls -1 | LC_ALL=C sort | while read -r f; do if [ -f "$f" ]; then cat "$f"; fi; done | sha256sum | cut -c1-12)
build devoidc github.com/zitadel/oidc/v3 ./devoidc "$(go list -m -f '{{.Version}}' github.com/zitadel/oidc/v3)-$devoidc_hash"

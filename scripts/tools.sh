#!/usr/bin/env bash
# Builds the test tools pinned in tools/go.mod (a module of its own, so their dependencies stay out
# of fmn's go.mod) into $HOME/.cache/fmn-tools/<tool>-<version>/, once per version: a second run
# costs nothing. Today that is mailpit, the SMTP server of the email tests (internal/mailtest).
set -euo pipefail
cd "$(dirname "$0")/../tools"
export PATH=$PATH:/usr/local/go/bin

cache=${FMN_TOOLS_CACHE:-$HOME/.cache/fmn-tools}
ver=$(go list -m -f '{{.Version}}' github.com/axllent/mailpit)
dir=$cache/mailpit-$ver
if [ -x "$dir/mailpit" ]; then
  echo "[tools] mailpit $ver: cached in $dir" >&2
  exit 0
fi
echo "[tools] building mailpit $ver (about 2 minutes on a fresh machine)" >&2
mkdir -p "$dir"
go build -trimpath -o "$dir/mailpit.tmp" github.com/axllent/mailpit
mv "$dir/mailpit.tmp" "$dir/mailpit"
echo "[tools] mailpit $ver: built into $dir" >&2

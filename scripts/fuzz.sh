#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME (default 60s) one after the other, then keeps
# the corpus the engine found in each package's testdata/fuzz/<Target>/ (plain `go test` runs
# those entries as test cases, so CI replays them). A failing input is written there by Go itself
# and makes this script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-60s}
cache=$(go env GOCACHE)/fuzz/$(go list -m)
status=0
while IFS= read -r line; do
  file=${line%%:*}
  target=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"${line#*:}")
  pkg=$(dirname "$file")
  echo "== $pkg $target ($fuzztime)"
  if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$pkg"; then
    status=1
  fi
  if [ -d "$cache/$pkg/$target" ]; then
    mkdir -p "$pkg/testdata/fuzz/$target"
    cp -n "$cache/$pkg/$target"/* "$pkg/testdata/fuzz/$target/" 2>/dev/null || true
  fi
done < <(git ls-files '*_test.go' | xargs grep -H '^func Fuzz' | sed -E 's/^([^:]*):/\1:/')
exit $status

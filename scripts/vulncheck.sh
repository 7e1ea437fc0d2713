#!/usr/bin/env bash
# Checks fmn's dependencies and the Go standard library it is built with against the Go
# vulnerability database, without reaching vuln.go.dev: the database comes from the module
# golang.org/x/vulndb (its data/osv reports, served by the Go module proxy like any module), is
# indexed once into $HOME/.cache/fmn-tools/vulndb-<version>/ by vulndb's own indexdb, and
# govulncheck reads it from there (-db file://). The database is as recent as VULNDB_VERSION:
# bump it (the newest pseudo-version: `go list -m golang.org/x/vulndb@master`) to see newer
# reports. Exit status: govulncheck's (3 when your code reaches a known vulnerability).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
. scripts/lib.sh

GOVULNCHECK_VERSION=${GOVULNCHECK_VERSION:-v1.9.0}
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
db=${FMN_TOOLS_CACHE:-$HOME/.cache/fmn-tools}/vulndb-$VULNDB_VERSION

if [ ! -f "$db/index/db.json" ]; then
  echo "[vulncheck] building the vulnerability database $VULNDB_VERSION into $db (downloads golang.org/x/vulndb, ~70 MB: a minute or two)" >&2
  src=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  if [ -z "$src" ] || [ ! -d "$src/data/osv" ]; then
    echo "[vulncheck] golang.org/x/vulndb@$VULNDB_VERSION has no data/osv: the Go module proxy must serve it (GOPROXY=$(go env GOPROXY))" >&2
    exit 2
  fi
  rm -rf "$db.tmp"
  progress "indexing the vulnerability database" go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$db.tmp"
  mv "$db.tmp" "$db"
fi
echo "[vulncheck] govulncheck $GOVULNCHECK_VERSION, database $VULNDB_VERSION ($(go env GOVERSION))" >&2
exec go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -db "file://$db" "$@" ./...

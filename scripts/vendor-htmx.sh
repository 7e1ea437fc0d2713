#!/usr/bin/env bash
# Copies htmx from its npm tarball into internal/web/ui/static/vendor/, where it is committed and
# served from the binary (embed.FS): Node is needed only to run this script, never to build or run
# fmn. Run it again with another version to upgrade: scripts/vendor-htmx.sh 2.0.11
set -euo pipefail
version=${1:-2.0.11}
dest="$(cd "$(dirname "$0")/.." && pwd)/internal/web/ui/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@$version" >/dev/null && tar xzf "htmx.org-$version.tgz")
mkdir -p "$dest"
cp "$tmp/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/package/LICENSE" "$dest/htmx.LICENSE"
echo "htmx.org $version" >"$dest/VERSIONS"
echo "vendored htmx.org $version into $dest"

#!/usr/bin/env bash
# make fresh-check: the README's two commands as a newcomer meets them. Clones the committed tree
# (HEAD) into a temporary directory, with no shared/ beside it and with an empty HOME, GOMODCACHE
# and GOCACHE (so ~/.cache/fmn-tools is empty too), then
#   1. runs `make run` until the demo user's first notification has arrived by SSE, email and IRC
#      and a login through devoidc worked (fmnctl demo-check says "every channel delivered"),
#      then stops it;
#   2. runs `CI=true make test` there: the whole suite, nothing run before it but `make run`.
# Prints the time of each. It needs the ports `make run` uses (8080, 8082, 9101-9105, 1025, 8025,
# 6667, 9998): stop a `make run` of your own first. FMN_FRESH_KEEP=1 keeps the directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$PATH:/usr/local/go/bin

log() { printf '[fresh-check] %s\n' "$*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports="8080 8082 9101 9102 9103 9104 9105 1025 8025 6667 9998"
for p in $ports; do
  if port_open "$p"; then log "port $p is in use (a make run of your own?): stop it first"; exit 1; fi
done

work=$(mktemp -d /tmp/fmn-fresh.XXXXXX)
runpid=
cleanup() {
  if [ -n "$runpid" ] && kill -0 "$runpid" 2>/dev/null; then kill -TERM -- "-$runpid" 2>/dev/null || true; fi
  if [ -z "${FMN_FRESH_KEEP:-}" ]; then
    chmod -R u+w "$work" 2>/dev/null || true # the module cache is read-only
    rm -rf "$work"
  else
    log "kept $work"
  fi
}
trap cleanup EXIT

git clone -q --no-local "$root" "$work/fmn"
log "cloned $(git -C "$work/fmn" rev-parse --short HEAD) into $work/fmn (uncommitted changes are not in it)"
export HOME=$work/home GOMODCACHE=$work/gomodcache GOCACHE=$work/gocache GOPATH=$work/gopath
unset FMN_MAILPIT FMN_ERGO FMN_DEVOIDC FMN_CORPUS FMN_TOOLS_CACHE GOFLAGS
mkdir -p "$HOME"
cd "$work/fmn"

# 1. make run, until every channel delivered.
log "make run (its output follows, indented)"
started=$SECONDS
setsid make run >"$work/run.log" 2>&1 </dev/null &
runpid=$!
tail -n +1 -f "$work/run.log" --pid "$runpid" | sed -u 's/^/    /' &
tailpid=$!
limit=$((45 * 60)) # a bound for a fresh machine's builds; not an expected duration
outcome=
while [ -z "$outcome" ]; do
  if grep -q 'every channel delivered' "$work/run.log"; then outcome=ok
  elif grep -q 'fmnctl demo-check:' "$work/run.log"; then outcome="demo-check failed"
  elif ! kill -0 "$runpid" 2>/dev/null; then outcome="make run exited"
  elif [ $((SECONDS - started)) -gt "$limit" ]; then outcome="nothing after ${limit}s"
  else sleep 1
  fi
done
run_time=$((SECONDS - started))
kill -TERM -- "-$runpid" 2>/dev/null || true
wait "$runpid" 2>/dev/null || true
runpid=
wait "$tailpid" 2>/dev/null || true
if [ "$outcome" != ok ]; then
  log "make run: $outcome after ${run_time}s; its logs:"
  tail -n 20 .cache/run/logs/*.log 2>/dev/null || true
  exit 1
fi
for _ in $(seq 1 60); do # let the stopped processes release their ports
  busy=
  for p in $ports; do if port_open "$p"; then busy=$p; fi; done
  [ -z "$busy" ] && break
  sleep 0.5
done

# 2. the whole suite.
log "make run: every channel delivered $(printf '%dm%02ds' $((run_time / 60)) $((run_time % 60))) after the clone; now CI=true make test"
started=$SECONDS
rc=0
CI=true make test || rc=$?
test_time=$((SECONDS - started))
log "make run (to every channel delivered): $(printf '%dm%02ds' $((run_time / 60)) $((run_time % 60)))"
log "CI=true make test: $(printf '%dm%02ds' $((test_time / 60)) $((test_time % 60))), exit $rc"
exit "$rc"

#!/usr/bin/env bash
# Runs all of fmn locally on this machine's PostgreSQL, RabbitMQ and Redis, with every channel and
# demo data: makes sure the services run, builds the dev tools (mailpit for email, ergo for IRC,
# devoidc for the OpenID login) and fmn, migrates, seeds a demo user (SSE, email and IRC, all
# confirmed), starts mailpit, ergo, devoidc, the consumer, two workers, the backend and the web app,
# prints where to look, replays the real-message corpus onto the bus, and shows the demo user's
# first notification on every channel and a login through devoidc (fmnctl demo-check).
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
. scripts/lib.sh

step() { printf '== %s\n' "$*"; }

step "services: PostgreSQL, Redis, RabbitMQ on 127.0.0.1 (installed from Debian's packages if missing)"
FMN_SKIP_CHROMIUM=1 scripts/services.sh

step "dev tools: mailpit (email), ergo (IRC), devoidc (OpenID login), built once into ~/.cache/fmn-tools"
tools=$(scripts/tools.sh)
eval "$tools"

state=.cache/run
mkdir -p "$state/logs" bin
for f in sse-secret mute-secret; do
  if [ ! -s "$state/$f" ]; then head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/$f"; fi
done
for f in oidc-secret admin-token; do
  if [ ! -s "$state/$f" ]; then head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/$f"; fi
done

export FMN_DATABASE_URL=${FMN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fmn?sslmode=disable}
export FMN_AMQP_URL=${FMN_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}
export FMN_REDIS_URL=${FMN_REDIS_URL:-redis://127.0.0.1:6379/0}
export FMN_SSE_SECRET_FILE=$state/sse-secret
export FMN_WEB_ADMIN_TOKEN_FILE=$state/admin-token
export FMN_STREAM_URL=http://127.0.0.1:8082/stream
export FMN_MUTE_SECRET_FILE=$state/mute-secret
export FMN_PUBLIC_URL=http://127.0.0.1:8080

# Email goes to mailpit (SMTP 127.0.0.1:1025, inbox on :8025); IRC to ergo on 127.0.0.1:6667 with
# the tests' config (internal/devtools/ircd.yaml.tmpl), plain text. Retries come sooner than in
# production, so that a nick that joins late gets its lines within seconds. The email flood guard
# is off: the replay sends the demo address about 80 emails, and the guard (20 per 10 minutes)
# would hold the rest for a digest half an hour later, and a second `make run` within those 10
# minutes would show no email at all.
backend_env=(FMN_SMTP_ADDR=127.0.0.1:1025 FMN_SMTP_TLS=none "FMN_MAIL_FROM=fmn <notifications@localhost>"
  FMN_EMAIL_FLOOD_LIMIT=0 FMN_IRC_SERVER=127.0.0.1:6667 FMN_IRC_TLS=false FMN_IRC_RETRY_DELAYS=10s,1m,5m)
mkdir -p "$state/ergo"
sed 's/{{PORT}}/6667/' internal/devtools/ircd.yaml.tmpl >"$state/ergo/ircd.yaml"
# Login goes through devoidc on 127.0.0.1:9998 (alice / alice-password, bob / bob-password). alice
# and demo are administrators here (the Admin pages); devoidc is the account system of this trial
# stack, so its user names are trusted as unique (FMN_OIDC_USERNAME_UNIQUE; see SECURITY.md). The
# status page reads RabbitMQ's management API (scripts/services.sh enables it).
web_env=(FMN_WEB_ADMINS=alice,demo FMN_OIDC_USERNAME_UNIQUE=true FMN_RABBITMQ_API_URL=http://guest:guest@127.0.0.1:15672
  FMN_OIDC_ISSUER=http://127.0.0.1:9998 FMN_OIDC_CLIENT_ID=fmn
  "FMN_OIDC_CLIENT_SECRET_FILE=$state/oidc-secret" FMN_OIDC_REDIRECT_URL=http://127.0.0.1:8080/auth/callback)

step "building fmn into bin/ (the first time this downloads fmn's modules and compiles: a few minutes)"
progress "building fmn" go build -o bin/ ./cmd/...

step "database: migrate, seed the demo user"
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'fmn'" | grep -q 1 ||
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE fmn"
bin/fmnctl migrate
bin/fmnctl seed-demo

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping fmn..."
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# spawn NAME CMD...: runs CMD in the background, its output in $state/logs/NAME.log.
spawn() {
  local name=$1; shift
  "$@" >"$state/logs/$name.log" 2>&1 &
  pids+=($!)
}
# await NAME URL: waits (60 s at most) until URL answers 2xx, failing early if a process exited.
await() {
  local name=$1 url=$2
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    for p in "${pids[@]}"; do
      if ! kill -0 "$p" 2>/dev/null; then
        echo "a process exited before $name was ready; the logs' last lines ($state/logs):"
        tail -n 5 "$state"/logs/*.log; exit 1
      fi
    done
    sleep 0.5
  done
  echo "$name ($url) never became ready; logs in $state/logs"; exit 1
}

step "starting mailpit, ergo, devoidc, then web, backend, two workers, consumer"
spawn mailpit "$mailpit" -s 127.0.0.1:1025 -l 127.0.0.1:8025 --disable-version-check -q
spawn ergo sh -c "cd '$state/ergo' && exec '$ergo' run --conf ircd.yaml"
spawn devoidc "$devoidc" -listen 127.0.0.1:9998 -issuer http://127.0.0.1:9998 -client-id fmn \
  -client-secret "$(cat "$state/oidc-secret")" -redirect-uri http://127.0.0.1:8080/auth/callback
await mailpit http://127.0.0.1:8025/api/v1/messages?limit=1
# The web app discovers the provider when it starts.
await devoidc http://127.0.0.1:9998/.well-known/openid-configuration
spawn web env "${web_env[@]}" bin/web
spawn backend env "${backend_env[@]}" bin/backend
spawn worker-1 env FMN_WORKER_METRICS_ADDR=127.0.0.1:9102 bin/worker
spawn worker-2 env FMN_WORKER_METRICS_ADDR=127.0.0.1:9103 bin/worker
spawn consumer bin/consumer
await web http://127.0.0.1:8080/readyz
await backend http://127.0.0.1:8082/readyz
await worker-1 http://127.0.0.1:9102/readyz
await worker-2 http://127.0.0.1:9103/readyz
await consumer http://127.0.0.1:9101/readyz

stream=$(bin/fmnctl stream-token -ttl 24h demo)
cat <<MSG

fmn is running. Where to look:
  web UI    http://127.0.0.1:8080  log in as alice / alice-password or bob / bob-password (devoidc)
  email     http://127.0.0.1:8025  mailpit's inbox (SMTP on 127.0.0.1:1025)
  IRC       127.0.0.1:6667, no TLS: the bot is "fmn" (message it "help"); the demo user's nick
            "demo" is held by this script, its lines go to $state/logs/irc-demo.log
  stream    curl -N '$stream&last_event_id=0-0'
  status    http://127.0.0.1:8080/admin/status (alice is an administrator)
  API       curl -H "Authorization: Bearer \$(cat $state/admin-token)" http://127.0.0.1:8080/api/v1/users/demo/filters
  metrics   /metrics on :9101 (consumer), :9102 and :9103 (workers), :9105 (backend), :9104 (web)
  logs      $state/logs/

MSG

# The demo user's stream and IRC nick must be connected before the replay, or their first
# notifications would pass them by.
rm -f "$state/demo-ready"
echo "replaying the $(wc -l <testdata/corpus/bus-corpus.jsonl) real Fedora messages of testdata/corpus onto the bus (20 messages/s; Ctrl-C stops everything)."
echo "The demo user's first notification on each channel, and a login through devoidc:"
bin/fmnctl demo-check -stream "$stream" -mailpit http://127.0.0.1:8025 -irc 127.0.0.1:6667 \
  -oidc-issuer http://127.0.0.1:9998 -ready "$state/demo-ready" -hold -irc-log "$state/logs/irc-demo.log" &
checker=$!
pids+=($checker)
for _ in $(seq 1 120); do
  if [ -e "$state/demo-ready" ] || ! kill -0 "$checker" 2>/dev/null; then break; fi
  sleep 0.5
done
spawn replay bin/fmnctl replay -fresh-ids -rate 20
wait

#!/usr/bin/env bash
# Runs all of fmn locally on this machine's PostgreSQL, RabbitMQ and Redis, with demo data:
# migrates, seeds a demo user, starts the consumer, two workers, the backend and the web app,
# replays the real-message corpus onto the bus, and shows the demo user's notifications arriving.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

FMN_SKIP_CHROMIUM=1 scripts/services.sh

state=.cache/run
mkdir -p "$state/logs" bin
if [ ! -s "$state/sse-secret" ]; then head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/sse-secret"; fi
if [ ! -s "$state/mute-secret" ]; then head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/mute-secret"; fi
if [ ! -s "$state/oidc-secret" ]; then head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/oidc-secret"; fi
if [ ! -s "$state/admin-token" ]; then head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/admin-token"; fi

export FMN_DATABASE_URL=${FMN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fmn?sslmode=disable}
export FMN_AMQP_URL=${FMN_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}
export FMN_REDIS_URL=${FMN_REDIS_URL:-redis://127.0.0.1:6379/0}
export FMN_SSE_SECRET_FILE=$state/sse-secret
export FMN_WEB_ADMIN_TOKEN_FILE=$state/admin-token
export FMN_STREAM_URL=http://127.0.0.1:8082/stream
export FMN_MUTE_SECRET_FILE=$state/mute-secret
export FMN_PUBLIC_URL=http://127.0.0.1:8080

# Email goes to a local mailpit when its binary is built (`make tools`); without it the backend
# runs with email delivery disabled.
mailpit=$HOME/.cache/fmn-tools/mailpit-v1.27.11/mailpit
backend_env=()
if [ -x "$mailpit" ]; then
  backend_env=(FMN_SMTP_ADDR=127.0.0.1:1025 FMN_SMTP_TLS=none "FMN_MAIL_FROM=fmn <notifications@localhost>")
else
  echo "email delivery off: run 'make tools' to build mailpit and get email locally"
fi

# IRC goes to a local ergo on 127.0.0.1:6667 when its binary is built (`make tools`), with the
# tests' config (internal/irctest/ircd.yaml.tmpl); connect any IRC client there and send "help"
# to the bot "fmn".
ergo=$(ls -d "$HOME"/.cache/fmn-tools/ergo-*/ergo 2>/dev/null | tail -1 || true)
if [ -n "$ergo" ] && [ -x "$ergo" ]; then
  mkdir -p "$state/ergo"
  sed 's/{{PORT}}/6667/' internal/irctest/ircd.yaml.tmpl >"$state/ergo/ircd.yaml"
  backend_env+=(FMN_IRC_SERVER=127.0.0.1:6667 FMN_IRC_TLS=false)
else
  echo "irc delivery off: run 'make tools' to build ergo and get IRC locally"
fi

# Login goes through a local devoidc (tools/devoidc, a dev-only OpenID Provider) on
# 127.0.0.1:9998 when its binary is built (`make tools`; the newest build is used): log in as
# alice / alice-password or bob / bob-password. Without it the web app runs without OIDC login.
devoidc=$(ls -td "$HOME"/.cache/fmn-tools/devoidc-*/devoidc 2>/dev/null | head -n 1 || true)
# alice and demo are administrators here (the Admin pages). The status page reads RabbitMQ's
# management API (scripts/services.sh enables it).
web_env=(FMN_WEB_ADMINS=alice,demo FMN_RABBITMQ_API_URL=http://guest:guest@127.0.0.1:15672)
if [ -n "$devoidc" ] && [ -x "$devoidc" ]; then
  web_env+=(FMN_OIDC_ISSUER=http://127.0.0.1:9998 FMN_OIDC_CLIENT_ID=fmn
    "FMN_OIDC_CLIENT_SECRET_FILE=$state/oidc-secret" FMN_OIDC_REDIRECT_URL=http://127.0.0.1:8080/auth/callback)
else
  # No provider: the development login (type any name), which is never on unless asked for.
  web_env+=(FMN_WEB_DEV_LOGIN=true)
  echo "oidc login off (run 'make tools' to build devoidc): the development login is on instead"
fi

echo "building..."
go build -o bin/ ./cmd/...

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

start() { # start NAME CMD [ENV=VALUE...]
  local name=$1 cmd=$2; shift 2
  env "$@" "bin/$cmd" >"$state/logs/$name.log" 2>&1 &
  pids+=($!)
}
if [ -x "$mailpit" ]; then
  "$mailpit" -s 127.0.0.1:1025 -l 127.0.0.1:8025 --disable-version-check -q >"$state/logs/mailpit.log" 2>&1 &
  pids+=($!)
fi
if [ -n "$ergo" ] && [ -x "$ergo" ]; then
  (cd "$state/ergo" && exec "$ergo" run --conf ircd.yaml) >"$state/logs/ergo.log" 2>&1 &
  pids+=($!)
fi
if [ -n "$devoidc" ] && [ -x "$devoidc" ]; then
  "$devoidc" -listen 127.0.0.1:9998 -issuer http://127.0.0.1:9998 -client-id fmn \
    -client-secret "$(cat "$state/oidc-secret")" -redirect-uri http://127.0.0.1:8080/auth/callback \
    >"$state/logs/devoidc.log" 2>&1 &
  pids+=($!)
  # The web app discovers the provider at startup, so wait for it first.
  for _ in $(seq 1 60); do
    if curl -fsS http://127.0.0.1:9998/.well-known/openid-configuration >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
fi
start web web "${web_env[@]}"
start backend backend "${backend_env[@]}"
start worker-1 worker FMN_WORKER_METRICS_ADDR=127.0.0.1:9102
start worker-2 worker FMN_WORKER_METRICS_ADDR=127.0.0.1:9103
start consumer consumer

for url in http://127.0.0.1:8080 http://127.0.0.1:8082 http://127.0.0.1:9102 http://127.0.0.1:9103 http://127.0.0.1:9101; do
  for _ in $(seq 1 120); do
    if curl -fsS "$url/readyz" >/dev/null 2>&1; then continue 2; fi
    for p in "${pids[@]}"; do
      if ! kill -0 "$p" 2>/dev/null; then echo "a process exited; logs in $state/logs:"; tail -n 5 "$state"/logs/*.log; exit 1; fi
    done
    sleep 0.5
  done
  echo "$url never became ready; logs in $state/logs"; exit 1
done
echo "fmn is running: web :8080, backend :8082, metrics :9101-9103 (logs in $state/logs)"
if [ -n "$devoidc" ] && [ -x "$devoidc" ]; then echo "log in at http://127.0.0.1:8080/login as alice / alice-password (devoidc on :9998)"
else echo "log in at http://127.0.0.1:8080/login with any name (development login)"; fi
if [ -x "$mailpit" ]; then echo "email goes to mailpit: curl -s http://127.0.0.1:8025/api/v1/messages"; fi

stream=$(bin/fmnctl stream-token -ttl 24h demo)
echo "replaying the real-message corpus onto the bus (20 messages/s)..."
bin/fmnctl replay -fresh-ids -rate 20 >"$state/logs/replay.log" 2>&1 &
pids+=($!)

echo "the demo user's first notifications, as they arrive:"
curl -sN --max-time 60 "$stream" | grep --line-buffered '^data:' | head -n 5 | cut -c1-160 || true
cat <<MSG

Watch every notification of the demo user (from the start of its stream) with:

  curl -N '$stream&last_event_id=0-0'

API: curl -H "Authorization: Bearer \$(cat $state/admin-token)" http://127.0.0.1:8080/api/v1/users/demo/filters
Press Ctrl-C to stop.
MSG
wait

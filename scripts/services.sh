#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and RabbitMQ (with its management plugin) run on 127.0.0.1 with their
# standard ports, installing them from Debian's packages where they are missing. Used by `make run` and by .ci/run.
set -euo pipefail

log() { printf '[services] %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    log "$1 is missing and installing it needs root; install it (see README) and retry"
    exit 1
  fi
}

apt_install() {
  need_root "$*"
  if [ -z "${FMN_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    export FMN_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# wait_for NAME CMD... : run CMD until it succeeds, for at most 60 s.
wait_for() {
  local name=$1; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$name did not come up"; return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http_ok URL: the URL answers 2xx (only the port is checked where curl is missing).
http_ok() {
  if command -v curl >/dev/null; then curl -fsS -o /dev/null --max-time 5 "$1"; return; fi
  local rest=${1#*://}; rest=${rest%%/*}; port_open "${rest##*:}"
}

# PostgreSQL
if ! command -v pg_ctlcluster >/dev/null; then
  log "installing postgresql"; apt_install postgresql
fi
if ! port_open 5432; then
  log "starting postgresql"
  ver=$(ls /etc/postgresql | sort -V | tail -n1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  # Local development and CI trust loopback, as this project's machines do.
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start
fi
wait_for postgresql pg_isready -h 127.0.0.1 -p 5432

# Redis
if ! command -v redis-server >/dev/null; then
  log "installing redis"; apt_install redis-server
fi
if ! port_open 6379; then
  log "starting redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
wait_for redis redis-cli -h 127.0.0.1 -p 6379 ping

# RabbitMQ
if ! command -v rabbitmq-server >/dev/null; then
  log "installing rabbitmq"; apt_install rabbitmq-server
fi
if ! port_open 5672; then
  log "starting rabbitmq"
  rabbitmq-server -detached
fi
wait_for rabbitmq port_open 5672
wait_for rabbitmq rabbitmqctl -q status
# The management plugin's HTTP API (127.0.0.1:15672) gives the status page unacked counts and rates,
# and its tests use it. Enabling works on the running node; skip it when already enabled, because
# even an unchanged enable takes seconds.
if ! rabbitmq-plugins -q is_enabled rabbitmq_management >/dev/null 2>&1; then
  log "enabling the rabbitmq management plugin"
  rabbitmq-plugins -q enable rabbitmq_management >/dev/null
fi
wait_for "rabbitmq management api" http_ok http://127.0.0.1:15672/

log "postgresql, redis and rabbitmq (with its management api on :15672) are up on 127.0.0.1"

# Chromium, for the browser tests (internal/testkit/browsertest drives it with chromedp). Not a service,
# but the tests need it the same way; FMN_SKIP_CHROMIUM=1 leaves it out (make run does not need it).
if [ -z "${FMN_SKIP_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  log "installing chromium (browser tests)"; apt_install chromium
fi

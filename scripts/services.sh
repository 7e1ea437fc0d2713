#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and RabbitMQ run on 127.0.0.1 with their standard ports, installing
# them from Debian's packages where they are missing. Used by `make run` and by .ci/run.
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

log "postgresql, redis and rabbitmq are up on 127.0.0.1"

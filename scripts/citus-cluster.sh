#!/usr/bin/env bash
# A local Citus cluster: a coordinator and N workers, each a fresh cluster (initdb) of its
# own on a free port, with Citus and pgvector in database DB:
#
#   scripts/citus-cluster.sh create DIR [WORKERS] [DB]  initdb + start the coordinator and
#                                           WORKERS (2) workers under DIR (a new directory),
#                                           create DB (headline_search) with the extensions
#                                           on every node, register the workers; prints
#                                           COORDINATOR_URL=postgres://USER@127.0.0.1:PORT/DB
#                                           and WORKER_URLS=url,url
#   scripts/citus-cluster.sh status DIR      each node, its port and whether it answers
#   scripts/citus-cluster.sh stop DIR [NODE] stops every node, or one (coordinator, worker-1, ...)
#   scripts/citus-cluster.sh start DIR [NODE] starts every node, or one
#   scripts/citus-cluster.sh destroy DIR     stops every node (immediate) and removes DIR
#   scripts/citus-cluster.sh check           exits 0 when Citus and pgvector are installed,
#                                           3 with the reason on stderr when not
#
# Ports: from CITUS_BASE_PORT (5460) up, each checked free (nothing listening, no
# PostgreSQL lock file) before it is taken. Citus must be installed into this PostgreSQL
# (../shared/tools/install-citus; on Debian it needs libkrb5-dev to build), pgvector too.
# PostgreSQL refuses to run as root: as root, the clusters belong to and run as `postgres`.
set -euo pipefail

PGSUPER=${PGSUPER:-postgres}
BASE_PORT=${CITUS_BASE_PORT:-5460}

log() { printf 'citus-cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

bindir() {
  local dir
  if [ -n "${PG_BINDIR:-}" ]; then dir=$PG_BINDIR
  else dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  [ -x "$dir/initdb" ] || die "no PostgreSQL server tools found (set PG_BINDIR)"
  echo "$dir"
}

# Citus and pgvector must be installed for these binaries, or nothing below can work.
check_installed() {
  [ -x "$(bindir 2>/dev/null)/initdb" ] || { log "no PostgreSQL server tools found (set PG_BINDIR)"; exit 3; }
  local share; share=$("$(bindir)/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$(basename "$(dirname "$(bindir)")")")
  [ -f "$share/extension/citus.control" ] || { log "Citus is not installed for $(bindir) (../shared/tools/install-citus installs it; on Debian it needs libkrb5-dev)"; exit 3; }
  [ -f "$share/extension/vector.control" ] || { log "pgvector is not installed for $(bindir)"; exit 3; }
}

port_free() {
  local port=$1
  if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then return 1; fi
  [ ! -e "/tmp/.s.PGSQL.$port.lock" ] && [ ! -e "/var/run/postgresql/.s.PGSQL.$port.lock" ]
}

# Node names in order: coordinator, worker-1, ... (from DIR/nodes, written by create).
nodes() { cut -d' ' -f1 "$1/nodes"; }
node_port() { awk -v n="$2" '$1 == n { print $2 }' "$1/nodes"; }
node_db() { cat "$1/dbname"; }

psql_node() { local port=$1 db=$2; shift 2; PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$PGSUPER" -d "$db" -At "$@"; }

start_node() {
  local dir=$1 name=$2 data="$1/$2"
  [ -f "$data/postmaster.pid" ] && return 0
  as_owner "$(bindir)/pg_ctl" -D "$data" start -w -t 120 -l "$data/server.log" >/dev/null \
    || { tail -n 30 "$data/server.log" >&2 || true; die "$name in $data did not start"; }
}

stop_node() {
  local dir=$1 name=$2 mode=${3:-fast} data="$1/$2"
  [ -f "$data/postmaster.pid" ] || return 0
  as_owner "$(bindir)/pg_ctl" -D "$data" stop -w -t 60 -m "$mode" >/dev/null || true
}

init_node() {
  local dir=$1 name=$2 port=$3 data="$1/$2"
  as_owner "$(bindir)/initdb" -D "$data" -U "$PGSUPER" --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
  as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data'
shared_preload_libraries = 'citus'
# Many small clusters share one host: modest memory each.
shared_buffers = 64MB
max_connections = 200
# Citus's two-phase commit across nodes.
max_prepared_transactions = 200
# A throwaway cluster for tests and benchmarks: no durability needed.
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
EOF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_owner tee "$data/pg_hba.conf" >/dev/null
}

create() {
  local dir=$1 workers=${2:-2} db=${3:-headline_search}
  [[ $workers =~ ^[0-9]+$ ]] || die "WORKERS must be a number, got $workers"
  [[ $db =~ ^[a-z_][a-z0-9_]*$ ]] || die "DB must be a plain lower-case name, got $db"
  [ -e "$dir" ] && die "$dir already exists; destroy it first"
  check_installed
  local owner=postgres; [ "$(id -u)" = 0 ] || owner=$(id -un)
  install -d -m 700 -o "$owner" "$dir"
  echo "$db" > "$dir/dbname"
  : > "$dir/nodes"
  local port=$BASE_PORT names=(coordinator) i
  for i in $(seq 1 "$workers"); do names+=("worker-$i"); done
  for name in "${names[@]}"; do
    while ! port_free "$port"; do port=$((port + 1)); [ "$port" -lt 65000 ] || die "no free port"; done
    echo "$name $port" >> "$dir/nodes"
    init_node "$dir" "$name" "$port"
    start_node "$dir" "$name"
    port=$((port + 1))
  done
  local coordinator; coordinator=$(node_port "$dir" coordinator)
  for name in "${names[@]}"; do
    local p; p=$(node_port "$dir" "$name")
    psql_node "$p" postgres -c "create database $db"
    psql_node "$p" "$db" -c "create extension citus" -c "create extension vector"
  done
  psql_node "$coordinator" "$db" -c "select citus_set_coordinator_host('127.0.0.1', $coordinator)" >/dev/null
  local urls=()
  for name in "${names[@]:1}"; do
    local p; p=$(node_port "$dir" "$name")
    psql_node "$coordinator" "$db" -c "select citus_add_node('127.0.0.1', $p)" >/dev/null
    urls+=("postgres://$PGSUPER@127.0.0.1:$p/$db")
  done
  local version; version=$(psql_node "$coordinator" "$db" -c "select extversion from pg_extension where extname = 'citus'")
  log "coordinator on 127.0.0.1:$coordinator with $workers worker(s), Citus $version, database $db"
  echo "COORDINATOR_URL=postgres://$PGSUPER@127.0.0.1:$coordinator/$db"
  echo "WORKER_URLS=$(IFS=,; echo "${urls[*]}")"
}

status() {
  local dir=$1 name
  for name in $(nodes "$dir"); do
    local p state; p=$(node_port "$dir" "$name")
    if psql_node "$p" postgres -c 'select 1' >/dev/null 2>&1; then state=up; else state=down; fi
    echo "$name 127.0.0.1:$p $state"
  done
}

destroy() {
  local dir=$1 name
  [ -d "$dir" ] || return 0
  if [ -f "$dir/nodes" ]; then
    for name in $(nodes "$dir"); do stop_node "$dir" "$name" immediate; done
  fi
  rm -rf "$dir"
}

each() {
  local action=$1 dir=$2 only=${3:-} name
  [ -f "$dir/nodes" ] || die "$dir is not a cluster made by this script"
  for name in $(nodes "$dir"); do
    if [ -z "$only" ] || [ "$only" = "$name" ]; then "$action" "$dir" "$name"; fi
  done
  if [ -n "$only" ] && ! nodes "$dir" | grep -qx "$only"; then die "no node $only in $dir"; fi
}

[ "${1:-}" = check ] && { check_installed; exit 0; }
[ $# -ge 2 ] || usage
case "$1" in
  create) [ $# -le 4 ] || usage; create "$2" "${3:-2}" "${4:-headline_search}" ;;
  status) status "$2" ;;
  start) each start_node "$2" "${3:-}" ;;
  stop) each stop_node "$2" "${3:-}" ;;
  destroy) destroy "$2" ;;
  *) usage ;;
esac

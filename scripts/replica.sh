#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL server, in a cluster of its own:
#
#   scripts/replica.sh create PORT DIR   pg_basebackup -R of the primary into DIR (a new
#                                        directory), started on 127.0.0.1:PORT; prints
#                                        REPLICA_URL=postgres://USER@127.0.0.1:PORT
#   scripts/replica.sh stop DIR          stops it (fast shutdown); its data stays
#   scripts/replica.sh start DIR         starts it again; it catches up from its slot
#   scripts/replica.sh destroy DIR       stops it, drops its replication slot, removes DIR
#
# The primary is PGHOST_ADDR:PGPORT_NUM (127.0.0.1:5432) as user PGSUPER (postgres), as in
# scripts/ensure-postgres.sh, which also allows the replication connection in pg_hba.conf.
# The replica runs the primary's own PostgreSQL binaries, so the extensions installed there
# (pgvector) are installed for it too. PostgreSQL refuses to run as root: as root, the
# cluster belongs to and runs as the `postgres` OS user.
set -euo pipefail

PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PGPORT_NUM=${PGPORT_NUM:-5432}
PGSUPER=${PGSUPER:-postgres}

log() { printf 'replica: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
psql_primary() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U "$PGSUPER" -d postgres -At "$@"; }

# Run as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

bindir() {
  local major; major=$(psql_primary -c "select current_setting('server_version_num')::int / 10000")
  local dir=/usr/lib/postgresql/$major/bin
  [ -x "$dir/pg_ctl" ] || die "no PostgreSQL $major tools in $dir (the replica must run the primary's major version)"
  echo "$dir"
}

# One permanent slot per replica directory: the primary keeps the WAL a stopped replica
# still needs, so it can rejoin. `destroy` drops it; `create` first drops a stale one.
slot_name() { printf 'headline_search_replica_%s' "$(basename "$1" | tr -c 'a-zA-Z0-9_\n' '_' | tr 'A-Z' 'a-z')" | cut -c1-63; }

drop_slot() {
  local slot; slot=$(slot_name "$1")
  # A slot is dropped only once nothing streams from it; the walsender goes away shortly after its replica stops.
  for _ in $(seq 1 50); do
    [ -z "$(psql_primary -c "select 1 from pg_replication_slots where slot_name = '$slot'")" ] && return 0
    psql_primary -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '$slot' and not active" >/dev/null 2>&1 || true
    sleep 0.2
  done
  log "could not drop replication slot $slot (still active?)"
}

pg_ctl_run() { local dir=$1; shift; as_owner "$(bindir)/pg_ctl" -D "$dir" "$@"; }

start() {
  local dir=$1
  pg_ctl_run "$dir" start -w -t 120 -l "$dir/server.log" -o "-c config_file=$dir/postgresql.conf" >/dev/null \
    || { tail -n 30 "$dir/server.log" >&2 || true; die "the replica in $dir did not start"; }
}

stop() {
  local dir=$1 mode=${2:-fast}
  [ -f "$dir/postmaster.pid" ] || return 0
  pg_ctl_run "$dir" stop -w -t 60 -m "$mode" >/dev/null
}

create() {
  local port=$1 dir=$2
  [ -e "$dir" ] && die "$dir already exists; destroy it first"
  # Another server on the port would make the replica fail late and obscurely.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is in use; choose a free one"; fi
  local bin; bin=$(bindir)
  local slot; slot=$(slot_name "$dir")
  drop_slot "$dir"
  local owner=postgres; [ "$(id -u)" = 0 ] || owner=$(id -un)
  install -d -m 700 -o "$owner" "$dir"
  log "base backup of $PGHOST_ADDR:$PGPORT_NUM into $dir (slot $slot)"
  as_owner "$bin/pg_basebackup" -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U "$PGSUPER" -D "$dir" \
    -R -X stream -C -S "$slot" --checkpoint=fast --no-sync \
    || { rm -rf "$dir"; die "pg_basebackup failed: is replication allowed in the primary's pg_hba.conf (scripts/ensure-postgres.sh adds it) and max_wal_senders > 0?"; }
  # Debian keeps the primary's configuration outside its data directory, so the replica gets
  # its own. Hot standby requires these to be at least the primary's values.
  local same; same=$(psql_primary -c "select string_agg(name || ' = ' || setting, E'\n') from pg_settings where name in ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')")
  as_owner tee "$dir/postgresql.conf" >/dev/null <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hba_file = '$dir/pg_hba.conf'
ident_file = '$dir/pg_ident.conf'
hot_standby = on
# Queries on the replica are not cancelled by the primary's vacuum (recovery conflicts).
hot_standby_feedback = on
shared_buffers = 64MB
# A throwaway cluster for tests and benchmarks: no durability needed.
fsync = off
synchronous_commit = off
$same
include_if_exists = 'postgresql.auto.conf'
EOF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_owner tee "$dir/pg_hba.conf" >/dev/null
  as_owner touch "$dir/pg_ident.conf"
  start "$dir"
  local have; have=$(psql -X -h 127.0.0.1 -p "$port" -U "$PGSUPER" -d postgres -At -c "select default_version from pg_available_extensions where name = 'vector'")
  [ -n "$have" ] || die "pgvector is not installed for the replica's PostgreSQL"
  log "streaming replica on 127.0.0.1:$port (pgvector $have)"
  echo "REPLICA_URL=postgres://$PGSUPER@127.0.0.1:$port"
}

destroy() {
  local dir=$1
  if [ -d "$dir" ]; then stop "$dir" immediate || true; fi
  drop_slot "$dir"
  rm -rf "$dir"
}

[ $# -ge 2 ] || usage
case "$1" in
  create) [ $# -eq 3 ] || usage; create "$2" "$3" ;;
  start) start "$2" ;;
  stop) stop "$2" ;;
  destroy) destroy "$2" ;;
  *) usage ;;
esac

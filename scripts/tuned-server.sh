#!/usr/bin/env bash
# A PostgreSQL cluster of its own with the settings docker-compose.yml gives the database,
# for benchmarks at corpus scale on a machine whose shared server keeps the defaults:
#
#   scripts/tuned-server.sh create PORT DIR   initdb into DIR (a new directory), started on
#                                             127.0.0.1:PORT; prints TUNED_URL=postgres://USER@127.0.0.1:PORT/postgres
#   scripts/tuned-server.sh restart DIR       restarts it (autoprewarm reloads what was cached)
#   scripts/tuned-server.sh destroy DIR       stops it and removes DIR
#
# The settings are read from the `-c name=value` lines of docker-compose.yml's `db` command,
# so the benchmark measures what a compose deployment runs. It uses the local server's
# PostgreSQL binaries (hence its pgvector). As root, the cluster belongs to the `postgres`
# OS user, since PostgreSQL refuses to run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

PGSUPER=${PGSUPER:-postgres}
log() { printf 'tuned-server: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
  echo "$dir"
}

compose_settings() {
  sed -n 's/^ *-c \([a-z_.]*\)=\(.*\)$/\1 = '"'"'\2'"'"'/p' docker-compose.yml
}

# PostgreSQL maps shared_buffers with huge pages when the kernel has them reserved
# (huge_pages=try, the default). Without them every backend maps the buffers in 4 kB pages
# and pays a page fault for each page the first time it touches it, so on a corpus whose
# working set is gigabytes a search is slower in every new connection and for every query
# that reaches pages this backend has not seen. The reservation is the host's (a sysctl a
# container cannot set): done here when run as root, reported otherwise.
reserve_huge_pages() {
  local dir=$1 size mb pages have
  size=$(sed -n "s/^shared_buffers = '\([0-9]*\)\([GM]\)B'$/\1 \2/p" "$dir/postgresql.conf" | tail -n 1)
  [ -n "$size" ] || { log "huge pages: shared_buffers not found in $dir/postgresql.conf; none reserved"; return 0; }
  set -- $size
  mb=$1; [ "$2" = G ] && mb=$(( $1 * 1024 ))
  # The buffers plus PostgreSQL's other shared memory, in 2 MB pages.
  pages=$(( mb * 11 / 10 / 2 + 64 ))
  have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
  if [ "$have" -ge "$pages" ]; then
    log "huge pages: $have reserved (vm.nr_hugepages), $pages needed"
  elif [ "$(id -u)" = 0 ] && echo "$pages" > /proc/sys/vm/nr_hugepages 2>/dev/null && [ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$pages" ]; then
    log "huge pages: reserved $pages (vm.nr_hugepages was $have)"
  else
    log "huge pages: $have reserved, $pages needed; shared_buffers uses 4 kB pages (as root: sysctl vm.nr_hugepages=$pages)"
  fi
}

start() {
  local dir=$1
  reserve_huge_pages "$dir"
  as_owner "$(bindir)/pg_ctl" -D "$dir" start -w -t 120 -l "$dir/server.log" >/dev/null \
    || { tail -n 30 "$dir/server.log" >&2 || true; die "the cluster in $dir did not start"; }
}

stop() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] || return 0
  as_owner "$(bindir)/pg_ctl" -D "$dir" stop -w -t 120 -m fast >/dev/null
}

create() {
  local port=$1 dir=$2
  [ -e "$dir" ] && die "$dir already exists; destroy it first"
  local owner=postgres; [ "$(id -u)" = 0 ] || owner=$(id -un)
  install -d -m 700 -o "$owner" "$dir"
  as_owner "$(bindir)/initdb" -D "$dir" -U "$PGSUPER" --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null \
    || die "initdb failed"
  local settings; settings=$(compose_settings)
  [ -n "$settings" ] || die "no '-c name=value' settings found in docker-compose.yml"
  as_owner tee -a "$dir/postgresql.conf" >/dev/null <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
# docker-compose.yml's settings:
$settings
EOF
  start "$dir"
  local have; have=$(psql -X -h 127.0.0.1 -p "$port" -U "$PGSUPER" -d postgres -At -c "select default_version from pg_available_extensions where name = 'vector'")
  [ -n "$have" ] || die "pgvector is not installed for these PostgreSQL binaries (scripts/ensure-postgres.sh builds it)"
  log "cluster on 127.0.0.1:$port with docker-compose.yml's settings: $(echo "$settings" | tr '\n' ';' | sed 's/;$//')"
  echo "TUNED_URL=postgres://$PGSUPER@127.0.0.1:$port/postgres"
}

destroy() {
  local dir=$1
  if [ -d "$dir" ]; then stop "$dir" || true; fi
  rm -rf "$dir"
}

[ $# -ge 2 ] || usage
case "$1" in
  create) [ $# -eq 3 ] || usage; create "$2" "$3" ;;
  restart) stop "$2"; start "$2" ;;
  destroy) destroy "$2" ;;
  *) usage ;;
esac

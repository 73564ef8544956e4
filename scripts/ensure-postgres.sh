#!/usr/bin/env bash
# Make the local PostgreSQL usable for the test suite: running, with pgvector >= 0.8,
# and a fresh test database. Idempotent; silent when nothing needs doing, except the
# final TEST_DATABASE_URL line (stdout), which callers may eval or capture.
#
# PGVECTOR_SOURCE may name a pgvector source archive (pgvector-X.Y.Z.tar.gz, as `git archive`
# makes it): the server then gets that version unless it already has it or a newer one.
# Without it, Debian's source package is built when the server has no pgvector >= 0.8.0.
set -euo pipefail

PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PGPORT_NUM=${PGPORT_NUM:-5432}
PGSUPER=${PGSUPER:-postgres}
TEST_DB=${TEST_DB:-headline_search_test}
MIN_VECTOR=0.8.0

log() { printf 'ensure-postgres: %s\n' "$*" >&2; }
psql_admin() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U "$PGSUPER" -d postgres -At "$@"; }

cluster_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

start_cluster() {
  if pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM"; then return; fi
  local v; v=$(cluster_version)
  [ -n "$v" ] || { log "no PostgreSQL cluster found under /etc/postgresql; install postgresql first"; exit 1; }
  log "starting PostgreSQL $v"
  pg_ctlcluster --skip-systemctl-redirect "$v" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" && return; sleep 1; done
  log "PostgreSQL did not become ready on $PGHOST_ADDR:$PGPORT_NUM"; exit 1
}

# Version compare via sort -V: true when $1 >= $2.
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$2" ]; }

available_vector() { psql_admin -c "select default_version from pg_available_extensions where name = 'vector'"; }

ensure_server_dev() {
  local v=$1
  if ! dpkg -s "postgresql-server-dev-$v" >/dev/null 2>&1; then
    apt-get -qq update >&2
    DEBIAN_FRONTEND=noninteractive apt-get -qq install -y "postgresql-server-dev-$v" >&2
  fi
}

# make && make install of an unpacked pgvector tree; OPTFLAGS="" keeps the binary portable
# between CPUs of one architecture (the build machine's -march=native would not be).
make_install_pgvector() {
  local v=$1 src=$2
  make -s -C "$src" OPTFLAGS="" PG_CONFIG="/usr/lib/postgresql/$v/bin/pg_config" >&2
  make -s -C "$src" OPTFLAGS="" PG_CONFIG="/usr/lib/postgresql/$v/bin/pg_config" install >&2
}

build_pgvector_archive() {
  local v; v=$(cluster_version)
  local logfile=/tmp/headline-search-pgvector-build.log work=/tmp/headline-search-pgvector-src
  exec 3>&2 2>"$logfile"
  trap 'exec 2>&3; log "pgvector build failed; log follows"; cat "$logfile" >&2' ERR
  rm -rf "$work" && mkdir -p "$work"
  ensure_server_dev "$v"
  tar xzf "$PGVECTOR_SOURCE" -C "$work"
  local src; src=$(find "$work" -maxdepth 1 -mindepth 1 -type d | head -n 1)
  make_install_pgvector "$v" "$src"
  trap - ERR
  exec 2>&3 3>&-
  log "installed pgvector from $(basename "$PGVECTOR_SOURCE")"
}

build_pgvector() {
  local v; v=$(cluster_version)
  local logfile=/tmp/headline-search-pgvector-build.log
  # Build chatter goes to a log; it is printed only if something fails.
  exec 3>&2 2>"$logfile"
  trap 'exec 2>&3; log "pgvector build failed; log follows"; cat "$logfile" >&2' ERR
  local work=/tmp/headline-search-pgvector
  rm -rf "$work" && mkdir -p "$work/lists/partial"
  printf 'deb-src http://deb.debian.org/debian trixie main\n' > "$work/sources.list"
  # A private source list and state dir: the system's own apt configuration is never touched.
  local o=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists")
  apt-get "${o[@]}" -qq update >&2
  (cd "$work" && apt-get "${o[@]}" -qq source --download-only pgvector >&2)
  ensure_server_dev "$v"
  tar xzf "$work"/pgvector_*.orig.tar.gz -C "$work"
  local src; src=$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
  make_install_pgvector "$v" "$src"
  trap - ERR
  exec 2>&3 3>&-
  log "installed pgvector from $(basename "$src")"
}

start_cluster
have=$(available_vector)
if [ -n "${PGVECTOR_SOURCE:-}" ]; then
  [ -f "$PGVECTOR_SOURCE" ] || { log "PGVECTOR_SOURCE=$PGVECTOR_SOURCE: no such file"; exit 1; }
  want=$(basename "$PGVECTOR_SOURCE" | sed -n 's/^pgvector-\([0-9.]*[0-9]\)\.tar\.gz$/\1/p')
  [ -n "$want" ] || { log "PGVECTOR_SOURCE: expected a file named pgvector-X.Y.Z.tar.gz"; exit 1; }
  if [ -z "$have" ] || ! version_ge "$have" "$want"; then
    log "building pgvector $want from $PGVECTOR_SOURCE (server reports '${have:-none}')"
    build_pgvector_archive
    have=$(available_vector)
  fi
fi
if [ -z "$have" ] || ! version_ge "$have" "$MIN_VECTOR"; then
  log "pgvector >= $MIN_VECTOR not available (server reports '${have:-none}'); building it from Debian's source package"
  build_pgvector
  have=$(available_vector)
  if [ -z "$have" ] || ! version_ge "$have" "$MIN_VECTOR"; then
    log "pgvector build finished but the server reports '${have:-nothing}'"; exit 1
  fi
fi

# Streaming replicas of this server (scripts/start-replica.sh, test/read-replicas.test.ts)
# connect for replication, which pg_hba's "all" databases do not cover. One line, added once,
# then a reload (never a restart: other clients stay connected).
if [ -z "$(psql_admin -c "select 1 from pg_hba_file_rules where 'replication' = any(database) and type = 'host' and address = '127.0.0.1' and error is null limit 1")" ]; then
  hba=$(psql_admin -c "show hba_file")
  log "allowing replication connections from 127.0.0.1 in $hba; reloading"
  printf '# headline-search: streaming replicas for the test suite\nhost replication all 127.0.0.1/32 trust\n' >> "$hba"
  psql_admin -c "select pg_reload_conf()" >/dev/null
fi

# A fresh database each run, so test results never depend on a previous run's leftovers.
psql_admin -c "drop database if exists $TEST_DB with (force)"
psql_admin -c "create database $TEST_DB"
echo "TEST_DATABASE_URL=postgres://$PGSUPER@$PGHOST_ADDR:$PGPORT_NUM/$TEST_DB"

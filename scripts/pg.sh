#!/usr/bin/env bash
# pg.sh starts, or reuses, a private PostgreSQL cluster for development and
# tests, and prints a DATABASE_URL for the database named in $1 (default
# "fundhub"), creating that database when it is missing.
#
# The cluster lives under .pg/ in the repository (or $FUNDHUB_PGDIR), listens
# only on a unix socket in its own folder and never on TCP, so it cannot clash
# with another server on port 5432. PostgreSQL comes from the system: when no
# server binaries are installed, Debian's postgresql package is installed.
#
#   scripts/pg.sh [DBNAME]   start if needed, print the URL
#   scripts/pg.sh stop       stop the cluster
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${FUNDHUB_PGDIR:-$root/.pg}
data=$dir/data
sock=$dir/run
log=$dir/server.log

# A unix socket's path is limited to about 107 bytes; a deep checkout gets
# a short socket folder of its own under /tmp instead.
if [ ${#sock} -gt 80 ]; then
	sock=/tmp/fundhub-pg-$(printf '%s' "$dir" | md5sum | cut -c1-12)
fi

log() { printf 'pg.sh: %s\n' "$*" >&2; }

find_bin() {
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_binaries() {
	bin=$(find_bin)
	if [ -n "$bin" ] && [ -x "$bin/initdb" ]; then
		return
	fi
	log "PostgreSQL server binaries missing; installing Debian's postgresql"
	if [ "$(id -u)" -ne 0 ]; then
		log "not root: install the postgresql package, or set DATABASE_URL"
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq postgresql >&2
	bin=$(find_bin)
}

# as_owner runs a command as the cluster's owner: postgres when we are root,
# since initdb refuses to run as root, or ourselves otherwise.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

owner() {
	if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

init_cluster() {
	[ -f "$data/PG_VERSION" ] && return
	log "creating a private cluster in $data"
	mkdir -p "$data" "$sock"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R postgres:postgres "$dir" "$sock"
	fi
	as_owner "$bin/initdb" -D "$data" -U "$(owner)" -A trust -E UTF8 \
		--locale=C.UTF-8 >/dev/null
}

start_cluster() {
	if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		return
	fi
	mkdir -p "$sock"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres:postgres "$sock"
	fi
	log "starting the private cluster (socket in $sock)"
	as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start -o \
		"-c listen_addresses='' -k $sock -c max_connections=200 \
		-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		>/dev/null
}

ensure_db() {
	local name=$1
	local exists
	exists=$(as_owner "$bin/psql" -h "$sock" -U "$(owner)" -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = '$name'")
	if [ "$exists" != 1 ]; then
		as_owner "$bin/createdb" -h "$sock" -U "$(owner)" "$name"
	fi
}

main() {
	ensure_binaries
	if [ "${1:-}" = stop ]; then
		as_owner "$bin/pg_ctl" -D "$data" -m fast stop >&2 || true
		return
	fi

	local name=${1:-fundhub}
	if ! [[ $name =~ ^[a-z_][a-z0-9_]*$ ]]; then
		log "bad database name: $name"
		exit 2
	fi

	init_cluster
	start_cluster
	ensure_db "$name"
	printf 'postgres:///%s?host=%s&user=%s&sslmode=disable\n' \
		"$name" "$sock" "$(owner)"
}

main "$@"

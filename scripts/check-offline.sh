#!/usr/bin/env bash
# check-offline.sh starts the hub on a free loopback port over the demo data,
# creates an account with a random password, loads GraphiQL in headless
# Chromium, signs in through the page, runs a query, and fails if the page
# requests anything off this machine. It stops the server it started.
#
# Uses DATABASE_URL when set, otherwise a database of the private cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-$(scripts/pg.sh fundhub_offline)}"
log=$(mktemp)
shot=${GRAPHIQL_SHOT:-$(mktemp -d)/graphiql.png}

# random_hex prints n random bytes as hex.
random_hex() {
	od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

# A new account each run: the database outlives the run, and a fixed name
# would be taken the second time. The password goes through stdin and the
# environment only, so no process list shows it.
check_user="offline-check-$(random_hex 4)"
check_password=$(random_hex 16)

bin/fundhub sync -config demo/connectors.yaml \
	published-allocations eco-zone-table-2020 published-targets >/dev/null
printf '%s\n' "$check_password" | bin/fundhub user add -username "$check_user" \
	-display-name "Offline check" -region 100000 -unit "自然资源部" \
	-kind MINISTRY_SUPPORT -role ministry_support >/dev/null
bin/fundhub serve -addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

addr=""
for _ in $(seq 1 100); do
	addr=$(sed -n 's/.*msg=serving addr=\([0-9.:]*\).*/\1/p' "$log" | head -n 1)
	[ -n "$addr" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$addr" ] || { echo "server did not start" >&2; cat "$log" >&2; exit 1; }

FUNDHUB_CHECK_USERNAME=$check_user FUNDHUB_CHECK_PASSWORD=$check_password \
	bash web/check-offline.sh "http://$addr/" "$shot"
echo "GraphiQL works offline at http://$addr/ (screenshot: $shot)"

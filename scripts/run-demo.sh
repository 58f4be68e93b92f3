#!/usr/bin/env bash
# run-demo.sh runs the hub with its demo: the stand-in finance system on
# 127.0.0.1:18090 and the stand-in project reserve (a schema of the hub's
# database), the demo connectors synced once, then the server, which syncs
# them again on their schedules. It stops the finance stand-in it started
# when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-$(scripts/pg.sh fundhub)}"
# The demo credentials live only in this process's environment.
export FINANCESIM_TOKEN=${FINANCESIM_TOKEN:-demo-token}
export FINANCE_TOKEN=$FINANCESIM_TOKEN
export RESERVE_DSN=${RESERVE_DSN:-$DATABASE_URL}

bin/financesim -addr 127.0.0.1:18090 -seed 1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true' EXIT

bin/reservesim -dsn "$RESERVE_DSN" -seed 1
bin/fundhub migrate
bin/fundhub sync -config demo/connectors.yaml || echo "run-demo.sh: some demo syncs did not succeed; see above" >&2
bin/fundhub serve -config demo/connectors.yaml

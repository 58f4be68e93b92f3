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

# Demo officials at four levels, each with a random password drawn the first
# time and kept in .demo/credentials (readable by this account only). The hub
# has no default password: these exist only because this demo made them.
creds=.demo/credentials
mkdir -p .demo
(umask 077 && touch "$creds")

# demo_user USERNAME REGION UNIT KIND ROLES DISPLAY-NAME
demo_user() {
	local pw out

	pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
	if out=$(printf '%s\n' "$pw" | bin/fundhub user add -username "$1" -region "$2" \
		-unit "$3" -kind "$4" -role "$5" -display-name "$6" 2>&1); then
		(
			umask 077
			grep -v "^$1 " "$creds" >"$creds.new" || true
			echo "$1 $pw" >>"$creds.new"
			mv "$creds.new" "$creds"
		)
	elif ! grep -q "already exists" <<<"$out"; then
		echo "$out" >&2
		return 1
	fi
}

demo_user ministry 100000 "自然资源部财务与资金运用司" FINANCE finance,admin "部财务司"
demo_user zhejiang 330000 "浙江省自然资源厅" FINANCE finance "浙江省厅"
demo_user hangzhou-geo 330100 "杭州市规划和自然资源局地质灾害防治处" GEOHAZARD geohazard \
	"杭州市地灾处"
demo_user xihu 330106 "杭州市西湖区财政局" FINANCE finance "西湖区财政局"

bin/fundhub sync -config demo/connectors.yaml || echo "run-demo.sh: some demo syncs did not succeed; see above" >&2
echo "run-demo.sh: sign in on the GraphiQL page as $(cut -d' ' -f1 "$creds" | paste -sd,);" \
	"their passwords are in $creds" >&2
bin/fundhub serve -config demo/connectors.yaml

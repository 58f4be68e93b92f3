#!/usr/bin/env bash
# Runs check-offline.mjs against a running fundhub server: installs Debian's
# chromium if it is missing and playwright-core from the lockfile, then checks
# that the GraphiQL page at BASE_URL signs in, runs a query and requests
# nothing off loopback.
#
# Usage: web/check-offline.sh BASE_URL [SCREENSHOT]
#   e.g. web/check-offline.sh http://127.0.0.1:18080/ /tmp/graphiql.png
# The account to sign in with comes from the environment, never the command
# line: FUNDHUB_CHECK_USERNAME and FUNDHUB_CHECK_PASSWORD.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

log() {
	echo "web/check-offline.sh: $*" >&2
}

ensure_chromium() {
	local bin=${CHROMIUM_PATH:-/usr/bin/chromium}

	if [[ -x $bin ]]; then
		return
	fi

	if [[ $(id -u) -ne 0 ]]; then
		log "$bin not found; apt-get install chromium as root"
		exit 1
	fi

	log "installing Debian's chromium"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

# ensure_node_20 stops early with a clear message: playwright-core needs
# Node.js 20 or later (Debian 12's own nodejs is 18).
ensure_node_20() {
	local major

	major=$(node -p 'process.versions.node.split(".")[0]')
	if ((major < 20)); then
		log "Node.js $(node --version) is too old for playwright-core: need 20 or later"
		exit 1
	fi
}

main() {
	if [[ $# -lt 1 ]]; then
		echo "usage: web/check-offline.sh BASE_URL [SCREENSHOT]" >&2
		exit 2
	fi

	if [[ -z ${FUNDHUB_CHECK_USERNAME:-} || -z ${FUNDHUB_CHECK_PASSWORD:-} ]]; then
		log "set FUNDHUB_CHECK_USERNAME and FUNDHUB_CHECK_PASSWORD to an account of the hub"
		exit 2
	fi

	ensure_chromium
	./build.sh --deps-only
	ensure_node_20
	node check-offline.mjs "$@"
}

main "$@"

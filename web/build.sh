#!/usr/bin/env bash
# Fills web/dist/assets with the GraphiQL, React and ReactDOM UMD files that
# the web package embeds, copied from the npm packages pinned in
# package-lock.json. Idempotent: a second run changes nothing and takes well
# under a second.
#
# Usage: web/build.sh [--deps-only]
#   --deps-only  only make sure node_modules matches the lockfile
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

readonly ASSETS=dist/assets
# Written after a successful `npm ci`; node_modules older than the lockfile
# (or than package.json) is reinstalled.
readonly STAMP=node_modules/.fundhub-npm-ci

# Source (inside node_modules) and name (inside dist/assets) of every file
# the page needs, plus the licences that must travel with them.
readonly FILES=(
	"react/umd/react.production.min.js react.production.min.js"
	"react-dom/umd/react-dom.production.min.js react-dom.production.min.js"
	"graphiql/graphiql.min.js graphiql.min.js"
	"graphiql/graphiql.min.css graphiql.min.css"
	"react/LICENSE react.LICENSE.txt"
	"react-dom/LICENSE react-dom.LICENSE.txt"
	"graphiql/LICENSE graphiql.LICENSE.txt"
)

log() {
	echo "web/build.sh: $*" >&2
}

# ensure_npm installs Debian's nodejs and npm when npm is not on PATH.
ensure_npm() {
	if command -v npm >/dev/null 2>&1; then
		return
	fi

	if [[ $(id -u) -ne 0 ]]; then
		log "npm not found; install Node.js and npm, or run as root to apt-get them"
		exit 1
	fi

	log "npm not found; installing Debian's nodejs and npm"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
}

# deps_stale succeeds when node_modules is missing or older than the lockfile.
deps_stale() {
	[[ ! -f $STAMP || package-lock.json -nt $STAMP || package.json -nt $STAMP ]]
}

ensure_deps() {
	if ! deps_stale; then
		return
	fi

	ensure_npm
	log "npm ci (node $(node --version), npm $(npm --version))"
	npm ci --no-audit --no-fund
	touch "$STAMP"
}

# install_file copies src to dst only when the content differs, so an
# up-to-date dst keeps its mtime. graphiql.min.js loses its sourceMappingURL
# comment: the 4.7 MB map is not shipped, and DevTools would ask for it.
install_file() {
	local src=$1 dst=$2 tmp

	tmp=$(mktemp "$ASSETS/.tmp.XXXXXX")
	sed '/^\/\/# sourceMappingURL=/d' "$src" >"$tmp"

	if cmp -s "$tmp" "$dst"; then
		rm -f "$tmp"
		return
	fi

	chmod 0644 "$tmp"
	mv -f "$tmp" "$dst"
	log "updated $dst"
}

# remove_strays deletes files in dist/assets that FILES no longer lists.
remove_strays() {
	local path name entry keep

	for path in "$ASSETS"/* "$ASSETS"/.[!.]*; do
		[[ -e $path ]] || continue
		name=${path##*/}
		keep=
		for entry in "${FILES[@]}"; do
			[[ ${entry#* } == "$name" ]] && keep=1
		done
		if [[ -z $keep ]]; then
			rm -rf "$path"
			log "removed stray $path"
		fi
	done
}

copy_assets() {
	local entry

	mkdir -p "$ASSETS"
	for entry in "${FILES[@]}"; do
		install_file "node_modules/${entry% *}" "$ASSETS/${entry#* }"
	done

	remove_strays
}

main() {
	ensure_deps

	if [[ ${1:-} == --deps-only ]]; then
		return
	fi

	copy_assets
}

main "$@"

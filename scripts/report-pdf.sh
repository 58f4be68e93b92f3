#!/usr/bin/env bash
# report-pdf.sh converts quarterly report workbooks (or any XLSX) to PDF
# with LibreOffice, headless, for officials who file paper copies. It is not
# part of `make test`: LibreOffice is large and slow to start.
#
#   scripts/report-pdf.sh [-o DIR] FILE.xlsx...   write DIR/FILE.pdf (DIR
#                                                 defaults to FILE's folder)
#
# Fetch a workbook first, with a token:
#
#   curl -fsS -H "Authorization: Bearer $TOKEN" -o 330000-2024Q2.xlsx \
#     'http://localhost:8080/reports/quarterly.xlsx?region=330000&year=2024&quarter=2'
#   scripts/report-pdf.sh 330000-2024Q2.xlsx
#
# When soffice is missing, Debian's libreoffice-calc and fonts-noto-cjk (for
# the Chinese text) are installed, as scripts/pg.sh installs PostgreSQL;
# that needs root. The conversion runs with a throwaway LibreOffice profile,
# so it never touches or waits on a desktop session's. Each sheet prints
# landscape, fitted to the page's width, its header repeated on each page.
set -euo pipefail

log() { printf 'report-pdf.sh: %s\n' "$*" >&2; }

usage() {
	sed -n '2,13p' "$0" >&2
	exit 2
}

ensure_soffice() {
	if command -v soffice >/dev/null 2>&1; then
		return
	fi
	log "LibreOffice missing; installing Debian's libreoffice-calc"
	if [ "$(id -u)" -ne 0 ]; then
		log "not root: install the libreoffice-calc and fonts-noto-cjk packages"
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends libreoffice-calc fonts-noto-cjk >&2
}

outdir=""
while getopts "o:h" opt; do
	case $opt in
	o) outdir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage

ensure_soffice
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

for file in "$@"; do
	if [ ! -f "$file" ]; then
		log "no such file: $file"
		exit 1
	fi
	dir=${outdir:-$(dirname "$file")}
	mkdir -p "$dir"
	# HOME too: some LibreOffice builds write there despite the profile.
	HOME=$profile soffice --headless --norestore --nolockcheck \
		"-env:UserInstallation=file://$profile" \
		--convert-to pdf --outdir "$dir" "$file" >&2
	pdf="$dir/$(basename "${file%.*}").pdf"
	if [ ! -s "$pdf" ]; then
		log "LibreOffice wrote no PDF for $file"
		exit 1
	fi
	printf '%s\n' "$pdf"
done

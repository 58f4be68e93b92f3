# fundhub — make run starts the hub with its demo, make test runs every test.
# Without DATABASE_URL both start a private PostgreSQL under .pg/ (see
# scripts/pg.sh); with it, they use that database.

SHELL := /bin/bash
GO ?= go
PG := scripts/pg.sh

.PHONY: build run test bench vet fmt-check generate check-generate web check-offline \
	check-report-pdf clean

build: web
	$(GO) build -o bin/fundhub ./cmd/fundhub
	$(GO) build -o bin/financesim ./tools/financesim/cmd/financesim
	$(GO) build -o bin/reservesim ./tools/reservesim/cmd/reservesim

## run: start the stand-in systems, migrate, load reference data, sync the
## demo connectors and serve (scripts/run-demo.sh).
run: build
	@bash scripts/run-demo.sh

## test: vet, formatting, and every Go test (with the race detector)
## against a real PostgreSQL.
test: vet fmt-check
	@set -e; \
	export DATABASE_URL="$${DATABASE_URL:-$$($(PG) postgres)}"; \
	$(GO) test -race -count=1 ./...

## bench: the sync rate of each connector kind on 200,000 payment vouchers,
## beside PostgreSQL's COPY of the same rows (tools/bench); then the
## dashboard queries on a national data set, over GraphQL beside their SQL
## (tools/dashbench; DASHBENCH_FLAGS passes it flags, e.g. -reuse). Both run
## even when the first misses its target; the target fails if either did.
bench:
	@set -e; \
	export DATABASE_URL="$${DATABASE_URL:-$$($(PG) postgres)}"; \
	status=0; \
	$(GO) run ./tools/bench || status=1; \
	$(GO) run ./tools/dashbench $(DASHBENCH_FLAGS) || status=1; \
	exit $$status

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## generate: regenerate gqlgen code after changing schema.graphqls or gqlgen.yml.
generate:
	$(GO) generate ./...

## check-generate: fail if regenerating the gqlgen code changes the tree.
check-generate:
	$(GO) generate ./...
	@git diff --exit-code -- graph schema.graphqls gqlgen.yml || \
		{ echo "go generate changed the tree: run make generate and commit"; exit 1; }

## web: install GraphiQL from npm (lockfile) and copy its files for embedding.
web:
	bash web/build.sh

## check-offline: start the hub, load GraphiQL in headless Chromium and fail
## if the page makes any request off this machine.
check-offline: build
	bash scripts/check-offline.sh

## check-report-pdf: generate a quarterly report workbook and convert it to
## PDF with LibreOffice (scripts/report-pdf.sh installs it as root when
## missing); kept out of make test, which stays light.
check-report-pdf:
	@set -e; \
	export DATABASE_URL="$${DATABASE_URL:-$$($(PG) postgres)}"; \
	$(GO) test -tags libreoffice -count=1 -run OpensInLibreOffice -v ./graph/

clean:
	rm -rf bin web/dist/assets

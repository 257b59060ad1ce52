# The two commands: `make run` and `make test`. Everything else is what they are made of.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every transitive dependency pinned with its hashes, for the image (LOCK) and for development (DEV_LOCK, the same
# versions plus the dev tools); `make lock` regenerates both from pyproject.toml. The stamp changes with either file.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(DEV_LOCK) 2>/dev/null | cksum | cut -d' ' -f1)
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test install lock secrets migrate seed lint typecheck test-sqlite test-postgres fuzz schema migrations clean

run: install migrate seed graphiql
	@echo "==> serving the API on http://$${HOST:-127.0.0.1}:$${PORT:-8000}/graphql (SQLite, local media, in-process events by default)"
	$(BIN)/phananh serve

test: install lint http-audit-deps
	@echo "==> the suite on SQLite and on PostgreSQL, side by side (each run's output is printed when it ends)"
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

install: $(STAMP)

$(STAMP): pyproject.toml $(DEV_LOCK)
	@echo "==> preparing $(VENV) and installing the locked dependencies ($(DEV_LOCK)), then the project"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@$(BIN)/python -m pip check || { echo "a dependency is missing or conflicting (above): after changing pyproject.toml, run \`make lock\`" >&2; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@

# After any change of a dependency in pyproject.toml. Versions already locked are kept unless pyproject.toml needs
# others (UPGRADE=1 takes the newest allowed); the image's lock takes the development lock's versions, and the
# `tracing` extra, so that OTEL_EXPORTER_OTLP_ENDPOINT turns traces on in the image too.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
	$(if $(UPGRADE),--upgrade)
lock: $(BIN)/uv
	@echo "==> locking every dependency of pyproject.toml into $(DEV_LOCK) and $(LOCK)"
	$(UV_COMPILE) --extra dev -o $(DEV_LOCK)
	$(UV_COMPILE) --extra tracing -c $(DEV_LOCK) -o $(LOCK)

# uv as pyproject.toml pins it, without the lock it is about to rewrite (that may be out of date).
$(BIN)/uv:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$$(grep -o 'uv==[0-9.]*' pyproject.toml)"

# The files deploy/secrets.sh writes for docker-compose.yml (each only when missing).
secrets:
	sh deploy/secrets.sh

# GraphiQL's pinned assets, fetched once (tarballs checked against the npm registry's sha512, files against the
# page's sha384), so GraphiQL works offline; without a network it falls back to the CDN and `make run` goes on.
# NPM_REGISTRY names a mirror (the tests point it at 127.0.0.1: no test reaches beyond this machine).
.PHONY: graphiql http-audit-deps
graphiql: install
	@$(BIN)/phananh graphiql-assets $(if $(NPM_REGISTRY),--registry $(NPM_REGISTRY)) || echo "==> GraphiQL assets not fetched; GraphiQL will load them from the CDN"

# The GraphQL over HTTP audit (graphql-http's auditServer, tests/api/test_http_audit.py) at its locked versions.
HTTP_AUDIT := tests/http_audit
http-audit-deps: $(HTTP_AUDIT)/node_modules/.package-lock.json
$(HTTP_AUDIT)/node_modules/.package-lock.json: $(HTTP_AUDIT)/package.json $(HTTP_AUDIT)/package-lock.json
	@echo "==> installing the GraphQL over HTTP audit (npm ci in $(HTTP_AUDIT))"
	cd $(HTTP_AUDIT) && npm ci --no-audit --no-fund --silent

migrate: install
	@echo "==> applying migrations"
	$(BIN)/phananh migrate

seed: install
	@echo "==> loading reference data (idempotent)"
	$(BIN)/phananh seed

lint: install
	@echo "==> ruff, mypy, and docker-compose.yml against the Compose Specification"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

test-sqlite: install
	@echo "==> test suite on SQLite"
	$(BIN)/pytest --db=sqlite

test-postgres: install
	@echo "==> test suite on PostgreSQL ($(PG_TEST_URL)); skipped outside CI when none answers"
	$(BIN)/pytest --db=postgres --pg-url=$(PG_TEST_URL)

# The generated-operation fuzzer at length: FUZZ_EXAMPLES operations per role on each database (`make test` runs 60).
fuzz: install
	@$(MAKE) --no-print-directory -j2 --output-sync=target fuzz-sqlite fuzz-postgres

fuzz-sqlite fuzz-postgres: fuzz-%: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-5000} $(BIN)/pytest --db=$* --pg-url=$(PG_TEST_URL) -p no:cacheprovider --timeout=0 tests/api/test_fuzz.py

# The benchmarks at full size, one after the other, each beside its anchor in the same run (README, Benchmarks);
# `make bench-reports` runs one, BENCH_ARGS adds options. The reports page needs wrk (`apt-get install -y wrk`).
# `make test` runs every one of them in smoke mode.
BENCHES := reports live submissions statistics hotspots search
.PHONY: bench $(addprefix bench-,$(BENCHES))
bench: $(addprefix bench-,$(BENCHES))

$(addprefix bench-,$(BENCHES)): bench-%: install
	$(BIN)/python -m bench.$* --pg-url $(PG_TEST_URL) $(BENCH_ARGS)

schema: install
	$(BIN)/phananh export-schema > schema.graphql

# Before the first release the initial migration is regenerated from the models; afterwards migrations only grow.
migrations: install
	DATABASE_URL=sqlite://:memory: $(BIN)/tortoise makemigrations

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# The two commands: `make run` and `make test`. Everything else is what they are made of.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test install migrate seed lint typecheck test-sqlite test-postgres fuzz schema migrations clean

run: install migrate seed
	@echo "==> serving the API on http://$${HOST:-127.0.0.1}:$${PORT:-8000}/graphql (SQLite, local media, in-process events by default)"
	$(BIN)/phananh serve

test: install lint
	@echo "==> the suite on SQLite and on PostgreSQL, side by side (each run's output is printed when it ends)"
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

install: $(STAMP)

$(STAMP): pyproject.toml
	@echo "==> preparing $(VENV) and installing pinned dependencies"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: install
	@echo "==> applying migrations"
	$(BIN)/phananh migrate

seed: install
	@echo "==> loading reference data (idempotent)"
	$(BIN)/phananh seed

lint: install
	@echo "==> ruff and mypy"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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
BENCHES := reports live submissions statistics
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

# ml-connector — every command a developer or operator runs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: help demo test unit integration e2e lint format lock worker bench clean

help: ## list the commands
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@rm -f $(VENV)/.installed-*
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

demo: $(STAMP) ## set up and run the demo end to end (embedded Kafka, emulators, worker)
	$(BIN)/ml-connector demo

# Tests run in parallel worker processes (most of their time is spent waiting on brokers, workers
# and emulators, not on the CPU); tests/support/ordering.py starts the long ones first. Tests
# marked `timing` assert wall-clock budgets: they run afterwards, one at a time.
TEST_JOBS ?= 4
PARALLEL := -n $(TEST_JOBS) --dist load --maxschedchunk 1
# $(call tests,PATHS): the parallel part, then the timing part (exit 5: none selected there).
tests = $(BIN)/pytest -q $(PARALLEL) --durations=15 -m 'not soak and not timing' $(1) && \
	{ $(BIN)/pytest -q -m 'timing and not soak' $(1); rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]; }

test: $(STAMP) ## set up and run the whole test suite (unit, integration, e2e; SQLite + PostgreSQL)
	$(call tests,)

unit: $(STAMP) ## only the unit tests (pure, no I/O; seconds)
	$(BIN)/pytest -q tests/unit

integration: $(STAMP) ## only the integration tests (one real adapter vs emulator, broker or PostgreSQL)
	$(call tests,tests/integration)

e2e: $(STAMP) ## only the end-to-end tests (worker process, embedded Kafka, emulators; quick crash suites)
	$(call tests,tests/e2e tests/reliability)

lint: $(STAMP) ## ruff, mypy (strict) and the import-linter layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain adapters streams emulators
	$(BIN)/lint-imports

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(STAMP) ## run the stream worker with the current settings
	$(BIN)/ml-connector worker

bench: $(STAMP) ## run the benchmarks (< 15 min) and rewrite docs/performance.md
	$(BIN)/python -m bench

lock: ## re-pin with hashes: requirements.lock (runtime, the image) and requirements-dev.lock (tests, tools)
	@test -x $(VENV)-uv/bin/uv || ($(PYTHON) -m venv $(VENV)-uv && $(VENV)-uv/bin/pip install -q uv)
	$(VENV)-uv/bin/uv pip compile pyproject.toml --generate-hashes \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements.lock
	$(VENV)-uv/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements-dev.lock

clean: ## remove the virtualenv and local data (var/)
	rm -rf $(VENV) $(VENV)-uv var .pytest_cache .mypy_cache .ruff_cache

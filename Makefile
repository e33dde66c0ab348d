# KeQi 科企 — `make help` lists the targets. Two commands set everything up on a fresh machine:
#   make demo   the demo on SQLite: a synthetic Chongqing at 1/10 of the real city, at http://127.0.0.1:8000
#   make test   the whole test suite (SQLite; KEQI_DATABASE_URL=postgres://… for PostgreSQL)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
PG_URL ?= postgres://postgres@127.0.0.1:5432/keqi
ECHARTS := src/keqi/web/static/web/vendor/echarts.min.js
SWAGGER := src/keqi/web/static/web/vendor/swagger-ui/swagger-ui-bundle.js

.DEFAULT_GOAL := help
.PHONY: help install install-dev messages assets demo serve test test-postgres lint bench mutate mutate-ci fuzz clean

help: ## Show this list
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,browser]"
	touch $(DEV)

install: $(STAMP) messages assets ## Create .venv and install KeQi with its pinned dependencies
	$(BIN)/python -m compileall -q src  # KeQi's bytecode now, not at each start where it cannot be written (~0.07 s of keqi evaluate)

install-dev: $(DEV) messages assets ## Also install the test and lint tools (pytest, hypothesis, ruff, pyspark, playwright)

messages: $(STAMP) ## Compile the interface translations (Simplified Chinese is the default language)
	$(BIN)/pybabel compile --use-fuzzy -d src/keqi/locale -D django

assets: $(ECHARTS) $(SWAGGER) ## Browser libraries from the npm registry (package-lock.json), copied to the static folder

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --silent --ignore-scripts

$(ECHARTS): node_modules/.package-lock.json
	mkdir -p $(dir $@)
	cp node_modules/echarts/dist/echarts.min.js $@

$(SWAGGER): node_modules/.package-lock.json
	mkdir -p $(dir $@)
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	  node_modules/swagger-ui-dist/LICENSE $(dir $@)

demo: install ## Migrate SQLite, build the demo city at 1/10 of Chongqing (KEQI_DEMO_SCALE), create the logins, serve on :8000
	$(BIN)/keqi demo

serve: install ## Serve the web app and its task worker on :8000 (no demo data; needs KEQI_SECRET_KEY or KEQI_DEBUG=1)
	$(BIN)/keqi serve

test: install-dev ## Run the tests (SQLite by default; set KEQI_DATABASE_URL for PostgreSQL)
	$(BIN)/pytest

test-postgres: install-dev ## Run the tests on the PostgreSQL server at 127.0.0.1:5432
	KEQI_DATABASE_URL=$(PG_URL) $(BIN)/pytest

lint: install-dev ## ruff, and a check that no model change lacks its migration
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/python manage.py makemigrations --check --dry-run

mutate: install-dev ## Mutation testing of the rule modules (GROUPS="forecast credit" for some), figures to docs/testing.md
	nice -n 10 $(BIN)/python scripts/mutate.py run $(GROUPS)

mutate-ci: install-dev ## What CI runs: groups changed since measured, then a rotating sample (time-boxed)
	nice -n 10 $(BIN)/python scripts/mutate.py ci

fuzz: install-dev ## Schemathesis against a running demo (make demo first; TOKEN=$$(.venv/bin/keqi token create city-admin))
	$(BIN)/st run http://127.0.0.1:8000/api/openapi.json -H "Authorization: Bearer $(TOKEN)" --seed 13 \
	  --exclude-checks positive_data_acceptance --generation-database none

bench: install-dev ## Run the benchmarks (figures go to docs/benchmarks.md)
	$(BIN)/python benchmarks/import_reports.py

clean: ## Remove the virtualenv, the npm packages and local data (var/)
	rm -rf $(VENV) var node_modules $(dir $(ECHARTS))

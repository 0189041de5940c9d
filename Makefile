# Two commands set everything up on a fresh machine: `make run` and `make test`.
# See README.md. Every target is safe to re-run.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: system-libs install install-dev run serve migrate demo test pytest lint format messages bench clean worker beat

## install: virtualenv in .venv with the runtime dependencies, and .env from .env.example
install: $(VENV)/.installed .env system-libs

## system-libs: Debian's Pango, which WeasyPrint needs to render PDF documents
system-libs:
	@/sbin/ldconfig -p | grep -q libpangoft2-1.0 || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }

$(VENV)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

.env:
	cp .env.example .env

## install-dev: install plus test tools, axe-core (npm) and Debian's Chromium
install-dev: install $(VENV)/.installed-dev node_modules/.installed /usr/bin/chromium

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

## run: install, migrate, load the demo, serve at http://127.0.0.1:8000
run: install migrate demo serve

migrate: install
	$(MANAGE) migrate --noinput
	$(MANAGE) sync_roles

demo: install
	$(MANAGE) demo

serve: install
	@echo "Back-office CNML : http://$(HOST):$(PORT)/"
	$(MANAGE) runserver $(HOST):$(PORT)

## worker / beat: with REDIS_URL set, a real Celery worker and the beat scheduler
worker: install
	$(BIN)/celery -A cnml worker --loglevel=INFO

beat: install
	$(BIN)/celery -A cnml beat --loglevel=INFO

## test: lint, then the whole suite (unit and browser tests), in parallel
test: install-dev lint pytest

# pytest-xdist runs the suite on one worker per core, each with its own test database, each worker in
# the order pytest-django sets (transactional tests, which empty the tables, last); the tests of an
# `xdist_group` stay on one worker (data built once for a module). PYTEST_WORKERS=0: in one process.
# pytest-django keeps the test database between local runs (--reuse-db, PostgreSQL: SQLite's is in
# memory); .ci/run passes PYTEST_DB=--create-db. Snapshots: PYTEST_ARGS=--snapshot-update (docs/tests.md).
PYTEST_WORKERS ?= auto
PYTEST_DB ?= --reuse-db
pytest: install-dev
	$(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_DB) $(PYTEST_ARGS)

## lint: ruff (lint and format), djlint, the import contracts (.importlinter), migrations up to date
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --check --lint templates $$(ls -d */templates | grep -v '^templates')
	$(BIN)/lint-imports --no-cache
	$(MANAGE) makemigrations --check --dry-run

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint --reformat templates $$(ls -d */templates | grep -v '^templates')

## messages: compile cnml/locale (the admin's libraries in French) after editing its .po; the .mo is committed
messages: install
	@command -v msgfmt >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }
	$(MANAGE) compilemessages --locale fr --ignore .venv --ignore node_modules

## guide-screenshots: the user guide's images (docs/guide/img/), taken on the demo data in a throw-away database
guide-screenshots: install-dev
	$(BIN)/python docs/guide/screenshots.py

## bench: benchmarks on PostgreSQL (see bench/README.md)
bench: install-dev
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache

# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper of those.
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test lint bench setup clean

$(INSTALLED): requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

setup: $(INSTALLED)

## Set up (virtualenv, packages, database, demo company) and start the web server, a Celery worker and beat.
run: $(INSTALLED)
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py setup_demo
	DEBUG=$${DEBUG:-true} $(PY) manage.py claims_demo_store --company demo
	@echo "Open http://127.0.0.1:$(PORT)/ (admin at /admin/). Ctrl-C stops everything."
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=$${DEBUG:-true} WEB_PORT=$(PORT) $(VENV)/bin/honcho start

# The browser tests drive Debian's Chromium; Playwright's own browser download does not work offline.
CHROMIUM ?= /usr/bin/chromium

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

## Lint, check the layers' contract, then the whole test suite (SQLite and the filesystem broker unless
## DATABASE_URL / REDIS_URL are set).
test: $(INSTALLED) $(CHROMIUM)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	CHROMIUM_PATH=$(CHROMIUM) $(VENV)/bin/pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## Measure speed and memory against django-import-export and PostgreSQL COPY (see README, "Performance").
## Needs the machine's PostgreSQL and Redis; takes about an hour.
bench: $(INSTALLED)
	$(VENV)/bin/pip install --quiet -r requirements-bench.txt
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var

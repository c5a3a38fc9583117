# KPI Tracker. `make run` and `make test` work on a fresh machine with Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run serve migrate reference demo test screenshots lint format migrations-check messages clean check-compose bench loadtest backup restore vendor check-vendor

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements/dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed  ## Create the virtualenv and install the locked requirements

migrate: install
	mkdir -p var
	$(MANAGE) migrate --noinput

reference: migrate  ## Load regions, offices, indicators and targets (safe to run twice)
	$(MANAGE) load_reference_data

demo: reference  ## Create demo users and a demo year of activities (safe to run twice)
	$(MANAGE) seed_demo

run: demo  ## Set everything up and serve on http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set)
	$(MANAGE) runserver $(HOST):$(PORT)

serve: install  ## Serve without loading anything
	$(MANAGE) runserver $(HOST):$(PORT)

test: install  ## Run the whole test suite (PostgreSQL when DATABASE_URL is set, SQLite otherwise)
	$(BIN)/pytest

screenshots: install  ## Retake the user guides' screenshots (docs/images/) with the browser tests (needs chromium)
	KPI_SCREENSHOTS=1 KPI_REQUIRE_BROWSER=1 $(BIN)/pytest -p no:cacheprovider tests/browser/test_screenshots.py

bench: install  ## Benchmark pages, API, exports and import at 10k to 1M activities (PostgreSQL; not part of make test)
	@case "$$DATABASE_URL" in \
		postgres://*|postgresql://*|pgsql://*) ;; \
		*) echo "make bench needs PostgreSQL in DATABASE_URL, e.g." >&2; \
		   echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpi_tracker make bench" >&2; \
		   echo "It creates and drops its own database, named after that one with _bench." >&2; \
		   exit 2 ;; \
	esac
	$(BIN)/python bench/run.py

loadtest: install  ## 50 simulated users of mixed roles for 60 s on loopback; reports speed, errors and lost writes
	$(BIN)/python loadtest/run.py

backup: install  ## Back up the database (pg_dump, or a copy of the SQLite file) into var/backups/
	$(MANAGE) backup

restore: install  ## Restore a backup: make restore FILE=var/backups/<file> [NOINPUT=1] (replaces everything in the database)
	@if [ -z "$(FILE)" ]; then echo "Which backup? make restore FILE=var/backups/<file>" >&2; exit 2; fi
	$(MANAGE) restore $(if $(NOINPUT),--noinput) "$(FILE)"

lint: install  ## ruff check and format check, and the layers' import contract (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install  ## Reformat the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install  ## Fail if a model change has no migration
	DJANGO_SETTINGS_MODULE=kpi_tracker.settings.test $(MANAGE) makemigrations --check --dry-run

messages: install  ## Refresh the translation catalogues and compile them (needs gettext)
	$(MANAGE) makemessages --no-obsolete --no-location -l zh_Hant -l zh_Hans
	$(MANAGE) compilemessages --ignore=.venv

vendor:  ## Rebuild static/vendor/ (plotly.js) from frontend/package-lock.json (needs node and npm)
	$(PYTHON) frontend/vendor.py build

check-vendor:  ## Fail if static/vendor/ differs from what frontend/package-lock.json builds (needs npm)
	$(PYTHON) frontend/vendor.py check

clean:  ## Remove the virtualenv and local data
	rm -rf $(VENV) var

COMPOSE ?= docker-compose

# env_file: .env must exist for validation, so a missing .env is stood in for by
# .env.example during the check only, and removed however the check ends.
check-compose:  ## Validate docker-compose.yml (needs docker-compose, not a Docker engine)
	@if [ -f .env ]; then \
		$(COMPOSE) -f docker-compose.yml config --quiet; \
	else \
		cp .env.example .env && trap 'rm -f .env' EXIT INT TERM; \
		$(COMPOSE) -f docker-compose.yml config --quiet; \
	fi
	@echo "docker-compose.yml is valid"

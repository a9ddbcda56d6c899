# Backtrack: `make run` serves the app, `make test` runs the whole suite.
# Nothing else is needed on a fresh Debian machine with Python 3.11+ and Node 20.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# Two test workers (this machine has two cores); the browser tests share one of them
# (tests/e2e/conftest.py). `make test PYTEST_ARGS=` runs in one process.
PYTEST_ARGS ?= -n 2 --dist loadgroup

.DEFAULT_GOAL := help
.PHONY: help run test lint format frontend frontend-test migrate programs clean services-up vapid-keys api-types

help:
	@echo "make run    install, migrate, load programs, serve http://127.0.0.1:$(PORT) (web, worker, beat)"
	@echo "make test   install test tools and run the whole suite"
	@echo "make lint   ruff check and format check, mypy"
	@echo "make api-types  regenerate the PWA's API types from the OpenAPI schema"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	@touch $@ $(VENV)/.installed-runtime

# A local .env for development: DEBUG on, SQLite, the embedded broker.
.env:
	cp .env.example .env

frontend:
	@./frontend/build.sh

# The PWA's type check and unit tests (outbox, sync merging, safety rules, the hold).
frontend-test: frontend
	cd frontend && npm run --silent typecheck && npm test --silent

# The PWA's types of the API contract (frontend/src/api-schema.ts), generated from the
# OpenAPI schema; tests/test_api_types.py fails when they are not current.
api-types: $(VENV)/.installed-runtime
	@mkdir -p var
	$(BIN)/python manage.py spectacular --format openapi-json --file var/openapi.json
	cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npx openapi-typescript ../var/openapi.json -o src/api-schema.ts

# A development VAPID key pair (Web Push) in .env, unless one is set already.
vapid-keys: $(VENV)/.installed-runtime .env
	@if [ -z "$$VAPID_PRIVATE_KEY" ] && ! grep -q '^VAPID_PRIVATE_KEY=.' .env; then \
		echo "Writing a development VAPID key pair to .env"; \
		$(BIN)/python manage.py generate_vapid_keys >> .env; \
	fi

migrate: $(VENV)/.installed-runtime .env
	$(BIN)/python manage.py migrate --noinput

programs: migrate
	$(BIN)/python manage.py load_programs

run: programs frontend vapid-keys
	@echo "Backtrack at http://127.0.0.1:$(PORT)  (Ctrl-C stops web, worker and beat together)"
	$(BIN)/honcho start -f Procfile.dev -p $(PORT)

test: $(VENV)/.installed-test frontend frontend-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) frontend/dist frontend/node_modules var staticfiles db.sqlite3

# Domovoy — make help lists the targets.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The targets below are the embedded mode: DEBUG is on unless the environment says otherwise
# (production sets DEBUG=0 and SECRET_KEY, docs/operations.md); `make run` always asks for it.
MANAGE := DEBUG=$${DEBUG:-1} $(BIN)/python manage.py
STAMP := $(VENV)/.installed
# `make run PORT=8080`: the port of the web server.
PORT ?= 8000

.PHONY: help run test lint bench bench-http demo venv migrate worker web format fuzz lock

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

# The versions installed are those of requirements.lock (a constraints file: it pins, it does
# not add packages); pyproject.toml keeps the ranges the code supports. `make lock` renews it.
$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]' -c requirements.lock
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the project with its dev tools (pinned by requirements.lock)

lock: $(STAMP)  ## write requirements.lock from what .venv has installed (after upgrading it)
	@{ echo "# The versions CI and \`make venv\` install (pip constraints), from \`make lock\`."; \
	  echo "# Ranges are in pyproject.toml; upgrade .venv within them, then run \`make lock\`."; \
	  $(BIN)/pip freeze --exclude-editable --exclude domovoy; } > requirements.lock

migrate: $(STAMP)  ## apply migrations to the configured database
	@mkdir -p var
	$(MANAGE) migrate --noinput -v 0

demo: migrate  ## load the demo city once (re-running changes nothing)
	$(MANAGE) demo_city

run: export DEBUG = 1
run: demo  ## migrate, load the demo, start the web server (PORT, default 8000) and the worker (DEBUG=1)
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) demo_logins --url http://127.0.0.1:$(PORT)/
	$(MANAGE) run_huey -w 2 & trap 'kill %1' EXIT INT TERM; $(MANAGE) runserver 127.0.0.1:$(PORT) --noreload

worker: $(STAMP)  ## run one background worker (Huey consumer)
	$(MANAGE) run_huey -w 2

test: $(STAMP)  ## run the whole test suite (DATABASE_URL selects the database)
	@mkdir -p var
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff, migrations up to date, OpenAPI schema valid
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run -v 0
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

format: $(STAMP)  ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

fuzz: $(STAMP)  ## fuzz the REST API from its OpenAPI schema (schemathesis, no 5xx allowed)
	PY=$(BIN)/python scripts/fuzz_api.sh

bench: $(STAMP)  ## run the benchmarks (ratios against a baseline in the same run)
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-http: $(STAMP)  ## intake through gunicorn vs a bare insert view (needs PostgreSQL: DATABASE_URL)
	$(BIN)/python -m bench --only http_intake $(BENCH_ARGS)

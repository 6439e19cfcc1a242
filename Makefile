# Freelancer Network. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench load worker lint format install migrate seed clean

$(BIN)/activate: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (looked for $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(BIN)/activate

install: $(BIN)/activate

# Development server on the embedded defaults: SQLite and eager Celery, unless the
# environment says otherwise.
run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo --with-demo-passwords
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(PY) -m bench.scan $(BENCH_ARGS)

load: install
	$(PY) -m bench.load $(LOAD_ARGS)

# A worker with beat embedded, against CELERY_BROKER_URL. In production run workers and a
# single beat separately (see README).
worker: install
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0"; exit 1; }
	$(BIN)/celery -A config worker --beat --loglevel=INFO --concurrency=2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r config freelancers sops tasks reports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

# Two commands: `make run` serves the demo on SQLite + embedded search with a job worker;
# `make test` runs the suite.
# `make lint` alone checks style (ruff, configured in pyproject.toml).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test lint install install-test bench bench-load drill eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# The development server and one job worker beside it, stopped together (also when make
# itself is stopped: scripts/run_with_worker.py).
run: install
	$(BIN)/matchmaker db upgrade
	$(BIN)/matchmaker demo --if-empty
	exec $(BIN)/python scripts/run_with_worker.py --host 127.0.0.1 --port $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Lint first (a finding fails the run), then starts a local Elasticsearch (fetched from Maven
# Central, cached) unless ELASTICSEARCH_URL is set, and runs the suite on SQLite and, when
# TEST_POSTGRES_URL is set, on PostgreSQL.
test: lint
	$(BIN)/python scripts/run_tests.py $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m scripts.bench
	$(BIN)/python scripts/bench_import.py

# The load run alone (about five minutes: both backends when ELASTICSEARCH_URL is set); it
# rewrites only its own section of docs/benchmarks.md.
bench-load: install-test
	$(BIN)/python -m scripts.bench --only load

# 3-node Elasticsearch cluster on loopback, the elected master killed under load; the output
# goes into docs/operations.md.
drill: install
	$(BIN)/python scripts/drill.py --write-doc

eval: install-test
	$(BIN)/python scripts/eval_matching.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

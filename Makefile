# Two commands on a fresh machine with Python 3.11+:
#   make run    virtualenv, install, SQLite database, example processes, demo data, web app on :5000
#   make test   virtualenv with test tools, then the whole suite on SQLite and a throwaway PostgreSQL
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= $(or $(COMPLAINTFLOW_PORT),5000)

.PHONY: run test install install-test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

run: install
	$(BIN)/complaintflow init-db
	$(BIN)/complaintflow deploy processes/*.bpmn processes/*.dmn
	$(BIN)/complaintflow demo-users
	$(BIN)/complaintflow demo-data
	COMPLAINTFLOW_PORT=$(PORT) $(BIN)/complaintflow run

test: install-test
	bash scripts/ensure-test-system-packages.sh
	bash scripts/ensure-dmn-js.sh
	bash scripts/with-postgres.sh $(BIN)/python -m pytest -n auto --dist loadfile -q

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy engine complaintflow

bench: install-test
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

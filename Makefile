# Two entry points (see README): `make demo` runs the gateway demo, `make test` the suite.
# Both create the virtualenv on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/fixgw demo

test: $(BIN)/.installed
	scripts/ensure-redis
	$(BIN)/ruff check gateway routing tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check gateway routing tests bench
	$(BIN)/mypy

# Two entry points (see README): `make demo` runs the gateway demo, `make test` the suite.
# Both create the virtualenv on first use and reinstall when pyproject.toml, setup.py or
# the C speedups change (the editable install compiles gateway/fix/_speedups.c in place).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench

$(BIN)/.installed: pyproject.toml setup.py gateway/fix/_speedups.c
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

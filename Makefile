# Everything runs from the virtualenv in .venv (created with python3 on first use).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv run test test-long bench lint schema clean distclean

venv: $(STAMP)

# A Debian/Ubuntu python3 without ensurepip needs python3-venv first.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); .ci/apt-install python3-venv && $(PYTHON) -m venv $(VENV); }

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

run: venv
	$(BIN)/bobot migrate && $(BIN)/bobot demo --if-empty && $(BIN)/bobot serve --with-worker

# PYTEST_ARGS="-k sqlite -x" to pass options through.
test: venv
	.ci/ensure-postgres
	.ci/ensure-chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The reliability suites' long profile: the state machine on PostgreSQL, 500 examples of up
# to 100 steps (BOBOT_EXAMPLES=N to change), and the concurrency and doctor tests.
test-long: venv
	.ci/ensure-postgres
	BOBOT_LONG=1 $(BIN)/python -m pytest tests/reliability -s $(PYTEST_ARGS)

# The benchmark suite (~5 minutes): writes bench/results/latest.{json,md}.
bench: venv
	.ci/ensure-postgres
	$(BIN)/python -m bench

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

schema: venv
	$(BIN)/bobot export-schema > schema.graphql.tmp && mv schema.graphql.tmp schema.graphql

clean:
	rm -rf .pytest_cache .ruff_cache .mypy_cache build dist src/*.egg-info schema.graphql.tmp
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

# keycheck: `make demo` runs the local demo, `make test` the test suite.
# The demo installs only what it runs (keycheck and moto); the tests add the linters,
# gunicorn and the template checkers.
PYTHON ?= python3
COMMA := ,
VENV := .venv
BIN := $(VENV)/bin
DEMO_STAMP := $(VENV)/.demo-installed
STAMP := $(VENV)/.installed
# An editable install as a plain path in a .pth file: setuptools' default puts an import
# finder in its place, which loads pathlib and importlib.util before every `keycheck`
# (17 ms of a small `keycheck analyze`). Where a setuptools no longer offers that mode,
# its default is the fallback. (That mode is marked transitional: its warning is muted.)
EDITABLE = PYTHONWARNINGS=ignore $(BIN)/pip install -q -e "$(1)" --config-settings editable_mode=compat \
	|| $(BIN)/pip install -q -e "$(1)"

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(call EDITABLE,.[demo])
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(call EDITABLE,.[dev$(COMMA)serve$(COMMA)infra])
	touch $@ $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/keycheck demo

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/pytest -q -m bench -s tests/bench

clean:
	rm -rf $(VENV) build *.egg-info

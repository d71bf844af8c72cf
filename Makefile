# The two commands: `make run` and `make test`. Both build their own .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= ./kiosk-data
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# Tests run on every core (pytest-xdist); `make test JOBS=0` runs them in one process.
JOBS   ?= auto

.PHONY: run test test-all test-slow check lint bench soak locale demo clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

# The kiosk alone (make run, make demo): what a plant needs, not the test tools.
# Bytecode is compiled now, as a real install does: otherwise (e.g. with
# PYTHONDONTWRITEBYTECODE set) every start compiles the kiosk's modules again. run, demo and
# bench compile what changed since (a start measured with stale bytecode was 0.2 s slower).
# pip's output goes to .venv/pip.log and is shown only if the install fails (setuptools'
# note about editable installs is for developers, not for whoever types make run).
$(STAMP): $(BIN)/python pyproject.toml
	@echo "Setting up $(VENV) (the first time takes a minute)..."
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e . > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@$(BIN)/python -m compileall -q kiosk
	@touch $(STAMP)

# The tests' and the checks' tools, on top (make test, make check, make bench).
$(TEST_STAMP): $(STAMP)
	@$(BIN)/python -m pip install --quiet -e '.[test,dev]' > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $(TEST_STAMP)

## Start the kiosk on a local data folder, printer in preview mode.
run: $(STAMP)
	@$(BIN)/python -m compileall -q kiosk
	@$(BIN)/kiosk run --data $(DATA)

## Same, seeded with a year of Spanish demo records (only into an empty folder).
demo: $(STAMP)
	@$(BIN)/python -m compileall -q kiosk
	@$(BIN)/kiosk run --data ./kiosk-demo --demo

## The fast tests (everything but the slow system tests), headless, on every core.
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not slow" -n $(JOBS)

## Every test, the slow ones too (kill loops, the soak's short version, the install script).
test-all: $(TEST_STAMP)
	$(BIN)/python -m pytest -n $(JOBS)

## Only the slow system tests (CI runs them after make check, which ran the fast ones).
test-slow: $(TEST_STAMP)
	$(BIN)/python -m pytest -m slow -n $(JOBS)

## Lint, types and the import contracts (the architecture).
lint: $(TEST_STAMP)
	$(BIN)/ruff check kiosk tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## Before every commit: lint, types, the import contracts, then the fast tests.
check: lint test

## Speed figures against TinyDB as shipped and SQLite, at 1k, 25k and 100k records.
bench: $(TEST_STAMP)
	$(BIN)/python -m compileall -q kiosk
	$(BIN)/python bench/bench.py

## Every fault, many times, with a table of what was tried and lost (within 15 minutes).
soak: $(TEST_STAMP)
	$(BIN)/python -m tests.support.soak

## Recompile the gettext catalogs after editing the .po files.
locale: $(STAMP)
	$(BIN)/python -m kiosk.i18n compile

clean:
	rm -rf $(VENV) build *.egg-info

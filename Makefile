# The two commands: `make run` and `make test`. Both build their own .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= ./kiosk-data
STAMP  := $(VENV)/.installed
# Tests run on every core (pytest-xdist); `make test JOBS=0` runs them in one process.
JOBS   ?= auto

.PHONY: run test test-all check lint bench soak locale demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	# Bytecode now, as a real install does: otherwise (e.g. with PYTHONDONTWRITEBYTECODE set)
	# every start compiles the kiosk's modules again. run, demo and bench compile what changed
	# since (a start measured with stale bytecode was 0.2 s slower).
	$(BIN)/python -m compileall -q kiosk
	touch $(STAMP)

## Start the kiosk on a local data folder, printer in preview mode.
run: $(STAMP)
	$(BIN)/python -m compileall -q kiosk
	$(BIN)/kiosk run --data $(DATA)

## Same, seeded with a year of Spanish demo records (only into an empty folder).
demo: $(STAMP)
	$(BIN)/python -m compileall -q kiosk
	$(BIN)/kiosk run --data ./kiosk-demo --demo

## The fast tests (everything but the slow system tests), headless, on every core.
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -n $(JOBS)

## Every test, the slow ones too (kill loops, the soak's short version, the install script).
test-all: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS)

## Lint, types and the import contracts (the architecture).
lint: $(STAMP)
	$(BIN)/ruff check kiosk tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## Before every commit: lint, types, the import contracts, then the fast tests.
check: lint test

## Speed figures against TinyDB as shipped and SQLite, at 1k, 25k and 100k records.
bench: $(STAMP)
	$(BIN)/python -m compileall -q kiosk
	$(BIN)/python bench/bench.py

## Every fault, many times, with a table of what was tried and lost (within 15 minutes).
soak: $(STAMP)
	$(BIN)/python -m tests.support.soak

## Recompile the gettext catalogs after editing the .po files.
locale: $(STAMP)
	$(BIN)/python -m kiosk.i18n compile

clean:
	rm -rf $(VENV) build *.egg-info

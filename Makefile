# Two commands on a fresh clone: `make handouts` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: handouts test check lint format snapshots bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the default handouts into out/
handouts: $(STAMP)
	$(BIN)/handouts --out out

## Lint, check formatting, check the shipped content strictly and run every test
test: $(STAMP)
	$(BIN)/ruff check handouts tests bench generate.py
	$(BIN)/ruff format --check handouts tests bench generate.py
	$(BIN)/handouts check --strict > /dev/null || $(BIN)/handouts check --strict
	$(BIN)/python -m pytest

## Check the shipped content: sources, review dates, plain language, reading level
check: $(STAMP)
	$(BIN)/handouts check

## Rewrite the readable text snapshots in tests/snapshots/ from the current content
snapshots: $(STAMP)
	$(BIN)/python -m tests.snapshots

## Print render timings
bench: $(STAMP)
	$(BIN)/python bench/render.py
	$(BIN)/python bench/batch.py

format: $(STAMP)
	$(BIN)/ruff format handouts tests bench generate.py
	$(BIN)/ruff check --fix handouts tests bench generate.py

clean:
	rm -rf $(VENV) out

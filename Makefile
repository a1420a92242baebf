# Two commands on a fresh clone: `make handouts` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COMPILED := $(VENV)/.compiled

.PHONY: handouts test check lint format snapshots bench clean lock words serve browser dictionary poppler
BROWSER := tests/browser/node_modules/.installed
DICTIONARY := /usr/share/hunspell/es_US.dic
POPPLER := /usr/bin/pdftotext

# Everything is installed from requirements.lock: exact versions, each file checked
# against its hash; then the project itself, with no further downloads.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The package's bytecode, compiled after each change to its code, as pip compiles a wheel
# it installs: otherwise, where PYTHONDONTWRITEBYTECODE is set, every command compiles the
# whole package before it starts (README, "Quick start"). Checked against a hash of the
# source at each import, never its time stamp: a file edited twice within a second, to the
# same size, would otherwise run its old code. The folders are listed too, so that a module
# added, removed or renamed compiles again.
$(COMPILED): $(STAMP) $(shell find handouts -mindepth 1 -name __pycache__ -prune -o \( -type d -o -name '*.py' \) -print)
	$(BIN)/python -m compileall -q -f --invalidation-mode checked-hash handouts
	touch $(COMPILED)

## Refresh requirements.lock after changing a dependency in pyproject.toml
lock:
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet pip-tools==7.6.2
	$(VENV)-lock/bin/pip-compile --quiet --extra test --generate-hashes --allow-unsafe \
		--strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml
	rm -rf $(VENV)-lock

## Collect the words marked in the code into the catalogues (after adding or changing one)
words: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-location --omit-header \
		--sort-output -o handouts/locale/handouts.pot .
	$(BIN)/pybabel -q update -i handouts/locale/handouts.pot -d handouts/locale \
		-D handouts --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

## Build the default handouts into out/
handouts: $(COMPILED)
	$(BIN)/handouts --out out

## Serve the clinicians' web page on http://127.0.0.1:8000/ (Ctrl-C to stop)
serve: $(COMPILED)
	$(BIN)/handouts serve

## The browser tests' browser and checker: Debian's Chromium (apt, as root, as CI runs;
## about 30 s once) and axe-core from npm, at the version and hash the lock file gives
browser: $(BROWSER)
$(BROWSER): tests/browser/package.json tests/browser/package-lock.json
	@command -v chromium >/dev/null || { \
	  [ "$$(id -u)" = 0 ] || { echo "install Chromium first (Debian: sudo apt-get install chromium)"; exit 1; }; \
	  apt-get install -y chromium >/dev/null || \
	  { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }; }
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

## The Spanish spelling dictionary `handouts check --language es` reads: Debian's
## hunspell-es (apt, as root, as CI runs; a few seconds once)
dictionary: $(DICTIONARY)
$(DICTIONARY):
	@[ -f $@ ] || { \
	  [ "$$(id -u)" = 0 ] || { echo "install the Spanish dictionary first (Debian: sudo apt-get install hunspell-es)"; exit 1; }; \
	  apt-get install -y hunspell-es >/dev/null || \
	  { apt-get update >/dev/null && apt-get install -y hunspell-es >/dev/null; }; }

## The text reader the script tests read names back with (pdftotext): Debian's
## poppler-utils (apt, as root, as CI runs; a few seconds once)
poppler: $(POPPLER)
$(POPPLER):
	@[ -f $@ ] || { \
	  [ "$$(id -u)" = 0 ] || { echo "install poppler first (Debian: sudo apt-get install poppler-utils)"; exit 1; }; \
	  apt-get install -y poppler-utils >/dev/null || \
	  { apt-get update >/dev/null && apt-get install -y poppler-utils >/dev/null; }; }

## Lint, check formatting, check the shipped content strictly and run every test
test: $(COMPILED) $(BROWSER) $(DICTIONARY) $(POPPLER)
	$(BIN)/ruff check handouts tests bench generate.py
	$(BIN)/ruff format --check handouts tests bench generate.py
	$(BIN)/handouts check --strict > /dev/null || $(BIN)/handouts check --strict
	$(BIN)/handouts check --language es --strict > /dev/null || $(BIN)/handouts check --language es --strict
	$(BIN)/python -m pytest

## Check the shipped content: sources, review dates, plain language, reading level
check: $(COMPILED)
	$(BIN)/handouts check

## Rewrite the readable text snapshots in tests/snapshots/ from the current content
snapshots: $(COMPILED)
	$(BIN)/python -m tests.snapshots

## Print render timings
bench: $(COMPILED)
	$(BIN)/python bench/render.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/visit.py
	$(BIN)/python bench/ehr.py

format: $(STAMP)
	$(BIN)/ruff format handouts tests bench generate.py
	$(BIN)/ruff check --fix handouts tests bench generate.py

clean:
	rm -rf $(VENV) $(VENV)-lock out build dist
	find handouts -name __pycache__ -prune -exec rm -rf {} +

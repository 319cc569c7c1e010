# Everything runs inside .venv, created on first use; only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-all lint typecheck bench console import clean

# Bytecode caching on, whatever the environment says (PYTHONDONTWRITEBYTECODE): without it
# every test worker rewrites the asserts of every test module again and every bot process a
# test starts compiles the whole package again, seconds of CPU each time.
unexport PYTHONDONTWRITEBYTECODE

# Test processes (pytest-xdist): most tests wait on sockets and child processes, so more
# workers than cores still shortens the run (4 workers: 73 s, 8: 53-59 s on 2 cores, where
# the CPU of all tests is ~99 s); `make test WORKERS=0` runs in one process.
WORKERS ?= 8

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot run

console: $(STAMP)
	$(BIN)/python -m bot console

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Lint, type check and tests side by side (mypy's incremental cache in .mypy_cache makes a
# warm check take a second; a cold one runs while the tests do). -O keeps each one's output
# together; any failure fails the target.
test: $(STAMP)
	@$(MAKE) --no-print-directory -j3 -O lint typecheck test-all

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS)

# The unit tests only (no processes, no PostgreSQL, no fake Bot API, no hypothesis runs, no
# megabyte pages): seconds, for every save, in two processes (about 20 s of CPU in all). The
# markers are set by tests/conftest.py from what each test uses.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m "not e2e and not integration and not property and not postgres and not heavy"

bench: $(STAMP)
	$(BIN)/python -m bench all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

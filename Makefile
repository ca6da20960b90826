# Two commands do all set-up on a fresh Debian machine:
#   make run    installs what is missing and starts the console (SQLite, bundled Bangka data)
#   make test   installs what is missing and runs the whole test suite with the checks
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check bench system-run system-test system-bench clean

run: system-run $(STAMP)
	$(BIN)/comcen $(ARGS)

test: system-test $(STAMP)
	$(MAKE) --no-print-directory check
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The whole suite (under 10 minutes); e.g. make bench BENCH_ARGS="--out BENCHMARKS.md"
bench: system-bench $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/comcen bench $(BENCH_ARGS)

system-run:
	@bash .ci/system-packages.sh run

system-test:
	@bash .ci/system-packages.sh test

system-bench:
	@bash .ci/system-packages.sh bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

# serverless-mlops: `make demo` runs the loop locally, `make test` runs the tests. `make` lists everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 4566
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv demo up test test-fast lint bench sizes clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

venv: $(STAMP) ## create .venv with the pinned dependencies (uv from PyPI)

$(STAMP): pyproject.toml constraints.txt Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$$(sed -n 's/^uv==//p' constraints.txt)"
	# Bytecode at install time, as the layers ship it: imports stay fast even under PYTHONDONTWRITEBYTECODE.
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: venv ## run the continuous-training loop on the local runtime, start to finish
	$(BIN)/python -m mlops_cli.demo

up: venv ## serve the stack on http://127.0.0.1:$(PORT) until Ctrl-C
	$(BIN)/python -m localcloud --port $(PORT) --url-port $$(($(PORT) + 1))

test: venv ## unit, integration (moto) and end-to-end (local runtime) tests
	$(BIN)/pytest

test-fast: venv ## the tests without the end-to-end runs
	$(BIN)/pytest -m "not e2e"

bench: venv ## speed and memory figures against naive baselines; updates benchmarks/RESULTS.md and the README
	$(BIN)/python -m benchmarks

sizes: venv ## build the layers for python3.12 and check each function's unzipped size
	$(BIN)/python scripts/package_sizes.py --build

lint: venv ## ruff, including the security and banned-API rules
	$(BIN)/ruff check .

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .build

# serverless-mlops: `make demo` runs the loop locally, `make test` runs the tests. `make` lists everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 4566
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/.installed
SCAN_VENV := .venv-scan
SCAN := $(SCAN_VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv sam-venv demo demo-ui up ui test test-fast browser screenshots reliability drift-figures lint scan bench build sizes clean

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

demo-ui: venv ## the demo, then the web app (mlops ui) over its stack on http://127.0.0.1:8765 until Ctrl-C
	$(BIN)/python -m mlops_cli.demo --ui

up: venv ## serve the stack on http://127.0.0.1:$(PORT) until Ctrl-C
	$(BIN)/python -m localcloud --port $(PORT) --url-port $$(($(PORT) + 1))

ui: venv ## the read-only web app (mlops ui) on http://127.0.0.1:8765 over the stack of `make up` (or MLOPS_STACK)
	AWS_ENDPOINT_URL=$${AWS_ENDPOINT_URL-http://127.0.0.1:$(PORT)} AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION-us-east-1} \
	AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID-local} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY-local} $(BIN)/mlops ui

# The unit tiers run in a second process beside the others, which mostly wait on the local runtime: on two cores
# the whole suite takes about the time of the end-to-end tiers alone.
test: venv browser ## unit, integration (moto) and end-to-end (local runtime) tests
	@log=$$(mktemp); \
	$(BIN)/pytest -q -p no:cacheprovider tests/unit tests/candidates > $$log 2>&1 & unit_pid=$$!; \
	$(BIN)/pytest tests/integration tests/e2e tests/reliability; others=$$?; \
	wait $$unit_pid; units=$$?; \
	echo "--- tests/unit and tests/candidates, run beside the above ---"; cat $$log; rm -f $$log; \
	test $$others -eq 0 && test $$units -eq 0

test-fast: venv ## the tests without the end-to-end runs
	$(BIN)/pytest -m "not e2e"

# Debian's Chromium for the UI's browser test (no browser download at run time). Where it cannot be installed (no
# apt-get, not root and no sudo), this says why and the browser tests skip, saying so.
browser: ## headless Chromium from the system's packages, for the UI's browser test
	@if command -v chromium >/dev/null; then echo "browser: $$(chromium --version 2>/dev/null)"; \
	elif ! command -v apt-get >/dev/null; then echo "browser: no apt-get here: the browser tests will skip"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	  >/dev/null || echo "browser: apt-get install chromium failed: the browser tests will skip"; \
	elif sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install \
	  -y -qq chromium >/dev/null || echo "browser: apt-get install chromium failed: the browser tests will skip"; \
	else echo "browser: not root and no password-less sudo to install chromium: the browser tests will skip"; fi

screenshots: venv browser ## the UI's browser test; its screenshots go into docs/images (the README shows them)
	UI_SCREENSHOTS=docs/images $(BIN)/pytest -q tests/e2e/test_ui.py

reliability: venv ## the reliability suite alone; when it passes, its table of figures goes into docs/reliability.md
	RELIABILITY_REPORT=docs/reliability.md $(BIN)/pytest tests/reliability

drift-figures: venv ## measure the drift alarm's false-alarm and detection rates; they go into docs/monitoring.md and the README
	DRIFT_FIGURES=docs/monitoring.md $(BIN)/pytest -q -x tests/unit/test_drift_alarm_rates.py

bench: venv ## speed and memory figures against naive baselines; updates benchmarks/RESULTS.md and docs/benchmarks.md (ONLY=inference: that part alone)
	$(BIN)/python -m benchmarks $(if $(ONLY),--only $(ONLY))

sam-venv: $(SAM) ## SAM CLI in its own virtual environment (it pins boto3 and click exactly)

$(SAM): constraints-sam.txt | venv
	test -x $(SAM_VENV)/bin/python || $(BIN)/uv venv --quiet --python $(PYTHON) $(SAM_VENV)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(SAM_VENV)/bin/python -r constraints-sam.txt
	touch $(SAM)

$(SCAN): constraints-scan.txt | venv
	test -x $(SCAN_VENV)/bin/python || $(BIN)/uv venv --quiet --python $(PYTHON) $(SCAN_VENV)
	$(BIN)/uv pip install --quiet --python $(SCAN_VENV)/bin/python -r constraints-scan.txt
	touch $(SCAN)

scan: venv sam-venv $(SCAN) ## template gates: cfn-lint serverless rules, sam validate --lint, checkov (.checkov.yaml)
	AWS_DEFAULT_REGION=us-east-1 $(SCAN_VENV)/bin/cfn-lint template.yaml -a cfn_lint_serverless.rules
	AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint
	$(BIN)/python scripts/translate_template.py .aws-sam/translated.json
	$(SCAN_VENV)/bin/checkov -f .aws-sam/translated.json --config-file .checkov.yaml --quiet

build: venv sam-venv ## sam build: every function and layer for python3.12, offline (cp312 wheels, no Docker)
	PATH="$(CURDIR)/$(BIN):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build

sizes: build ## check each built function's unzipped size (its code plus its layers) against its limit
	$(BIN)/python scripts/package_sizes.py --build-dir .aws-sam/build

lint: venv ## ruff (security and banned-API rules), the import rules (lint-imports) and cfn-lint on the template
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/cfn-lint template.yaml

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) $(SAM_VENV) $(SCAN_VENV) .aws-sam .pytest_cache .ruff_cache

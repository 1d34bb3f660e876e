# Two commands on a fresh machine: `make dev` and `make test`. Everything else is optional.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip on this kind of machine warns once per package about an absent local index; keep real output.
QUIET_PIP := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help dev test test-fast token bench lint build lock clean e2e

# SAM CLI and the SAM translator pin boto3 and pydantic differently from the project: own venv.
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_EC2_METADATA_DISABLED=true PYENV_VERSION=3.11.7:3.12.1
# The Lambda runtime's Python, to precompile the build (see docs/decisions.md, cold start).
PY312 ?= PYENV_VERSION=3.12.1 python3.12

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock layers/deps/requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock $(QUIET_PIP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . $(QUIET_PIP)
	@touch $(STAMP)

dev: $(STAMP)  ## run the whole stack locally: moto, seeded demo data, the API on 127.0.0.1:3000, live updates on ws :3001
	$(BIN)/clinic-local dev

token: $(STAMP)  ## print an ID token for a demo account: make token EMAIL=ava.patel@demo.clinic.test
	@test -n "$(EMAIL)" || { echo "usage: make token EMAIL=<demo email>" >&2; exit 2; }
	@$(BIN)/clinic-local token "$(EMAIL)"

test: $(STAMP)  ## every test (unit, handler, HTTP); e2e runs only when CLINIC_E2E_API_URL is set
	$(BIN)/python -m pytest -n auto -m "not serial"
	$(BIN)/python -m pytest -p no:xdist -m serial

test-fast: $(STAMP)  ## unit and handler tests only
	$(BIN)/python -m pytest -n auto -m "not http and not serial"
	$(BIN)/python -m pytest -p no:xdist -m "serial and not http"

e2e: $(STAMP)  ## the HTTP suite against a deployed stack (see README)
	$(BIN)/python -m pytest tests/e2e

$(SAM_STAMP): tools/requirements-sam.txt
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/requirements-sam.txt $(QUIET_PIP)
	@touch $(SAM_STAMP)

lint: $(STAMP) $(SAM_STAMP)  ## ruff, the template through sam validate --lint, and cfn-lint on the transformed template
	$(BIN)/ruff check .
	$(SAM_ENV) $(SAM_VENV)/bin/sam validate --lint
	@mkdir -p build
	$(SAM_VENV)/bin/python tools/transform_template.py template.yaml build/cfn.json
	$(SAM_VENV)/bin/cfn-lint build/cfn.json

build: $(SAM_STAMP)  ## sam build (python3.12, arm64) into .aws-sam/, with precompiled bytecode
	$(SAM_ENV) $(SAM_VENV)/bin/sam build --parallel $(QUIET_PIP)
	@# Lambda's file system is read-only: without shipped .pyc files every cold start compiles
	@# every imported module from source. unchecked-hash: zip timestamps must not invalidate them.
	$(PY312) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build

bench: $(STAMP)  ## benchmarks, as ratios against baselines measured in the same run
	$(BIN)/python -m benchmarks

openapi: $(STAMP)  ## regenerate docs/openapi.json from the code (a test fails when it drifts)
	$(BIN)/python -m clinic_local.openapi --write

lock:  ## re-pin dependencies (layer and dev) with hashes
	$(BIN)/pip-compile --generate-hashes --strip-extras --no-header --no-emit-index-url --no-emit-find-links --allow-unsafe -q -o layers/deps/requirements.txt requirements/runtime.in
	$(BIN)/pip-compile --generate-hashes --strip-extras --no-header --no-emit-index-url --no-emit-find-links --allow-unsafe -q -o requirements/dev.lock requirements/dev.in

clean:  ## remove virtualenvs and build output
	rm -rf $(VENV) .venv-* .aws-sam build .local

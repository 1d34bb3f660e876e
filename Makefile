# Two commands on a fresh machine: `make dev` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help dev test test-fast token bench lint openapi build lock clean e2e

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock layers/deps/requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

dev: $(STAMP)  ## run the whole stack locally: moto, seeded demo data, the API on 127.0.0.1:3000
	$(BIN)/clinic-local dev

token: $(STAMP)  ## print an ID token for a demo account: make token EMAIL=ava.patel@demo.clinic.test
	@test -n "$(EMAIL)" || { echo "usage: make token EMAIL=<demo email>" >&2; exit 2; }
	@$(BIN)/clinic-local token "$(EMAIL)"

test: $(STAMP)  ## every test (unit, handler, HTTP); e2e runs only when CLINIC_E2E_API_URL is set
	$(BIN)/python -m pytest -n auto

test-fast: $(STAMP)  ## unit and handler tests only
	$(BIN)/python -m pytest -n auto -m "not http"

e2e: $(STAMP)  ## the HTTP suite against a deployed stack (see README)
	$(BIN)/python -m pytest tests/e2e

bench: $(STAMP)  ## benchmarks, as ratios against baselines measured in the same run
	$(BIN)/python -m benchmarks

lock:  ## re-pin dependencies (layer and dev) with hashes
	$(BIN)/pip-compile --generate-hashes --strip-extras --no-header --no-emit-index-url --no-emit-find-links --allow-unsafe -q -o layers/deps/requirements.txt requirements/runtime.in
	$(BIN)/pip-compile --generate-hashes --strip-extras --no-header --no-emit-index-url --no-emit-find-links --allow-unsafe -q -o requirements/dev.lock requirements/dev.in

clean:  ## remove virtualenvs and build output
	rm -rf $(VENV) .venv-* .aws-sam build .local

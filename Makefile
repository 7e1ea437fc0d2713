# fmn — run `make help` for the targets.
GO      ?= go
PKGS    ?= ./...
BIN     := bin

.PHONY: help build run test test/short fresh-check bench bench/go bench/match bench/sse chaos fuzz vulncheck lint fmt services tools

help: ## list the targets
	@grep -E '^[a-zA-Z/_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

build: ## build every binary into bin/
	$(GO) build -o $(BIN)/ ./cmd/...

run: ## run all of fmn locally with demo data (starts services if needed)
	scripts/run-local.sh

services: ## make sure PostgreSQL, Redis and RabbitMQ (with its management plugin) run on 127.0.0.1, and chromium is installed
	scripts/services.sh

tools: ## build the test tools pinned in tools/go.mod (mailpit, ergo, devoidc) into ~/.cache/fmn-tools, once per version
	@scripts/tools.sh >/dev/null

test: services tools ## set up what the tests need, then run every test (real PostgreSQL, RabbitMQ, Redis, mailpit, ergo, devoidc, chromium) with the race detector
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

test/short: services tools ## run the tests without the race detector
	$(GO) test -count=1 $(PKGS)

fresh-check: ## clone the committed tree into a temporary directory with empty HOME and Go caches, run `make run` until every channel delivered, then `CI=true make test`; report both times
	scripts/fresh-check.sh

bench: build services ## a short load run of the whole pipeline beside the transport ceiling (~2 min; numbers go in BENCHMARKS.md)
	$(BIN)/fmnbench load -users 10000 -messages 15000 -workers 1,2 -latency-at 0.2 -latency-messages 5000
	$(BIN)/fmnbench load -users 10000 -heavy 1 -messages 3000 -workers 1,2 -latency-at 0 -ceiling=false

bench/go: ## run the packages' Go benchmarks
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

bench/match: ## the compiled matcher on one core, Fedora-shaped and default populations at 10k and 100k users (issue #21; numbers go in BENCHMARKS.md; ~3 min)
	$(GO) build -o $(BIN)/ ./cmd/fmnbench
	for users in 10000 100000; do for shape in fedora default; do GOMAXPROCS=1 $(BIN)/fmnbench match -shape $$shape -users $$users -messages 20000; done; done

bench/sse: ## 10k SSE streams at 1000 notifications/s (real Redis; ~30 s)
	$(GO) build -o $(BIN)/ ./cmd/fmnbench && $(BIN)/fmnbench sse -conns 10000 -rate 1000 -duration 20s

chaos: build services tools ## the fault suite under a 100,000-message load (kills, RabbitMQ restart, PostgreSQL and Redis down 10 s, SMTP refusing 30 s, IRC restart), then 44-odd random kills; fails unless every sink got everything once (~5 min)
	$(BIN)/fmnbench load -users 10000 -messages 100000 -workers 2 -latency-at 0 -ceiling=false -faults all
	$(BIN)/fmnbench load -users 10000 -messages 100000 -workers 2 -latency-at 0 -ceiling=false -chaos 2s

fuzz: ## run every fuzz target for FUZZTIME (default 60s) and keep the corpus it finds in testdata/fuzz (~20 min)
	scripts/fuzz.sh

vulncheck: ## check the dependencies and the Go standard library for known vulnerabilities (govulncheck on a database built from the Go module proxy: no vuln.go.dev needed)
	scripts/vulncheck.sh

lint: ## gofmt, go vet and golangci-lint (.golangci.yml; the linter is built once from tools/go.mod, a few minutes the first time)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)
	@lint=$$(scripts/tools.sh lint | sed -n 's/^golangci-lint=//p') && echo "$$lint run $(PKGS)" && "$$lint" run --timeout 20m $(PKGS)

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

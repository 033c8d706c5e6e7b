# posnode — run `make help` for the targets.
GO        ?= go
DATA      ?= ./data
HTTP      ?= localhost:8080
PKGS_DEB  := mosquitto socat chromium unifont
BENCHTIME ?= 1x
FUZZTIME  ?= 30s

.PHONY: help run test test-deps test-32bit check bench bench-short fuzz fuzz-short chaos tidy-check screenshots screens-fit

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: ## run the node with the demo store: data in ./data, offline, UI on http://localhost:8080
	$(GO) run ./cmd/posnode run --demo --data $(DATA) --http $(HTTP)

test-deps: ## install the system packages the tests need (mosquitto, socat, chromium, unifont) when missing
	@bash scripts/test-deps.sh $(PKGS_DEB)

test: test-deps tidy-check ## everything CI runs: vet, unit, integration, browser, 32-bit, short fuzz, bench and chaos slices
	$(GO) vet ./...
	$(GO) test -count=1 -p 1 -timeout 9m ./...
	$(MAKE) test-32bit
	$(MAKE) fuzz-short
	$(MAKE) bench-short

test-32bit: ## the domain, storage and device packages built for 32 bits (as for armv7 boxes), run here as 386 where the machine can
	GO=$(GO) bash scripts/test-32bit.sh

tidy-check: ## fail when gofmt or go mod tidy would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	@cp go.mod /tmp/posnode.go.mod.bak; cp go.sum /tmp/posnode.go.sum.bak; \
	  $(GO) mod tidy; \
	  if ! cmp -s go.mod /tmp/posnode.go.mod.bak || ! cmp -s go.sum /tmp/posnode.go.sum.bak; then \
	    echo "go mod tidy changed go.mod/go.sum; run 'go mod tidy' and commit"; \
	    cp /tmp/posnode.go.mod.bak go.mod; cp /tmp/posnode.go.sum.bak go.sum; exit 1; fi

check: test-deps ## vet, race tests and the dependency rule
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

bench: test-deps ## every benchmark; writes docs/benchmarks.md
	bash scripts/bench.sh

fuzz: ## run every fuzz target for FUZZTIME each (default 30s)
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# The packages that hold benchmarks: bench-short links no other test binary.
BENCH_PKGS = $(sort $(patsubst %/,%,$(dir $(shell grep -l '^func Benchmark' $$(find . -name '*_test.go' -not -path './.git/*')))))

bench-short: ## every benchmark once, at its small size (part of make test)
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x -p 1 -timeout 5m $(BENCH_PKGS)

fuzz-short: ## 1,000 inputs of every fuzz target (part of make test; make fuzz runs each for 30 s)
	FUZZTIME=1000x bash scripts/fuzz.sh

screens-fit: test-deps ## measure every staff screen at every size in every language (make test measures each size in one)
	POSNODE_FIT_ALL=1 $(GO) test -count=1 -run TestScreensFit -v ./ui/browsertest/

screenshots: test-deps ## save a screenshot of each screen into docs/screenshots (headless Chromium)
	POSNODE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 ./ui/browsertest/

chaos: ## the crash harness: SIGKILL the node under load many times
	POSNODE_CHAOS_KILLS=100 $(GO) test -v -count=1 -timeout 30m -run TestChaos ./cmd/posnode/

-include build/*.mk

# Everything a fresh clone needs: `make test` and `make demo` install what
# they use (Go modules through the go command, the server's npm packages
# with npm ci).

GO        ?= go
NPM       ?= npm
SERVER    := testdata/server
GOTESTFLAGS ?=

.PHONY: test demo deps vet cross-check fmt-check bench fuzz clean

deps: $(SERVER)/node_modules/.package-lock.json
	$(GO) mod download

$(SERVER)/node_modules/.package-lock.json: $(SERVER)/package.json $(SERVER)/package-lock.json
	$(NPM) ci --prefix $(SERVER) --no-audit --no-fund

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: deps
	$(GO) vet ./...

# Platforms the tests do not run on still have to build: a BSD (idle
# parking and raw reads are Linux-only there, Rlimit differs), Windows (no
# raw descriptors) and a 32-bit one (64-bit atomics, multiplexed socket
# calls). The tests of the first two are type-checked too.
cross-check:
	GOOS=freebsd $(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	GOARCH=386 $(GO) build ./...

# The root package runs a second time without the race detector: only then
# does it read and write sockets with the raw system calls users get on Linux.
test: deps fmt-check vet cross-check
	$(GO) test -race -count=1 $(GOTESTFLAGS) ./...
	$(GO) test -count=1 $(GOTESTFLAGS) .
	cd xk6 && $(GO) vet ./... && $(GO) test -count=1 ./...

demo: deps
	$(GO) run ./examples/demo

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzDecodeFrame -fuzztime 60s ./codec
	$(GO) test -run '^$$' -fuzz FuzzUnmarshalFlatStruct -fuzztime 60s ./codec
	$(GO) test -run '^$$' -fuzz FuzzWSReader -fuzztime 60s .
	$(GO) test -run '^$$' -fuzz FuzzHandleFrame -fuzztime 60s .

clean:
	rm -rf $(SERVER)/node_modules

# Side-by-side benchmark of scclient and the JavaScript client (bench/README.md).
# BENCH_FLAGS passes extra flags to the compare program, e.g. --quick.
BENCH_BIN   := bench/bin
BENCH_FLAGS ?=

.PHONY: bench-compare bench-deps

bench-deps:
	$(NPM) ci --prefix bench/server --no-audit --no-fund
	$(NPM) ci --prefix bench/js --no-audit --no-fund
	$(GO) build -o $(BENCH_BIN)/driver ./bench/driver
	$(GO) build -o $(BENCH_BIN)/compare ./bench/compare

bench-compare: bench-deps
	$(BENCH_BIN)/compare --go-driver $(BENCH_BIN)/driver --raw $(BENCH_BIN)/last-run.jsonl $(BENCH_FLAGS)

# A k6 binary with the k6/x/socketcluster extension, built from the xk6
# module into xk6/bin/k6 (xk6/README.md).
.PHONY: k6
k6:
	cd xk6 && $(GO) build -o bin/k6 ./cmd/k6

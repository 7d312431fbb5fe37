# Everything a fresh clone needs: `make test` and `make demo` install what
# they use (Go modules through the go command, the server's npm packages
# with npm ci).

GO        ?= go
NPM       ?= npm
SERVER    := testdata/server
GOTESTFLAGS ?=

.PHONY: test demo deps vet fmt-check bench fuzz clean

deps: $(SERVER)/node_modules/.package-lock.json
	$(GO) mod download

$(SERVER)/node_modules/.package-lock.json: $(SERVER)/package.json $(SERVER)/package-lock.json
	$(NPM) ci --prefix $(SERVER) --no-audit --no-fund

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: deps
	$(GO) vet ./...

test: deps fmt-check vet
	$(GO) test -race -count=1 $(GOTESTFLAGS) ./...

demo: deps
	$(GO) run ./examples/demo

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzDecodeFrame -fuzztime 60s ./codec

clean:
	rm -rf $(SERVER)/node_modules

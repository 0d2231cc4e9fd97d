# a2a-proxy: `make test` is what CI runs (.ci/run). It installs what the tests
# need (Go modules, the Node peers of the end-to-end tests) and runs every test
# with the race detector.

GO       ?= go
NODE_DIR := e2e/node

.PHONY: test vet build node-deps bench clean

test: node-deps vet
	$(GO) test -race -count=1 ./...

vet:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

build:
	$(GO) build -o a2a-proxy ./cmd/a2a-proxy

# The end-to-end tests run real @a2a-js/sdk peers under Node, pinned by the lockfile.
node-deps: $(NODE_DIR)/node_modules/.package-lock.json

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund

# Latency and throughput of the proxy against a direct connection, in one run
# (see README, "Performance").
bench:
	$(GO) test ./internal/ssebench -run TestReport -report -v -timeout 30m

clean:
	rm -rf a2a-proxy $(NODE_DIR)/node_modules

# a2a-proxy: `make test` is what CI runs (.ci/run). It installs what the tests
# need (Go modules, the Node peers of the end-to-end tests, Chromium for the
# UI's browser tests, PostgreSQL's server for the PostgreSQL tests, nginx for
# the load-balancer test of the replicas) and runs every test with the race
# detector.

GO       ?= go
NODE_DIR := e2e/node

.PHONY: test vet build node-deps browser-deps postgres-deps nginx-deps bench clean

test: node-deps browser-deps postgres-deps nginx-deps vet
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

# The UI's browser tests drive Debian's Chromium (internal/browser); the emoji
# font makes screenshots show the built-in agent's messages as users see them.
# Installed only when missing: the apt lists are fetched once.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-color-emoji; \
	fi

# The PostgreSQL tests start their own server (internal/pgtest) from Debian's
# postgresql package, which puts initdb and postgres under
# /usr/lib/postgresql/<major>/bin. Installed only when no major version is there.
postgres-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	fi

# The replicas' load-balancer test (cmd/a2a-proxy, README "Several replicas")
# and the benchmark harness's nginx baseline (internal/ssebench) run
# Debian's nginx as a process of its own, on loopback ports with a
# temporary prefix. Installed only when missing; RUNLEVEL=1 keeps the package
# from starting the system's nginx service.
nginx-deps:
	@if [ ! -x /usr/sbin/nginx ]; then \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y nginx; \
	fi

# Latency and throughput of the proxy against a direct connection, in one run
# (see README, "Performance").
bench:
	$(GO) test ./internal/ssebench -count=1 -run TestReport -report -rounds 3 -v -timeout 30m

clean:
	rm -rf a2a-proxy $(NODE_DIR)/node_modules

# The two front doors: `make run` and `make test`. Everything else is a helper.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: run test deps build format format-check bench http-bench cluster-bench wait-bench whatif-bench image-test clean

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Builds, starts a private Redis (unless REDIS_URL is set; REDIS_CLUSTER=1: a private Redis
# Cluster of 3 masters + 3 replicas and 6 tenants spread over them), the three services, a demo
# tenant, demo traffic and simulated agents, and prints a live summary. Ctrl-C stops everything.
run: build
	./scripts/run-demo.sh $(BUILD_DIR)

# Builds and runs every test (labels: unit, integration, e2e, chaos) through CTest, then prints
# the chaos tests' ledgers (acked / completed / lost / duplicated / stuck / failed calls).
test: build
	rm -rf $(BUILD_DIR)/chaos
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600; rc=$$?; \
	  cat chaos/*.txt 2>/dev/null; exit $$rc

# Prints end-to-end routing throughput, latency and full life cycle (done/s) beside a raw Redis
# EVALSHA baseline and BullMQ's no-op worker on the same Redis (load-tests/README.md).
bench: build
	./load-tests/run-bench.sh $(BUILD_DIR)

# Submit -> offer at 500/s, rounds alternating gRPC and the HTTP/JSON front in one run.
http-bench: build
	./load-tests/run-bench.sh $(BUILD_DIR) --rate 500 --batch 5 --interactions 10000 --rounds 6 \
	  --submit-via grpc,http --skip-raw --skip-bullmq

# One redis-server against a 3-master Redis Cluster, same tenants and load (load-tests/README.md).
cluster-bench: build
	./load-tests/cluster-bench.sh $(BUILD_DIR)

# Intake without and with --redis-wait-replicas=1 on a 3-master cluster with one replica each.
wait-bench: build
	./load-tests/wait-bench.sh $(BUILD_DIR)

whatif-bench: build
	./load-tests/whatif-bench.sh $(BUILD_DIR)

# Builds the images with podman, runs them and routes one interaction through (not in `make test`).
image-test: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target omniroute-image-check
	./deploy/docker/image-test.sh $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

format-check:
	./scripts/format-check.sh

clean:
	rm -rf $(BUILD_DIR)

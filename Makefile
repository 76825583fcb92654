# Strata: `make run` and `make test` do everything on a fresh Debian 12.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:9201
DATA_DIR ?= ./data
CMAKE_FLAGS ?=
WERROR := $(if $(STRATA_WERROR),-DSTRATA_WERROR=$(STRATA_WERROR),)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Let ccache share results between clones in different folders.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

# Debian packages the build, the tests and the benchmarks need.
DEPS := build-essential cmake ninja-build ccache pkg-config git zstd curl \
  libabsl-dev libzstd-dev zlib1g-dev libxxhash-dev liburing-dev libgtest-dev libgmock-dev \
  libbenchmark-dev libsnappy-dev libprotobuf-dev protobuf-compiler libre2-dev \
  libroaring-dev libboost-dev libssl-dev libcrypt-dev libyaml-cpp-dev libcli11-dev \
  nlohmann-json3-dev python3 python3-dev python3-pybind11 python3-numpy python3-pytest \
  python3-pip python3-venv python3-setuptools python3-wheel \
  python3-protobuf python3-snappy \
  jq prometheus prometheus-node-exporter \
  prometheus-alertmanager clang libclang-rt-14-dev chromium \
  dpkg-dev lintian help2man groff-base man-db systemd

.PHONY: all deps configure build docs test deb run stack tsan asan fuzz fuzz-build soak bench bench-compare clean format

all: build

# Installs only what is missing; a quick no-op otherwise.
deps:
	@missing=$$(dpkg-query -W -f='$${binary:Package} $${db:Status-Status}\n' $(DEPS) 2>/dev/null \
	  | awk '$$2=="installed"{print $$1}' | sed 's/:.*//' | sort > /tmp/strata-have.$$$$; \
	  for p in $(DEPS); do grep -qx "$$p" /tmp/strata-have.$$$$ || echo $$p; done; rm -f /tmp/strata-have.$$$$); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# The stack's app needs Node.js and npm: Debian's, unless a node and an
	@# npm (from NodeSource, say, whose nodejs conflicts with Debian's npm)
	@# are already there.
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  echo "Installing nodejs and npm"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(WERROR) $(CMAKE_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The flag reference of docs/configuration.md, regenerated from the
# binaries' --help (tests/docs fails while it is stale; docs/README.md).
docs: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target strata-server strata-tsdb
	python3 tools/docgen/flags_reference.py \
	  --strata-server $(BUILD_DIR)/tools/strata-server/strata-server \
	  --strata-tsdb $(BUILD_DIR)/tools/strata-tsdb/strata-tsdb \
	  --update docs/configuration.md

# The suite, then every fuzz target briefly (replay of its seeds and
# regression inputs, then FUZZ_TEST_SECONDS of fuzzing; fuzz/README.md).
test: build fuzz-build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900
	cd $(FUZZ_BUILD_DIR) && FUZZ_SECONDS=$(FUZZ_TEST_SECONDS) \
	  ctest --output-on-failure -j $(JOBS) -L fuzz --timeout 900

# libFuzzer targets (fuzz/README.md) in their own clang build with
# ASan+UBSan. `make fuzz` runs each for FUZZ_SECONDS, one after another;
# a crash stops it with the input saved under build-fuzz/fuzz/work/.
FUZZ_BUILD_DIR := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 10
fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSTRATA_FUZZ=ON \
	  -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_BENCH=OFF -DSTRATA_BUILD_TOOLS=OFF >/dev/null
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzz_all
fuzz: fuzz-build
	cd $(FUZZ_BUILD_DIR) && FUZZ_SECONDS=$(FUZZ_SECONDS) \
	  ctest --output-on-failure -L fuzz --timeout $$(($(FUZZ_SECONDS) + 600))

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc); any report fails its test. ASan's redzones make stack frames
# several times larger, so the nesting limits sized for 2 MiB thread stacks
# (PromQL, templates) need a larger stack limit here (ulimit -s: the main
# thread's and the default for new threads).
asan:
	@$(MAKE) --no-print-directory configure BUILD_DIR=build-asan CMAKE_FLAGS="-DSTRATA_ASAN=ON -DSTRATA_BUILD_BENCH=OFF"
	cmake --build build-asan -j $(JOBS)
	ulimit -s 65536 && cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800

# The Debian package strata_<version>-1_<arch>.deb in build-release/
# (packaging/debian/README.md): Release binaries, the library, headers,
# man pages, the systemd unit strata-server.service. Builds only what it
# packs; cpack runs dpkg-shlibdeps for Depends.
deb:
	@$(MAKE) --no-print-directory configure BUILD_TYPE=Release BUILD_DIR=build-release
	cmake --build build-release -j $(JOBS) --target strata-server strata-tsdb \
	  strata_archive strata_shared strata_man
	cd build-release && cpack -G DEB
	@ls -l build-release/strata_*.deb

run:
	@$(MAKE) --no-print-directory build BUILD_TYPE=Release BUILD_DIR=build-release
	./build-release/tools/strata-server/strata-server \
	  --storage.tsdb.path=$(DATA_DIR) --web.listen-address=$(LISTEN)

# The monitoring stack of examples/stack (README there): strata-server in
# Release as for `make run`, the dataspace app (npm ci on first use), node_exporter,
# two Prometheus agents, Alertmanager; Ctrl-C stops it all. Ports and
# intervals from the environment (examples/stack/run.sh); e.g.
# `make stack STACK_MEASURE_SECONDS=600` prints CPU/RSS per component.
STACK_WORK_DIR ?= ./build-release/stack
stack:
	@$(MAKE) --no-print-directory build BUILD_TYPE=Release BUILD_DIR=build-release
	STRATA_SERVER=./build-release/tools/strata-server/strata-server \
	  STACK_WORK_DIR=$(STACK_WORK_DIR) examples/stack/run.sh

# ThreadSanitizer build of the multi-threaded suites (concurrent appenders
# and readers, WAL group commit, compaction beside appends, the HTTP server
# and its handlers) and of the end-to-end suites, which run the TSan-built
# strata-server (TSAN_OPTIONS reaches it: a report aborts it, failing the
# test); any report fails the target.
TSAN_TESTS := head/head_concurrency_test block/block_block_concurrency_test \
  wal/wal_wal_test db/db_test db/db_blocks_test server/server_http_test \
  server/server_unit_test server/server_remote_test server/server_query_test \
  server/server_e2e_test e2e/e2e_prometheus_remote_storage_test \
  e2e/e2e_query_api_test e2e/e2e_rules_alerting_test e2e/e2e_topologies_test \
  e2e/e2e_ha_dedup_test e2e/e2e_stack_test
tsan:
	@$(MAKE) --no-print-directory configure BUILD_DIR=build-tsan CMAKE_FLAGS="-DSTRATA_TSAN=ON -DSTRATA_BUILD_BENCH=OFF"
	cmake --build build-tsan -j $(JOBS) --target strata-server $(notdir $(TSAN_TESTS))
	@for t in $(TSAN_TESTS); do \
	  echo "== $$t"; \
	  STRATA_BINARY_DIR=$(CURDIR)/build-tsan \
	  TSAN_OPTIONS="halt_on_error=1 $$TSAN_OPTIONS" ./build-tsan/tests/$$t --gtest_brief=1 || exit 1; \
	done

# The kill -9 crash test with many more rounds.
soak: build
	cd $(BUILD_DIR) && STRATA_CRASH_ROUNDS=$${ROUNDS:-1000} ctest --output-on-failure -R DBCrashTest

bench:
	@$(MAKE) --no-print-directory build BUILD_TYPE=Release BUILD_DIR=build-release

# strata-server against Prometheus 2.42, same workload, same CPUs, one run
# (bench/compare/README.md). Builds only what it runs, in Release (tests
# off: not needed to measure); prints the table and appends it to
# $(RESULTS). SCALE=tiny|small|large; SCENARIO=all|ingest|rules|tls|histograms (tls:
# strata-server alone, plain HTTP vs TLS vs TLS + basic auth; histograms:
# native histograms, both servers; neither in all).
SCALE ?= small
SCENARIO ?= all
RESULTS ?= bench/results/compare.md
bench-compare:
	@$(MAKE) --no-print-directory configure BUILD_TYPE=Release BUILD_DIR=build-release \
	  CMAKE_FLAGS="-DSTRATA_BUILD_TESTS=OFF $(CMAKE_FLAGS)"
	cmake --build build-release -j $(JOBS) --target strata-server bench_compare
	./build-release/bench/compare/bench_compare --scale=$(SCALE) --scenario=$(SCENARIO) \
	  --strata=build-release/tools/strata-server/strata-server \
	  --results=$(RESULTS) --command="make bench-compare SCALE=$(SCALE) SCENARIO=$(SCENARIO)"

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-release build-tsan build-asan build-fuzz

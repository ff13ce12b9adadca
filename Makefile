# The two README commands and their building blocks. Every target installs what is missing.
BUILD ?= build
JOBS ?= $(shell nproc)
PYTHON := /usr/bin/python3
GREENWAVE := $(BUILD)/tools/greenwave
DEMO_SCENARIO := scenarios/demo_grid_2x2.pbtxt

.PHONY: deps configure build cli test sanitize tsan checksums demo install bench fuzz clean

deps:
	@tools/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(PYTHON) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Runs every test: GoogleTest suites through ctest, then pytest (each prints its summary line),
# then the sanitizer suites and the fuzzers (`sanitize` below).
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@GREENWAVE_BUILD_DIR=$(abspath $(BUILD)) $(PYTHON) -m pytest -q tests/python
	@$(MAKE) --no-print-directory sanitize

# The engine, networks and env suites under AddressSanitizer + UBSan (clang, no LibTorch, its own
# build folder), then every fuzz target: its corpus replayed, then fuzzed for FUZZ_SMOKE_SECONDS.
SAN_BUILD ?= build-asan
SAN_TESTS := core_test networks_test sim_test sim_snapshot_test sim_alloc_test env_test control_test
FUZZ_SMOKE_SECONDS ?= 20
sanitize: deps
	@cmake --preset asan -B $(SAN_BUILD) >/dev/null
	@cmake --build $(SAN_BUILD) -j $(JOBS) --target $(SAN_TESTS) fuzzers
	@cd $(SAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L '^($(subst $(eval) ,|,$(SAN_TESTS)))$$'
	@tools/run-fuzzers $(SAN_BUILD) $(FUZZ_SMOKE_SECONDS)

# The parallel-step tests (1, 2 and 4 threads must agree bit for bit) under ThreadSanitizer.
TSAN_BUILD ?= build-tsan
TSAN_FILTER := *Threads*:*MetricsByHand*:*ChangingThreadsMidRun*:*ThreadIndependence*:PartShare.*
tsan: deps
	@cmake --preset tsan -B $(TSAN_BUILD) >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target sim_test sim_snapshot_test
	@for t in sim_test sim_snapshot_test; do \
	  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(abspath tools/tsan.supp)" $(TSAN_BUILD)/tests/$$t --gtest_filter='$(TSAN_FILTER)' --gtest_brief=1 || exit 1; \
	done

# Results unchanged: `greenwave run --json` checksums against tools/checksums.txt (docs/simulator.md).
checksums: build
	@tools/check-checksums $(GREENWAVE)

# Only the command line (no test binaries, no Python module): what the demo runs (greenwave
# builds greenwave-agents first where LibTorch is found).
cli: configure
	@cmake --build $(BUILD) -j $(JOBS) --target greenwave

# The main job on the bundled scenario; ends with a FixedTime / MaxPressure / DQN table.
demo: cli
	@tools/demo $(GREENWAVE) $(DEMO_SCENARIO)

# Copies the command line to $(PREFIX)/bin (default /usr/local/bin, on PATH): greenwave and, where
# LibTorch was found, greenwave-agents beside it (greenwave runs it for the commands that need LibTorch or libsumo).
PREFIX ?= /usr/local
install: cli
	@install -D -m 755 $(GREENWAVE) $(PREFIX)/bin/greenwave
	@echo "installed $(PREFIX)/bin/greenwave"
	@if [ -x $(GREENWAVE)-agents ]; then install -D -m 755 $(GREENWAVE)-agents $(PREFIX)/bin/greenwave-agents && \
	  echo "installed $(PREFIX)/bin/greenwave-agents"; fi

bench: build
	@bench/run $(GREENWAVE)

# libFuzzer targets (clang, the fuzz preset): builds them, then runs each for FUZZ_SECONDS on its
# seed corpus (tests/fuzz/corpus/NAME) plus a working corpus in $(FUZZ_BUILD)/corpus/NAME.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
fuzz:
	@cmake --preset fuzz -B $(FUZZ_BUILD) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	@tools/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)

# The two README commands and their building blocks. Every target installs what is missing.
BUILD ?= build
JOBS ?= $(shell nproc)
PYTHON := /usr/bin/python3
GREENWAVE := $(BUILD)/tools/greenwave
DEMO_SCENARIO := scenarios/demo_grid_2x2.pbtxt

.PHONY: deps configure build cli test checksums demo install bench fuzz clean

deps:
	@tools/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(PYTHON) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Runs every test: GoogleTest suites through ctest, then pytest; each prints its summary line.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@GREENWAVE_BUILD_DIR=$(abspath $(BUILD)) $(PYTHON) -m pytest -q tests/python

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
	@for f in $(FUZZ_BUILD)/tests/fuzz/fuzz_*; do \
	  name=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus/$$name tests/fuzz/corpus/$$name; \
	  echo "== $$name for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/$$name- $(FUZZ_BUILD)/corpus/$$name tests/fuzz/corpus/$$name || exit 1; \
	done

clean:
	rm -rf $(BUILD)

# The two README commands and their building blocks. Every target installs what is missing.
BUILD ?= build
JOBS ?= $(shell nproc)
PYTHON := /usr/bin/python3
GREENWAVE := $(BUILD)/tools/greenwave
DEMO_SCENARIO := scenarios/demo_grid_2x2.pbtxt

.PHONY: deps configure build test demo bench fuzz clean

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

# The main job on the bundled scenario.
demo: build
	@tools/demo $(GREENWAVE) $(DEMO_SCENARIO)

bench: build
	@bench/run $(GREENWAVE)

clean:
	rm -rf $(BUILD)

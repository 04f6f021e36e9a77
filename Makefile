# Thin entry points over CMake. `make run` sets up a fresh Debian machine, builds and runs the main job;
# `make test` does the same set-up and build, then runs every test through ctest.
BUILD ?= build
JOBS  ?= 2

.PHONY: all setup configure build run test clean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

configure: $(BUILD)/build.ninja

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: setup build
	$(BUILD)/bin/dlc examples/xor.dl --emit=mlir

test: setup build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)

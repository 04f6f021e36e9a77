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

# The main job, as far as it exists: train xor.dl on the four XOR points with the reference
# interpreter (codegen and Fashion-MNIST come next).
run: setup build
	$(BUILD)/bin/dlc interpret examples/xor.dl --steps 300 --print-every 50 \
	    --input x=0,0,0,1,1,0,1,1 --input y=0,1,1,0

test: setup build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)

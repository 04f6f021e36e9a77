# Thin entry points over CMake. `make run` sets up a fresh Debian machine, builds and runs the main job;
# `make test` does the same set-up and build, then runs every test through ctest.
BUILD ?= build
JOBS  ?= 2
PREFIX ?= /usr/local

.PHONY: all setup configure build run test install clean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

configure: $(BUILD)/build.ninja

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: compile the Fashion-MNIST MLP into a shared library and train it for two epochs on
# Debian's dataset-fashion-mnist, ending with the test accuracy.
run: setup build
	$(BUILD)/bin/dlc examples/fashion_mlp.dl -o $(BUILD)/fashion_mlp.so -H
	$(BUILD)/bin/dl-run train $(BUILD)/fashion_mlp.so --data fashion-mnist --epochs 2

test: setup build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Installs dlc, dl-run, dl-opt, the runtime, its headers, the CMake package, the pkg-config file and
# the Python package under PREFIX (see cmake/Install.cmake).
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD)

# The sanitizer build (DLC_SANITIZE=ON), included by the top-level CMakeLists.txt in place of
# everything else: the runtime (runtime/core, runtime/data, runtime/loader), dl-run and the
# GoogleTests of test/unit/runtime and test/unit/data, compiled with the same CMakeLists.txt files
# as the main build but under -fsanitize=address,undefined. Every object is instrumented, the model
# libraries the tests dlopen (fake_model.so, the toy models of DlRunTest) included, so libdlrt.a is
# checked where it really runs: inside a model library, behind the C API. GoogleTest, zlib and the
# Halide runtime object the fake models link are not instrumented.
#
# Built with the main compiler (g++), whose sanitizer runtimes are shared libraries: an
# instrumented model library dlopened by an instrumented test resolves __asan_* against the
# libasan.so already in the process, so -Wl,--no-undefined still holds for it. No MLIR, no LLVM,
# no dlc: configuring and building it takes a minute or two (build_and_run.sh).
#
# -O1 keeps the build quick and the stack traces readable; assertions stay on (the script
# configures without a build type, so without -DNDEBUG). vptr checks need RTTI, which everything
# here has. Errors stop the process (-fno-sanitize-recover=all), so a finding fails its test.
set(DL_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all)
add_compile_options(${DL_SANITIZE_FLAGS} -fno-omit-frame-pointer -g -O1
                    -Wall -Wno-unused-parameter)
add_link_options(${DL_SANITIZE_FLAGS})
add_compile_definitions(DLC_VERSION="${PROJECT_VERSION}-sanitize")
include_directories(${PROJECT_SOURCE_DIR})

find_package(GTest REQUIRED)
enable_testing()

add_subdirectory(runtime)
add_subdirectory(tools/dl-run)
# test/unit/CMakeLists.txt adds only its runtime and data areas when DLC_SANITIZE is on.
add_subdirectory(test/unit)

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
# The code under test is built at -O1 (quick, and its reports readable), the GoogleTests at -O0:
# they take most of the build's time (gMock's templates) and need no optimizing. -g1 gives the
# reports file and line for each frame at a fraction of -g's cost. Assertions stay on (the script
# configures without a build type, so without -DNDEBUG). vptr checks need RTTI, which everything
# here has. Errors stop the process (-fno-sanitize-recover=all), so a finding fails its test.
set(DL_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all)
set(DL_SANITIZE_COMPILE_OPTIONS ${DL_SANITIZE_FLAGS} -fno-omit-frame-pointer -g1
    -Wall -Wno-unused-parameter)
add_compile_options(${DL_SANITIZE_COMPILE_OPTIONS} -O1)
add_link_options(${DL_SANITIZE_FLAGS})
add_compile_definitions(DLC_VERSION="${PROJECT_VERSION}-sanitize")
include_directories(${PROJECT_SOURCE_DIR})

find_package(GTest REQUIRED)
enable_testing()

add_subdirectory(runtime)
add_subdirectory(tools/dl-run)
# The directory's options reach the subdirectories added after this (test/unit/CMakeLists.txt adds
# only its runtime and data areas when DLC_SANITIZE is on).
set_property(DIRECTORY PROPERTY COMPILE_OPTIONS ${DL_SANITIZE_COMPILE_OPTIONS} -O0)
add_subdirectory(test/unit)

//===- dl-run.cpp - The dl-run command ------------------------------------===//
//
// `dl-run train|eval|predict|bench|sample|info MODEL.so ...`: trains and runs models compiled by dlc
// through the generic C API (dl/runtime.h). A thin main() over Options.h and Commands.h that
// reports a failed write to standard output (StandardOutput.h).
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/Options.h"
#include "tools/StandardOutput.h"

#include <iostream>
#include <new>

namespace {

int run(int argc, char **argv) {
  dlrun::Options options;
  if (!dlrun::parseOptions(argc, argv, options, std::cerr))
    return dlrun::kExitUsage;
  if (options.help) {
    std::cout << dlrun::helpText();
    return dlrun::kExitOk;
  }
  if (options.version) {
    std::cout << "dl-run " << DLC_VERSION << "\n";
    return dlrun::kExitOk;
  }
  try {
    return dlrun::runCommand(options, std::cout, std::cerr);
  } catch (const std::bad_alloc &) {
    return dlrun::fail(std::cerr, "out of memory");
  }
}

} // namespace

int main(int argc, char **argv) {
  dltools::StandardOutput standardOutput("dl-run");
  return standardOutput.finish(run(argc, argv));
}

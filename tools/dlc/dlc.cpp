//===- dlc.cpp - The dlc command ------------------------------------------===//
//
// `dlc FILE.dl [-o MODEL.so] [--emit=KIND] ...`, `dlc check-grad FILE.dl ...` and
// `dlc interpret FILE.dl ...`: a thin main() over compiler/driver/Driver.h, which parses the
// command line and runs the stages. Also removes its temporary files when killed (Temporaries.h)
// and reports a failed write to standard output (StandardOutput.h).
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/link/Temporaries.h"
#include "compiler/driver/Driver.h"
#include "tools/StandardOutput.h"

#include <iostream>

int main(int argc, char **argv) {
  dl::codegen::removeTemporariesOnSignals();
  dltools::StandardOutput standardOutput("dlc");
  dlc::DriverOptions options;
  if (!dlc::parseCommandLine(argc, argv, options, std::cerr))
    return dlc::kExitUsage;
  return standardOutput.finish(dlc::runDriver(options, std::cout, std::cerr));
}

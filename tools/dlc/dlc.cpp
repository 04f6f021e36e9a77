//===- dlc.cpp - The dlc command ------------------------------------------===//
//
// `dlc FILE.dl --emit=ast|mlir [-o OUT] [-D NAME=VALUE]...`; see compiler/driver/Driver.h.
//
//===----------------------------------------------------------------------===//
#include "compiler/driver/Driver.h"

#include <iostream>

int main(int argc, char **argv) {
  dlc::DriverOptions options;
  if (!dlc::parseCommandLine(argc, argv, options, std::cerr))
    return dlc::kExitUsage;
  return dlc::runDriver(options, std::cout, std::cerr);
}

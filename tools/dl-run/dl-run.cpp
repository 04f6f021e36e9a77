//===- dl-run.cpp - The dl-run command ------------------------------------===//
//
// `dl-run train|eval|predict|bench|sample|info MODEL.so ...`: trains and runs models compiled by dlc
// through the generic C API (dl/runtime.h). A thin main() over Options.h and Commands.h that
// reports a failed write to standard output (StandardOutput.h).
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/Options.h"
#include "tools/dl-run/Ranks.h"
#include "tools/StandardOutput.h"

#include <iostream>
#include <sstream>
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
  // train and eval join an MPI job when mpirun started them; the other commands run alone.
  dlrun::Ranks &ranks = dlrun::ranks();
  std::string error;
  if ((options.command == "train" || options.command == "eval") &&
      !ranks.start(options.distributed, error))
    return dlrun::fail(std::cerr, error);
  // Rank 0 speaks for the job; the others hold back their errors (Ranks::finish).
  std::ostringstream quiet, heldErrors;
  std::ostream &out = ranks.isRoot() ? std::cout : quiet;
  std::ostream &err = ranks.isRoot() ? std::cerr : heldErrors;
  int status;
  try {
    status = dlrun::runCommand(options, out, err);
  } catch (const std::bad_alloc &) {
    status = dlrun::fail(err, "out of memory");
  }
  return ranks.finish(status, heldErrors.str(), std::cerr);
}

} // namespace

int main(int argc, char **argv) {
  dltools::StandardOutput standardOutput("dl-run");
  return standardOutput.finish(run(argc, argv));
}

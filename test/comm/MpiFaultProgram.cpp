//===- MpiFaultProgram.cpp - One rank fails while the others all-reduce ---===//
//
// The program test/comm/faults.sh runs under mpirun to check what data-parallel training relies
// on when one rank fails alone: that the job ends at once rather than leaving the other ranks
// blocked in their next collective. Every rank creates the MPI communicator and meets at a
// barrier; then every rank but the last enters an all-reduce, while the last, after a pause that
// lets the others start waiting, fails in the way the argument names:
//   none   it joins the all-reduce: the control, the job succeeds
//   abort  dl_mpi_abort(comm, 3), as dl-run does on an error of its own rank
//   kill   raise(SIGKILL): the rank dies without a word (the OOM killer, a crash)
//   exit   returns 1 from main, finalizing nothing
// Each rank writes its pid into $DL_FAULT_PIDS/<rank>, so the script can check that none outlives
// mpirun. The alarm ends a rank that waits past 40 s, which the script's limit counts as a hang.
//
//===----------------------------------------------------------------------===//
#include "dl/mpi_communicator.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

void writePid(int rank) {
  const char *folder = std::getenv("DL_FAULT_PIDS");
  if (!folder)
    return;
  std::string path = std::string(folder) + "/" + std::to_string(rank);
  if (FILE *file = std::fopen(path.c_str(), "w")) {
    std::fprintf(file, "%d\n", static_cast<int>(getpid()));
    std::fclose(file);
  }
}

} // namespace

int main(int argc, char **argv) {
  alarm(40);
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "none" && mode != "abort" && mode != "kill" && mode != "exit") {
    std::fprintf(stderr, "usage: MpiFaultProgram none|abort|kill|exit\n");
    return 2;
  }
  dl_communicator comm;
  if (dl_mpi_communicator_create(&comm) != DL_OK) {
    std::fprintf(stderr, "create: %s\n", dl_mpi_last_error());
    return 2;
  }
  writePid(comm.rank);
  if (comm.barrier(comm.context) != DL_OK) {
    std::fprintf(stderr, "barrier: %s\n", comm.last_error(comm.context));
    return 2;
  }

  if (comm.rank == comm.size - 1 && mode != "none") {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::printf("rank %d: failing (%s) while the others wait in an all-reduce\n", comm.rank,
                mode.c_str());
    if (mode == "abort")
      dl_mpi_abort(&comm, 3);
    if (mode == "kill")
      std::raise(SIGKILL);
    return 1;
  }

  float x = 1.0f;
  if (comm.all_reduce_sum_f32(comm.context, &x, 1) != DL_OK) {
    // The transport noticed the loss itself; this rank fails too, and mpirun with it.
    std::fprintf(stderr, "rank %d: all-reduce: %s\n", comm.rank, comm.last_error(comm.context));
    return 2;
  }
  if (mode != "none") {
    std::fprintf(stderr, "rank %d: the all-reduce returned although a rank failed\n", comm.rank);
    return 2;
  }
  int status = x == float(comm.size) ? 0 : 1;
  dl_mpi_communicator_destroy(&comm);
  return status;
}

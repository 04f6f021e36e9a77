//===- Ranks.h - The processes of a data-parallel dl-run -------*- C++ -*-===//
//
// `mpirun -np N dl-run train ...` starts N copies of dl-run; each is a rank. dl-run joins them
// through libdlrt_mpi when the environment shows an MPI launch (or with --distributed mpi) and
// attaches the communicator to its instance, so the train entries sum gradients over the ranks
// (dl/runtime.h). What the commands need beyond that lives here: which rank this is, the split of
// a global batch, sums of the numbers each rank measured (accuracy counts, losses), where output
// goes (rank 0 prints and writes files; the others keep quiet), and the end of a run that failed
// on one rank: every other rank stops within seconds instead of waiting in a collective.
//
// One process-wide object (ranks()), because MPI is one per process.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_RANKS_H
#define DL_TOOLS_DLRUN_RANKS_H

#include "dl/runtime.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace dlrun {

struct Options;

class Ranks {
public:
  Ranks() = default;
  Ranks(const Ranks &) = delete;
  Ranks &operator=(const Ranks &) = delete;
  ~Ranks();

  /// Joins the MPI job when `mode` is "mpi", or "" (auto) and mpirun started this process; else
  /// stays one rank of one. False with `error` when MPI was asked for and cannot start.
  bool start(const std::string &mode, std::string &error);

  bool distributed() const { return comm_.size > 1 || started_; }
  int rank() const { return comm_.rank; }
  int size() const { return comm_.size; }
  bool isRoot() const { return comm_.rank == 0; }
  /// The communicator to attach to an instance, or null in one process.
  const dl_communicator *communicator() const { return started_ ? &comm_ : nullptr; }

  /// Replaces each value by its sum over the ranks (exact for counts below 2^24; in f32).
  bool sum(std::vector<double> &values, std::string &error);

  /// The kernel threads of one rank when --threads is 0: the cores shared by the ranks on this
  /// machine (OMPI_COMM_WORLD_LOCAL_SIZE), at least 1; 0 (one per core) in one process.
  int defaultThreads() const;

  /// Ends this rank with `status` after a command returned it. In a job of several ranks a
  /// failure ends them all (dl_mpi_abort): rank 0 at once, the others after a grace of two
  /// seconds in which rank 0, if it failed the same way, ends the job first with one message.
  /// `errText` is what this rank would have printed on stderr (held back on ranks other than 0).
  int finish(int status, const std::string &errText, std::ostream &err);

private:
  dl_communicator comm_{0, 1, nullptr, nullptr, nullptr, nullptr, nullptr};
  bool started_ = false;
};

/// The ranks of this process.
Ranks &ranks();

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_RANKS_H

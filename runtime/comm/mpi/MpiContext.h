//===- MpiContext.h - The context behind an MPI dl_communicator -*- C++ -*-===//
//
// What dl_mpi_communicator_create (Communicator.cpp) hands the collectives (Collectives.cpp) as
// dl_communicator::context: the duplicate of MPI_COMM_WORLD they run on, the largest message one
// MPI call may carry, and the message of the last failure. Also the one place that turns an MPI
// error code into a dl_status and a message, for both files.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_COMM_MPI_MPICONTEXT_H
#define DL_RUNTIME_COMM_MPI_MPICONTEXT_H

#include "dl/runtime.h"

#include <mpi.h>

#include <cstddef>
#include <string>

namespace dl::mpi {

struct Context {
  /// A duplicate of MPI_COMM_WORLD with MPI_ERRORS_RETURN: the application's own traffic on the
  /// world can never match ours, and our failures return instead of aborting the job.
  MPI_Comm comm = MPI_COMM_NULL;
  int size = 0;
  /// The most bytes one MPI call carries (DL_MPI_CHUNK_BYTES); at most INT_MAX.
  size_t chunkBytes = 0;
  /// The message of the last failure; empty when none.
  std::string error;
};

/// The dl_status for MPI error code `code` (by its error class), with the message
/// "<call>: <MPI_Error_string>" stored in `message`.
dl_status statusOfMpiError(int code, const char *call, std::string &message);

/// The functions of dl_communicator, on a Context.
dl_status allReduceSumF32(void *context, float *data, size_t count);
dl_status broadcast(void *context, void *data, size_t bytes, int root);
dl_status barrier(void *context);
const char *lastError(void *context);

} // namespace dl::mpi

#endif // DL_RUNTIME_COMM_MPI_MPICONTEXT_H

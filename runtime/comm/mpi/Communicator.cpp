//===- Communicator.cpp - Creating, destroying and aborting on MPI --------===//
//
// The public functions of dl/mpi_communicator.h (libdlrt_mpi): dl_mpi_launched reads the
// launchers' environment variables as the library was loaded; create initializes MPI when the
// application has not, duplicates MPI_COMM_WORLD with MPI_ERRORS_RETURN and fills a dl_communicator
// with the collectives of Collectives.cpp; destroy frees the duplicate and finalizes MPI after the
// last communicator, if create initialized it; abort ends the whole job.
//
// MPI can be initialized and finalized once per process, so the process keeps a count of live
// communicators and whether create initialized MPI: only the last destroy finalizes, and an
// application that initialized MPI itself (mpi4py, its own MPI_Init) keeps the finalizing.
//
//===----------------------------------------------------------------------===//
#include "MpiContext.h"
#include "dl/mpi_communicator.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

// The library is built with hidden visibility; only the functions of the header are its ABI.
#define DL_MPI_EXPORT __attribute__((visibility("default")))

namespace {

using dl::mpi::Context;

thread_local std::string threadError;

/// Guards the two below: create and destroy may come from different threads of one process.
std::mutex lifecycleMutex;
int liveCommunicators = 0;
/// create called MPI_Init_thread, so the last destroy calls MPI_Finalize.
bool initializedHere = false;

/// Whether the launchers' variables are set. Read once, as the library is loaded (below): Open
/// MPI's MPI_Init in a process that no launcher started (a "singleton") sets PMIX_RANK itself,
/// so reading later would take every process that has initialized MPI for a launched one.
int launcherVariablesSet() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"}) {
    const char *value = std::getenv(name);
    if (value && *value)
      return 1;
  }
  return 0;
}
const int launchedAtLoad = launcherVariablesSet();

constexpr size_t kDefaultChunkBytes = size_t(1) << 30;

dl_status fail(dl_status status, std::string message) {
  threadError = std::move(message);
  return status;
}

/// DL_MPI_CHUNK_BYTES, or the default; false (with a message) for anything but a positive
/// decimal number. Values past INT_MAX are INT_MAX, the most one MPI call can count.
bool readChunkBytes(size_t &chunkBytes) {
  const char *text = std::getenv("DL_MPI_CHUNK_BYTES");
  chunkBytes = kDefaultChunkBytes;
  if (!text || !*text)
    return true;
  errno = 0;
  char *end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (*text < '0' || *text > '9' || *end || value == 0 || errno == ERANGE) {
    threadError =
        std::string("DL_MPI_CHUNK_BYTES is '") + text + "', not a positive number of bytes";
    return false;
  }
  chunkBytes = static_cast<size_t>(std::min<unsigned long long>(value, INT_MAX));
  return true;
}

/// Initializes MPI unless it is already; caller holds lifecycleMutex.
dl_status initializeMpi() {
  int finalized = 0, initialized = 0;
  MPI_Finalized(&finalized);
  if (finalized)
    return fail(DL_ERR_INTERNAL, "MPI was finalized in this process and cannot be initialized "
                                 "again: create every communicator before destroying the last");
  MPI_Initialized(&initialized);
  if (initialized)
    return DL_OK;
  // FUNNELED: the kernels' worker threads never call MPI; only the thread that trains does.
  int provided = 0;
  int code = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (code != MPI_SUCCESS)
    return dl::mpi::statusOfMpiError(code, "MPI_Init_thread", threadError);
  initializedHere = true;
  return DL_OK;
}

} // namespace

extern "C" {

DL_MPI_EXPORT int dl_mpi_launched(void) { return launchedAtLoad; }

DL_MPI_EXPORT dl_status dl_mpi_communicator_create(dl_communicator *out) {
  if (!out)
    return fail(DL_ERR_INVALID_ARGUMENT, "dl_mpi_communicator_create: out is NULL");
  std::memset(out, 0, sizeof *out);
  size_t chunkBytes = 0;
  if (!readChunkBytes(chunkBytes))
    return DL_ERR_INVALID_ARGUMENT;

  std::lock_guard<std::mutex> lock(lifecycleMutex);
  if (dl_status status = initializeMpi())
    return status;
  auto *ctx = new (std::nothrow) Context;
  if (!ctx)
    return fail(DL_ERR_OUT_OF_MEMORY, "dl_mpi_communicator_create: out of memory");
  ctx->chunkBytes = chunkBytes;
  // Duplicating is collective over MPI_COMM_WORLD and still under its error handler (fatal by
  // default); the handler that returns is set on the duplicate only, leaving the
  // application's world as it was.
  int code = MPI_Comm_dup(MPI_COMM_WORLD, &ctx->comm);
  if (code == MPI_SUCCESS)
    code = MPI_Comm_set_errhandler(ctx->comm, MPI_ERRORS_RETURN);
  int rank = 0;
  if (code == MPI_SUCCESS)
    code = MPI_Comm_rank(ctx->comm, &rank);
  if (code == MPI_SUCCESS)
    code = MPI_Comm_size(ctx->comm, &ctx->size);
  if (code != MPI_SUCCESS) {
    dl_status status = dl::mpi::statusOfMpiError(code, "dl_mpi_communicator_create", threadError);
    if (ctx->comm != MPI_COMM_NULL)
      MPI_Comm_free(&ctx->comm);
    delete ctx;
    return status;
  }
  ++liveCommunicators;
  out->rank = rank;
  out->size = ctx->size;
  out->context = ctx;
  out->all_reduce_sum_f32 = dl::mpi::allReduceSumF32;
  out->broadcast = dl::mpi::broadcast;
  out->barrier = dl::mpi::barrier;
  out->last_error = dl::mpi::lastError;
  return DL_OK;
}

DL_MPI_EXPORT void dl_mpi_communicator_destroy(dl_communicator *comm) {
  if (!comm || !comm->context)
    return;
  auto *ctx = static_cast<Context *>(comm->context);
  std::memset(comm, 0, sizeof *comm);
  std::lock_guard<std::mutex> lock(lifecycleMutex);
  // An application that initialized MPI may have finalized it already, taking the duplicate
  // with it; no MPI call is allowed after MPI_Finalize.
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized)
    MPI_Comm_free(&ctx->comm);
  delete ctx;
  if (--liveCommunicators == 0 && initializedHere && !finalized) {
    MPI_Finalize();
    initializedHere = false;
  }
}

DL_MPI_EXPORT void dl_mpi_abort(const dl_communicator *comm, int status) {
  // MPI_Abort kills this process too, with whatever stdio still buffers, such as the message
  // that says why this rank gave up.
  std::fflush(nullptr);
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) {
    MPI_Comm on = MPI_COMM_WORLD;
    if (comm && comm->context)
      on = static_cast<const Context *>(comm->context)->comm;
    MPI_Abort(on, status);
  }
  std::_Exit(status);
}

DL_MPI_EXPORT const char *dl_mpi_last_error(void) { return threadError.c_str(); }

} // extern "C"

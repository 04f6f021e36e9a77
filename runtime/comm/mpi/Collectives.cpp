//===- Collectives.cpp - all-reduce, broadcast and barrier on MPI ---------===//
//
// The three collectives of an MPI dl_communicator, each one MPI call per chunk on the context's
// duplicate of MPI_COMM_WORLD. dl_communicator counts in size_t, MPI in int, so a buffer longer
// than the context's chunk (at most INT_MAX elements, 1 GiB by default) goes in several calls;
// every rank cuts it the same way, because every rank passes the same count and reads the same
// DL_MPI_CHUNK_BYTES. A count of zero returns at once on every rank without calling MPI.
//
// Failures return a dl_status and keep their message on the context. Arguments are checked
// before any MPI call, and every rank is given the same ones, so a refused call is refused on
// every rank alike and no rank is left waiting in a collective the others skipped.
//
//===----------------------------------------------------------------------===//
#include "MpiContext.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace dl::mpi {
namespace {

dl_status fail(Context &ctx, dl_status status, std::string message) {
  ctx.error = std::move(message);
  return status;
}

dl_status failMpi(Context &ctx, int code, const char *call) {
  return statusOfMpiError(code, call, ctx.error);
}

} // namespace

dl_status statusOfMpiError(int code, const char *call, std::string &message) {
  char text[MPI_MAX_ERROR_STRING] = {0};
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS)
    std::snprintf(text, sizeof text, "MPI error %d", code);
  message = std::string(call) + ": " + text;
  int errorClass = MPI_ERR_UNKNOWN;
  MPI_Error_class(code, &errorClass);
  switch (errorClass) {
  // A call MPI found malformed: a bug on our side or a rank that called with other arguments
  // than the rest (a mismatched count truncates a message).
  case MPI_ERR_BUFFER:
  case MPI_ERR_COUNT:
  case MPI_ERR_TYPE:
  case MPI_ERR_TAG:
  case MPI_ERR_COMM:
  case MPI_ERR_RANK:
  case MPI_ERR_ROOT:
  case MPI_ERR_OP:
  case MPI_ERR_ARG:
  case MPI_ERR_TRUNCATE:
    return DL_ERR_INTERNAL;
  case MPI_ERR_NO_MEM:
    return DL_ERR_OUT_OF_MEMORY;
  // Everything else is the transport failing (a peer gone, a network error): I/O.
  default:
    return DL_ERR_IO;
  }
}

dl_status allReduceSumF32(void *context, float *data, size_t count) {
  if (!context)
    return DL_ERR_INVALID_ARGUMENT;
  Context &ctx = *static_cast<Context *>(context);
  if (count == 0)
    return DL_OK;
  if (!data)
    return fail(ctx, DL_ERR_INVALID_ARGUMENT,
                "all_reduce_sum_f32: data is NULL for " + std::to_string(count) + " floats");
  const size_t perCall = std::max<size_t>(1, ctx.chunkBytes / sizeof(float));
  for (size_t done = 0; done < count;) {
    const int n = static_cast<int>(std::min(perCall, count - done));
    int code = MPI_Allreduce(MPI_IN_PLACE, data + done, n, MPI_FLOAT, MPI_SUM, ctx.comm);
    if (code != MPI_SUCCESS)
      return failMpi(ctx, code, "all_reduce_sum_f32 (MPI_Allreduce)");
    done += static_cast<size_t>(n);
  }
  return DL_OK;
}

dl_status broadcast(void *context, void *data, size_t bytes, int root) {
  if (!context)
    return DL_ERR_INVALID_ARGUMENT;
  Context &ctx = *static_cast<Context *>(context);
  if (root < 0 || root >= ctx.size)
    return fail(ctx, DL_ERR_INVALID_ARGUMENT,
                "broadcast: root " + std::to_string(root) + " is no rank of " +
                    std::to_string(ctx.size));
  if (bytes == 0)
    return DL_OK;
  if (!data)
    return fail(ctx, DL_ERR_INVALID_ARGUMENT,
                "broadcast: data is NULL for " + std::to_string(bytes) + " bytes");
  auto *bytesAt = static_cast<unsigned char *>(data);
  for (size_t done = 0; done < bytes;) {
    const int n = static_cast<int>(std::min(ctx.chunkBytes, bytes - done));
    int code = MPI_Bcast(bytesAt + done, n, MPI_BYTE, root, ctx.comm);
    if (code != MPI_SUCCESS)
      return failMpi(ctx, code, "broadcast (MPI_Bcast)");
    done += static_cast<size_t>(n);
  }
  return DL_OK;
}

dl_status barrier(void *context) {
  if (!context)
    return DL_ERR_INVALID_ARGUMENT;
  Context &ctx = *static_cast<Context *>(context);
  int code = MPI_Barrier(ctx.comm);
  return code == MPI_SUCCESS ? DL_OK : failMpi(ctx, code, "barrier (MPI_Barrier)");
}

const char *lastError(void *context) {
  if (!context)
    return nullptr;
  const Context &ctx = *static_cast<const Context *>(context);
  return ctx.error.empty() ? nullptr : ctx.error.c_str();
}

} // namespace dl::mpi

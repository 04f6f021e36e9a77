/*===- bench/dist/collective_timer.c - Times every MPI collective of a rank -===*
 *
 * An LD_PRELOAD library for bench/dist/run.py: it wraps MPI_Allreduce, MPI_Bcast and MPI_Barrier
 * through MPI's profiling interface (each calls its PMPI_ twin), records the bytes and the
 * seconds of every call, and at MPI_Finalize writes them to $DL_COLLECTIVE_TIMES.<rank>, one call
 * a line: "allreduce|bcast|barrier BYTES START_S SECONDS". Every rank makes the same calls in the
 * same order, so run.py pairs the ranks' lines by position: the shortest of a call's durations
 * is about the transfer itself (the last rank to arrive waits for no one), the longest adds the
 * wait for that rank. It changes nothing else: two clock reads per call.
 *
 * Built by run.py: mpicc -shared -fPIC -O2 collective_timer.c -o libcollective_timer.so
 *===----------------------------------------------------------------------===*/
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  const char *kind;
  double bytes, start, seconds;
} Call;

static Call *calls;
static size_t count, capacity;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void record(const char *kind, double bytes, double start) {
  double end = now();
  if (count == capacity) {
    size_t grown = capacity ? 2 * capacity : 4096;
    Call *more = realloc(calls, grown * sizeof *calls);
    if (!more)
      return; /* Out of memory: the call goes unrecorded, the run goes on. */
    calls = more;
    capacity = grown;
  }
  calls[count++] = (Call){kind, bytes, start, end - start};
}

static double bytesOf(int n, MPI_Datatype type) {
  int size = 0;
  PMPI_Type_size(type, &size);
  return (double)n * (double)size;
}

int MPI_Allreduce(const void *send, void *recv, int n, MPI_Datatype type, MPI_Op op,
                  MPI_Comm comm) {
  double start = now();
  int code = PMPI_Allreduce(send, recv, n, type, op, comm);
  record("allreduce", bytesOf(n, type), start);
  return code;
}

int MPI_Bcast(void *data, int n, MPI_Datatype type, int root, MPI_Comm comm) {
  double start = now();
  int code = PMPI_Bcast(data, n, type, root, comm);
  record("bcast", bytesOf(n, type), start);
  return code;
}

int MPI_Barrier(MPI_Comm comm) {
  double start = now();
  int code = PMPI_Barrier(comm);
  record("barrier", 0, start);
  return code;
}

int MPI_Finalize(void) {
  const char *prefix = getenv("DL_COLLECTIVE_TIMES");
  int rank = 0;
  PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (prefix && *prefix) {
    char path[4096];
    snprintf(path, sizeof path, "%s.%d", prefix, rank);
    FILE *out = fopen(path, "w");
    if (out) {
      for (size_t i = 0; i < count; ++i)
        fprintf(out, "%s %.0f %.9f %.9f\n", calls[i].kind, calls[i].bytes, calls[i].start,
                calls[i].seconds);
      fclose(out);
    }
  }
  free(calls);
  calls = NULL;
  count = capacity = 0;
  return PMPI_Finalize();
}

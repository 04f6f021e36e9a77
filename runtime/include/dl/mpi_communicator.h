/*===- dl/mpi_communicator.h - The dl_communicator of MPI (libdlrt_mpi) -----===*
 *
 * libdlrt_mpi implements dl/runtime.h's transport-neutral dl_communicator on MPI, so that the
 * processes mpirun (or mpiexec, or srun) starts train one model together: each rank creates a
 * communicator, attaches it to its instance (dl_instance_set_communicator) and trains on its own
 * batches. The communicator works on a duplicate of MPI_COMM_WORLD whose errors return instead of
 * aborting, so a failed collective is a dl_status with MPI's message (last_error), never a crash.
 *
 * Like every MPI program, every rank must make the same calls in the same order: create, the
 * collectives, destroy. A rank that fails alone while the others wait in a collective cannot tell
 * them; dl_mpi_abort ends the whole job instead of leaving them blocked.
 *
 * Environment: DL_MPI_CHUNK_BYTES, read by create (the same on every rank), is the most one MPI
 * call carries; longer buffers go in several calls. Default 1 GiB: MPI counts are ints, and
 * transports have had bugs with single messages past 2 GiB.
 *===----------------------------------------------------------------------===*/
#ifndef DL_MPI_COMMUNICATOR_H
#define DL_MPI_COMMUNICATOR_H

#include "dl/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when the environment shows that mpirun, mpiexec or srun started this process (Open MPI's
 * OMPI_COMM_WORLD_SIZE, PMIx's PMIX_RANK, MPICH/Hydra's and Slurm's PMI_SIZE or PMI_RANK), else 0.
 * Neither initializes MPI nor needs it initialized. The environment is the one the library was
 * loaded with: MPI initialized without a launcher sets PMIX_RANK in the process itself. */
int dl_mpi_launched(void);

/* Fills `out` (zeroed first) with a communicator of all the processes of MPI_COMM_WORLD: rank,
 * size, a context and the four functions of dl_communicator. Initializes MPI
 * (MPI_Init_thread, MPI_THREAD_FUNNELED: call the collectives from the thread that created it)
 * unless the application already has, in which case the application finalizes it. Without
 * mpirun it is a communicator of one rank. Collective: every rank calls it. Errors: DL_ERR_IO,
 * DL_ERR_INTERNAL (MPI refused; MPI cannot be initialized again once finalized, so a create after
 * the last destroy of a process whose MPI create initialized fails),
 * DL_ERR_INVALID_ARGUMENT (a NULL `out`, a bad DL_MPI_CHUNK_BYTES), DL_ERR_OUT_OF_MEMORY; the
 * message is dl_mpi_last_error()'s. The caller owns the communicator until
 * dl_mpi_communicator_destroy. */
dl_status dl_mpi_communicator_create(dl_communicator *out);

/* Frees what create made and zeroes `comm`; finalizes MPI when create initialized it and this was
 * the process's last communicator. Collective, like MPI_Finalize: every rank calls it. NULL, or a
 * communicator already destroyed (context NULL), is a no-op. */
void dl_mpi_communicator_destroy(dl_communicator *comm);

/* Ends every rank of the job now (MPI_Abort), with `status` as mpirun's exit status: for the error
 * one rank meets alone (a bad data file on one rank), which would otherwise leave the other ranks
 * blocked in their next collective. Flushes stdio first, so the rank's message is not lost. `comm`
 * may be NULL (MPI_COMM_WORLD); without MPI initialized it exits this process with `status`.
 * Does not return. */
void dl_mpi_abort(const dl_communicator *comm, int status);

/* The message of the calling thread's last error of create; the collectives keep theirs on the
 * communicator (comm->last_error(comm->context)). */
const char *dl_mpi_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* DL_MPI_COMMUNICATOR_H */

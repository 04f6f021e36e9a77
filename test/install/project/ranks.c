/* A program on dlc::mpi (dl/mpi_communicator.h): creates the MPI communicator and says where this
 * process stands in it. Built with no MPI of its own: libdlrt_mpi links MPI privately. */
#include <dl/mpi_communicator.h>

#include <stdio.h>

int main(void) {
  int launched = dl_mpi_launched();
  dl_communicator comm;
  if (dl_mpi_communicator_create(&comm) != DL_OK) {
    fprintf(stderr, "%s\n", dl_mpi_last_error());
    return 1;
  }
  float x = 1.0f;
  if (comm.all_reduce_sum_f32(comm.context, &x, 1) != DL_OK) {
    fprintf(stderr, "%s\n", comm.last_error(comm.context));
    dl_mpi_abort(&comm, 1);
  }
  printf("rank %d of %d, launched %d, sum %g\n", comm.rank, comm.size, launched, x);
  dl_mpi_communicator_destroy(&comm);
  return 0;
}

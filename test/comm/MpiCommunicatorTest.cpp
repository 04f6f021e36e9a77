//===- MpiCommunicatorTest.cpp - libdlrt_mpi's communicator, on every rank ===//
//
// GoogleTests of dl/mpi_communicator.h that every rank runs alike, in the same order, so that the
// collectives they call meet. ctest runs the program twice (test/comm/CMakeLists.txt): under
// mpirun with two ranks (all but Alone.*), and alone, without a launcher (all but UnderMpirun.*),
// where the communicator has one rank. The collective tests hold for any number of ranks: their
// expected values are computed from comm.size. Built without MPI's headers, as users build.
//
// A rank that fails an assertion in the middle of a collective may leave the others waiting in
// it; the alarm in main ends the program then, and ctest's TIMEOUT backs it up. What happens when a
// rank dies or aborts is test/comm/faults.sh's part.
//
//===----------------------------------------------------------------------===//
#include "dl/mpi_communicator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

/// The communicator the tests share, created before the first test and destroyed after the last
/// (MPI is initialized and finalized once per process).
dl_communicator comm;

class CommunicatorEnvironment : public ::testing::Environment {
  void SetUp() override {
    ASSERT_EQ(dl_mpi_communicator_create(&comm), DL_OK) << dl_mpi_last_error();
  }
  void TearDown() override { dl_mpi_communicator_destroy(&comm); }
};

std::string lastError(const dl_communicator &c) {
  const char *message = c.last_error(c.context);
  return message ? message : "";
}

/// An environment variable as a number, or -1.
int envNumber(const char *name) {
  const char *value = std::getenv(name);
  return value ? std::atoi(value) : -1;
}

/// The sum over ranks of `r + 1`, and of `r`.
float sumOfRanksPlusOne() { return comm.size * (comm.size + 1) / 2.0f; }
float sumOfRanks() { return comm.size * (comm.size - 1) / 2.0f; }

/// A second communicator made with DL_MPI_CHUNK_BYTES set to `chunk` (every rank sets the same).
dl_communicator createWithChunk(const char *chunk) {
  setenv("DL_MPI_CHUNK_BYTES", chunk, 1);
  dl_communicator c;
  dl_status status = dl_mpi_communicator_create(&c);
  unsetenv("DL_MPI_CHUNK_BYTES");
  EXPECT_EQ(status, DL_OK) << dl_mpi_last_error();
  return c;
}

/// Sums `count` floats that differ by rank and position, small integers and halves so that any
/// order of addition gives the exact sum; the number of wrong elements.
size_t wrongSums(dl_communicator &c, size_t count) {
  std::vector<float> data(count);
  for (size_t i = 0; i < count; ++i)
    data[i] = float(c.rank + 1) * float(i % 4099) + 0.5f * float(c.rank);
  EXPECT_EQ(c.all_reduce_sum_f32(c.context, data.data(), count), DL_OK) << lastError(c);
  size_t wrong = 0;
  for (size_t i = 0; i < count; ++i)
    wrong += data[i] != sumOfRanksPlusOne() * float(i % 4099) + 0.5f * sumOfRanks();
  return wrong;
}

/// Broadcasts `bytes` bytes from every root in turn; the number of wrong bytes.
size_t wrongBroadcastBytes(dl_communicator &c, size_t bytes) {
  size_t wrong = 0;
  for (int root = 0; root < c.size; ++root) {
    auto pattern = [&](size_t i) { return static_cast<unsigned char>(i * 31 + root * 7 + 1); };
    std::vector<unsigned char> data(bytes, 0);
    if (c.rank == root)
      for (size_t i = 0; i < bytes; ++i)
        data[i] = pattern(i);
    EXPECT_EQ(c.broadcast(c.context, data.data(), bytes, root), DL_OK) << lastError(c);
    for (size_t i = 0; i < bytes; ++i)
      wrong += data[i] != pattern(i);
  }
  return wrong;
}

TEST(UnderMpirun, SeesTheLauncherAndEveryRank) {
  EXPECT_EQ(dl_mpi_launched(), 1);
  EXPECT_GE(comm.size, 2);
  // Open MPI tells each process its rank and the job's size; the communicator must agree.
  if (envNumber("OMPI_COMM_WORLD_SIZE") > 0) {
    EXPECT_EQ(comm.size, envNumber("OMPI_COMM_WORLD_SIZE"));
    EXPECT_EQ(comm.rank, envNumber("OMPI_COMM_WORLD_RANK"));
  }
}

TEST(Alone, IsOneRankWithoutALauncher) {
  // Asked after create initialized MPI, which (in Open MPI) set PMIX_RANK in this process.
  EXPECT_EQ(dl_mpi_launched(), 0);
  EXPECT_EQ(comm.size, 1);
  EXPECT_EQ(comm.rank, 0);
}

TEST(Communicator, HasEveryFunction) {
  ASSERT_NE(comm.context, nullptr);
  EXPECT_GE(comm.rank, 0);
  EXPECT_LT(comm.rank, comm.size);
  EXPECT_TRUE(comm.all_reduce_sum_f32 && comm.broadcast && comm.barrier && comm.last_error);
}

TEST(AllReduce, SumsOneFloat) {
  float x = float(comm.rank + 1);
  ASSERT_EQ(comm.all_reduce_sum_f32(comm.context, &x, 1), DL_OK) << lastError(comm);
  EXPECT_EQ(x, sumOfRanksPlusOne());
}

TEST(AllReduce, SumsMillionsOfFloatsExactly) { EXPECT_EQ(wrongSums(comm, 3000017), 0u); }

TEST(AllReduce, CountZeroTouchesNothing) {
  float sentinel = 42.0f;
  EXPECT_EQ(comm.all_reduce_sum_f32(comm.context, &sentinel, 0), DL_OK);
  EXPECT_EQ(sentinel, 42.0f);
  EXPECT_EQ(comm.all_reduce_sum_f32(comm.context, nullptr, 0), DL_OK);
}

TEST(AllReduce, RefusesNullData) {
  EXPECT_EQ(comm.all_reduce_sum_f32(comm.context, nullptr, 5), DL_ERR_INVALID_ARGUMENT);
  EXPECT_NE(lastError(comm).find("data is NULL for 5 floats"), std::string::npos)
      << lastError(comm);
}

TEST(Broadcast, CopiesFromEveryRoot) { EXPECT_EQ(wrongBroadcastBytes(comm, 5000011), 0u); }

TEST(Broadcast, RefusesARootThatIsNoRank) {
  char byte = 0;
  EXPECT_EQ(comm.broadcast(comm.context, &byte, 1, comm.size), DL_ERR_INVALID_ARGUMENT);
  EXPECT_NE(lastError(comm).find("is no rank of"), std::string::npos) << lastError(comm);
  EXPECT_EQ(comm.broadcast(comm.context, &byte, 1, -1), DL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(comm.broadcast(comm.context, nullptr, 0, 0), DL_OK);
}

TEST(Barrier, WaitsForEveryRank) {
  // Rank 0 names a fresh folder; every other rank sleeps, then marks it before the barrier.
  // Past the barrier rank 0 must find every mark, however late the others were.
  char folder[256] = {0};
  if (comm.rank == 0) {
    std::snprintf(folder, sizeof folder, "%s/dl-mpi-barrier-XXXXXX",
                  std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
    ASSERT_NE(mkdtemp(folder), nullptr);
  }
  ASSERT_EQ(comm.broadcast(comm.context, folder, sizeof folder, 0), DL_OK) << lastError(comm);
  std::string mark = std::string(folder) + "/rank" + std::to_string(comm.rank);
  if (comm.rank != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(mkdir(mark.c_str(), 0700), 0);
  }
  ASSERT_EQ(comm.barrier(comm.context), DL_OK) << lastError(comm);
  if (comm.rank == 0) {
    struct stat info;
    for (int r = 1; r < comm.size; ++r) {
      std::string other = std::string(folder) + "/rank" + std::to_string(r);
      EXPECT_EQ(stat(other.c_str(), &info), 0) << "rank " << r << " had not reached the barrier";
      rmdir(other.c_str());
    }
    rmdir(folder);
  }
  ASSERT_EQ(comm.barrier(comm.context), DL_OK) << lastError(comm);
}

TEST(Chunks, CutLongBuffersIntoCallsOfTheSetSize) {
  // 1 KiB a call: 100003 floats take 98 all-reduces, the last one short; 1000003 bytes 977
  // broadcasts per root.
  dl_communicator small = createWithChunk("1024");
  ASSERT_NE(small.context, nullptr);
  EXPECT_EQ(wrongSums(small, 100003), 0u);
  EXPECT_EQ(wrongBroadcastBytes(small, 1000003), 0u);
  dl_mpi_communicator_destroy(&small);
  // Less than a float still moves one float a call.
  dl_communicator tiny = createWithChunk("3");
  ASSERT_NE(tiny.context, nullptr);
  EXPECT_EQ(wrongSums(tiny, 1001), 0u);
  EXPECT_EQ(wrongBroadcastBytes(tiny, 1001), 0u);
  dl_mpi_communicator_destroy(&tiny);
}

TEST(Create, RefusesABadChunkSize) {
  for (const char *bad : {"0", "-5", "1k", "lots"}) {
    setenv("DL_MPI_CHUNK_BYTES", bad, 1);
    dl_communicator c;
    c.rank = 7;
    EXPECT_EQ(dl_mpi_communicator_create(&c), DL_ERR_INVALID_ARGUMENT) << bad;
    EXPECT_NE(std::string(dl_mpi_last_error()).find("DL_MPI_CHUNK_BYTES"), std::string::npos);
    EXPECT_EQ(c.context, nullptr);
    EXPECT_EQ(c.rank, 0) << "out is zeroed first";
  }
  unsetenv("DL_MPI_CHUNK_BYTES");
}

TEST(Create, RefusesANullOutput) {
  EXPECT_EQ(dl_mpi_communicator_create(nullptr), DL_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dl_mpi_last_error()).find("out is NULL"), std::string::npos);
}

TEST(Destroy, TwiceOrNullIsANoOp) {
  dl_communicator c;
  ASSERT_EQ(dl_mpi_communicator_create(&c), DL_OK) << dl_mpi_last_error();
  dl_mpi_communicator_destroy(&c);
  EXPECT_EQ(c.context, nullptr);
  dl_mpi_communicator_destroy(&c);
  dl_mpi_communicator_destroy(nullptr);
  // The shared communicator still works: destroying another one did not finalize MPI.
  float x = 1.0f;
  ASSERT_EQ(comm.all_reduce_sum_f32(comm.context, &x, 1), DL_OK) << lastError(comm);
  EXPECT_EQ(x, float(comm.size));
}

TEST(Errors, AnMpiFailureIsAStatusWithMpisMessage) {
  if (comm.size < 2)
    GTEST_SKIP() << "needs two ranks";
  // Rank 0 broadcasts 64 bytes to ranks that expect 32: MPI truncates, and with the
  // communicator's MPI_ERRORS_RETURN the receivers get a status instead of an aborted job. On a
  // communicator of its own, which the failure may leave unusable.
  dl_communicator c;
  ASSERT_EQ(dl_mpi_communicator_create(&c), DL_OK) << dl_mpi_last_error();
  char data[64] = {0};
  dl_status status = c.broadcast(c.context, data, c.rank == 0 ? 64 : 32, 0);
  if (c.rank == 0) {
    EXPECT_EQ(status, DL_OK);
  } else {
    EXPECT_EQ(status, DL_ERR_INTERNAL);
    EXPECT_NE(lastError(c).find("MPI_Bcast"), std::string::npos) << lastError(c);
    EXPECT_NE(lastError(c).find("truncat"), std::string::npos) << lastError(c);
  }
  dl_mpi_communicator_destroy(&c);
}

} // namespace

int main(int argc, char **argv) {
  // A rank left waiting for one that failed ends here, not at ctest's timeout.
  alarm(120);
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new CommunicatorEnvironment);
  return RUN_ALL_TESTS();
}

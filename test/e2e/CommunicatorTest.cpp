//===- CommunicatorTest.cpp - Data parallelism through the C ABI, in one process ===//
//
// The runtime's side of data-parallel training (dl_instance_set_communicator, dl/runtime.h) tested
// without MPI: ThreadCommunicator joins N instances of one model, each driven by its own thread, as
// a transport would join N processes. Models are compiled by the build's dlc. The cases: N ranks of
// batch B train like one instance of batch N x B; attaching makes every rank start from rank 0's
// state; random ops draw per rank (rank 0 as a lone instance would); batch-norm running statistics
// are rank 0's after every update; a failing or malformed communicator is an error status with
// the communicator's message, never a crash. (test/dist runs the same over MPI with dl-run.)
//
//===----------------------------------------------------------------------===//
#include "DlcProcess.h"

#include "dl/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

/// N ranks in one process, one thread each: every collective meets all N calls, then each rank
/// takes the result.
class ThreadCommunicator {
public:
  explicit ThreadCommunicator(int size) : size_(size), contexts_(size) {
    for (int r = 0; r < size; ++r)
      contexts_[r] = {this, r};
  }

  dl_communicator forRank(int rank) {
    return dl_communicator{rank,       size_,     &contexts_[rank], allReduce,
                           broadcast,  barrierFn, lastError};
  }

  /// Makes every later all-reduce fail with a message.
  void breakAllReduce() { broken_ = true; }

private:
  struct Context {
    ThreadCommunicator *self;
    int rank;
  };

  /// Runs `contribute` for every rank in turn under the lock, then waits for all of them.
  void meet(const std::function<void()> &contribute) {
    std::unique_lock<std::mutex> lock(mutex_);
    contribute();
    int generation = generation_;
    if (++arrived_ == size_) {
      arrived_ = 0;
      ++generation_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return generation_ != generation; });
    }
  }

  static ThreadCommunicator &of(void *context, int &rank) {
    auto *c = static_cast<Context *>(context);
    rank = c->rank;
    return *c->self;
  }

  static dl_status allReduce(void *context, float *data, size_t count) {
    int rank;
    ThreadCommunicator &self = of(context, rank);
    if (self.broken_)
      return DL_ERR_IO;
    self.meet([&] {
      if (self.sum_.size() != count)
        self.sum_.assign(count, 0.0f);
      for (size_t i = 0; i < count; ++i)
        self.sum_[i] += data[i];
    });
    std::memcpy(data, self.sum_.data(), count * sizeof(float));
    self.meet([&] {
      // The last to leave clears the sum for the next all-reduce.
      if (self.arrived_ == self.size_ - 1)
        self.sum_.clear();
    });
    return DL_OK;
  }

  static dl_status broadcast(void *context, void *data, size_t bytes, int root) {
    int rank;
    ThreadCommunicator &self = of(context, rank);
    self.meet([&] {
      if (rank == root)
        self.bytes_.assign(static_cast<char *>(data), static_cast<char *>(data) + bytes);
    });
    if (rank != root)
      std::memcpy(data, self.bytes_.data(), bytes);
    self.meet([] {});
    return DL_OK;
  }

  static dl_status barrierFn(void *context) {
    int rank;
    of(context, rank).meet([] {});
    return DL_OK;
  }

  static const char *lastError(void *context) {
    int rank;
    return of(context, rank).broken_ ? "the test broke this communicator" : nullptr;
  }

  int size_;
  std::vector<Context> contexts_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0, generation_ = 0;
  std::vector<float> sum_;
  std::vector<char> bytes_;
  bool broken_ = false;
};

const char *kMlp = R"(const B = 8
model m {
  input x: f32[B, 6]
  input y: i32[B]
  h = Dense(6, 16, act = relu)
  o = Dense(16, 3)
  output logits = o(h(x))
  loss l = cross_entropy(logits, y)
}
train m {
  loss = l
  optimizer = adam(lr = 0.01)
  clip_grad_norm = 0.5
}
)";

const char *kDropoutAndBatchNorm = R"(const B = 8
model m {
  input x: f32[B, 6]
  input y: i32[B]
  h = Dense(6, 16)
  bn = BatchNorm(16)
  o = Dense(16, 3)
  output logits = o(dropout(relu(bn(h(x))), 0.5))
  loss l = cross_entropy(logits, y)
}
train m {
  loss = l
  optimizer = sgd(lr = 0.1, momentum = 0.9)
}
)";

class Communicator : public ::testing::Test {
protected:
  /// `source` compiled with B = `batch`.
  dl_library *compile(const char *source, int batch) {
    std::string dl = scratch_.path() + "/m.dl", so = scratch_.path() + "/m" + std::to_string(batch) + ".so";
    std::ofstream(dl) << source;
    std::string log;
    EXPECT_TRUE(dl::e2e::runDlc(DLC_BINARY, dl, {"B=" + std::to_string(batch)}, so, log)) << log;
    dl_library *lib = nullptr;
    EXPECT_EQ(dl_library_open(so.c_str(), &lib), DL_OK) << dl_last_error();
    libraries_.push_back(lib);
    return lib;
  }

  dl_instance *create(dl_library *lib, uint64_t seed) {
    dl_options options{DL_DEVICE_CPU, 1, seed};
    dl_instance *inst = nullptr;
    EXPECT_EQ(dl_instance_create(lib, &options, &inst), DL_OK) << dl_last_error();
    instances_.push_back(inst);
    return inst;
  }

  static std::vector<float> tensor(dl_instance *inst, const char *name) {
    void *data = nullptr;
    const dl_tensor_info *info = nullptr;
    EXPECT_EQ(dl_instance_tensor(inst, name, &data, &info), DL_OK) << dl_instance_last_error(inst);
    if (!data)
      return {};
    const float *f = static_cast<const float *>(data);
    return std::vector<float>(f, f + info->bytes / sizeof(float));
  }

  void TearDown() override {
    for (dl_instance *inst : instances_)
      dl_instance_destroy(inst);
    for (dl_library *lib : libraries_)
      dl_library_close(lib);
  }

  dl::e2e::ScratchDir scratch_;
  std::vector<dl_library *> libraries_;
  std::vector<dl_instance *> instances_;
};

/// Batches of x [8, 6] and labels [8], drawn once.
struct Batches {
  std::vector<std::vector<float>> x;
  std::vector<std::vector<int32_t>> y;
  explicit Batches(int count) {
    std::mt19937 rng(5);
    std::normal_distribution<float> normal;
    for (int k = 0; k < count; ++k) {
      x.emplace_back(48);
      y.emplace_back(8);
      for (float &v : x.back())
        v = normal(rng);
      for (int32_t &v : y.back())
        v = int32_t(rng() % 3);
    }
  }
};

dl_status trainStep(dl_instance *inst, const float *x, const int32_t *y, float &loss) {
  const void *inputs[] = {x, y};
  void *outputs[] = {&loss};
  return dl_instance_call(inst, "train_step", inputs, 2, outputs, 1);
}

TEST_F(Communicator, TwoRanksOfHalfBatchesTrainLikeOneInstance) {
  dl_library *whole = compile(kMlp, 8), *half = compile(kMlp, 4);
  ASSERT_TRUE(whole && half);
  Batches batches(6);
  dl_instance *alone = create(whole, 3);
  // Rank 1 starts from another seed: attaching gives it rank 0's state.
  dl_instance *ranks[] = {create(half, 3), create(half, 1234)};
  ThreadCommunicator comm(2);
  std::vector<float> rankLoss[2];
  dl_status status[2] = {DL_OK, DL_OK};
  auto rankMain = [&](int r) {
    dl_communicator c = comm.forRank(r);
    status[r] = dl_instance_set_communicator(ranks[r], &c);
    for (size_t k = 0; k < batches.x.size() && status[r] == DL_OK; ++k) {
      float loss = 0;
      status[r] = trainStep(ranks[r], batches.x[k].data() + r * 24, batches.y[k].data() + r * 4, loss);
      rankLoss[r].push_back(loss);
    }
  };
  std::thread t0(rankMain, 0), t1(rankMain, 1);
  t0.join();
  t1.join();
  ASSERT_EQ(status[0], DL_OK) << dl_instance_last_error(ranks[0]);
  ASSERT_EQ(status[1], DL_OK) << dl_instance_last_error(ranks[1]);
  for (size_t k = 0; k < batches.x.size(); ++k) {
    float loss = 0;
    ASSERT_EQ(trainStep(alone, batches.x[k].data(), batches.y[k].data(), loss), DL_OK);
    EXPECT_NEAR(rankLoss[0][k], loss, 1e-5) << "step " << k + 1 << ": the mean over the ranks";
    EXPECT_EQ(rankLoss[0][k], rankLoss[1][k]) << "step " << k + 1;
  }
  EXPECT_EQ(dl_instance_step(ranks[1]), batches.x.size());
  for (const char *name : {"h.W", "h.b", "o.W", "o.b", "train_step.exp_avg_sq.h.W"}) {
    std::vector<float> expected = tensor(alone, name), got0 = tensor(ranks[0], name),
                       got1 = tensor(ranks[1], name);
    ASSERT_EQ(got0.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_NEAR(got0[i], expected[i], 1e-5) << name << "[" << i << "]";
      EXPECT_EQ(got0[i], got1[i]) << name << "[" << i << "]: the ranks must stay identical";
    }
  }
}

TEST_F(Communicator, RanksDrawTheirOwnMasksAndShareRankZerosRunningStatistics) {
  dl_library *lib = compile(kDropoutAndBatchNorm, 8);
  ASSERT_TRUE(lib);
  Batches batches(1);
  dl_instance *alone = create(lib, 11);
  dl_instance *ranks[] = {create(lib, 11), create(lib, 11)};
  float aloneLoss = 0;
  ASSERT_EQ(trainStep(alone, batches.x[0].data(), batches.y[0].data(), aloneLoss), DL_OK);

  ThreadCommunicator comm(2);
  float gradLoss[2] = {0, 0}, meanLoss[2] = {0, 0};
  dl_status status[2] = {DL_OK, DL_OK};
  auto rankMain = [&](int r) {
    dl_communicator c = comm.forRank(r);
    status[r] = dl_instance_set_communicator(ranks[r], &c);
    // Both ranks take the same batch: only their dropout masks can tell their losses apart.
    const void *inputs[] = {batches.x[0].data(), batches.y[0].data()};
    void *gradOutputs[] = {&gradLoss[r]}, *applyOutputs[] = {&meanLoss[r]};
    if (status[r] == DL_OK)
      status[r] = dl_instance_call(ranks[r], "train_step_grad", inputs, 2, gradOutputs, 1);
    if (status[r] == DL_OK)
      status[r] = dl_instance_call(ranks[r], "train_step_apply", nullptr, 0, applyOutputs, 1);
  };
  std::thread t0(rankMain, 0), t1(rankMain, 1);
  t0.join();
  t1.join();
  ASSERT_EQ(status[0], DL_OK) << dl_instance_last_error(ranks[0]);
  ASSERT_EQ(status[1], DL_OK) << dl_instance_last_error(ranks[1]);
  // Rank 0 keeps the seed's key, so its batch was a lone instance's; rank 1 drew other masks.
  EXPECT_NEAR(gradLoss[0], aloneLoss, 1e-6);
  EXPECT_GT(std::fabs(gradLoss[1] - gradLoss[0]), 1e-4) << "rank 1 drew rank 0's dropout masks";
  EXPECT_EQ(meanLoss[0], meanLoss[1]) << "apply returns the mean over the ranks to both";
  EXPECT_NEAR(meanLoss[0], (gradLoss[0] + gradLoss[1]) / 2, 1e-6);
  std::vector<float> mean0 = tensor(ranks[0], "bn.running_mean"),
                     mean1 = tensor(ranks[1], "bn.running_mean"),
                     meanAlone = tensor(alone, "bn.running_mean");
  EXPECT_EQ(mean0, mean1) << "rank 0's running statistics are broadcast after the update";
  ASSERT_EQ(mean0.size(), meanAlone.size());
  for (size_t i = 0; i < mean0.size(); ++i)
    EXPECT_NEAR(mean0[i], meanAlone[i], 1e-6) << "rank 0's statistics are a lone instance's";
}

TEST_F(Communicator, FailuresAreStatusesWithTheCommunicatorsMessage) {
  dl_library *lib = compile(kMlp, 8);
  ASSERT_TRUE(lib);
  dl_instance *inst = create(lib, 1);
  ThreadCommunicator one(1);
  dl_communicator bad = one.forRank(0);
  bad.rank = 2;
  EXPECT_EQ(dl_instance_set_communicator(inst, &bad), DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_instance_last_error(inst), "dl_instance_set_communicator: rank 2 of 1 ranks");
  bad = one.forRank(0);
  bad.all_reduce_sum_f32 = nullptr;
  EXPECT_EQ(dl_instance_set_communicator(inst, &bad), DL_ERR_INVALID_ARGUMENT);

  dl_communicator c = one.forRank(0);
  ASSERT_EQ(dl_instance_set_communicator(inst, &c), DL_OK);
  one.breakAllReduce();
  Batches batches(1);
  float loss = 0;
  EXPECT_EQ(trainStep(inst, batches.x[0].data(), batches.y[0].data(), loss), DL_ERR_IO);
  EXPECT_STREQ(dl_instance_last_error(inst),
               "data parallelism, rank 0 of 1: summing the gradients of 'train_step' failed: the "
               "test broke this communicator");
  EXPECT_EQ(dl_instance_step(inst), 0u);
  // Detached, the instance trains alone again.
  ASSERT_EQ(dl_instance_set_communicator(inst, nullptr), DL_OK);
  EXPECT_EQ(trainStep(inst, batches.x[0].data(), batches.y[0].data(), loss), DL_OK);
  EXPECT_TRUE(std::isfinite(loss));
  void *outputs[] = {&loss};
  EXPECT_EQ(dl_instance_call(inst, "train_step_apply", nullptr, 0, outputs, 1),
            DL_ERR_INVALID_ARGUMENT)
      << "the failed step's batch was dropped with its sum";
  EXPECT_STREQ(dl_instance_last_error(inst),
               "entry 'train_step_apply': no gradient accumulated since the last update; call "
               "'train_step_grad' first");
}

} // namespace

//===- RuntimeTest.cpp - Calling entries of a model.so through the loader ===//
//
// Drives fake_model.so (FakeModel.c): entry calls with right and wrong arguments, kernel failures
// and their messages, the step counter, tensors by name, and the independence of instances.
//
//===----------------------------------------------------------------------===//
#include "RuntimeTestUtil.h"

#include <cmath>
#include <thread>

namespace dl::test {
namespace {

const float kX[2][4] = {{1, 2, -1, 0.5f}, {0, -3, 2, 1}};
const float kTarget[2][3] = {{0.5f, -1, 2}, {1, 0, -0.5f}};

/// y = x W + b in the fake model's order of operations.
std::vector<float> expectedForward(const std::vector<float> &w, const std::vector<float> &b) {
  std::vector<float> y(6);
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 3; ++j) {
      float sum = b[j];
      for (int i = 0; i < 4; ++i)
        sum += kX[n][i] * w[i * 3 + j];
      y[n * 3 + j] = sum;
    }
  return y;
}

dl_status forward(dl_instance *inst, float y[2][3]) {
  const void *inputs[] = {kX};
  void *outputs[] = {y};
  return dl_instance_call(inst, "forward", inputs, 1, outputs, 1);
}

dl_status trainStep(dl_instance *inst, float *loss) {
  const void *inputs[] = {kX, kTarget};
  void *outputs[] = {loss};
  return dl_instance_call(inst, "train_step", inputs, 2, outputs, 1);
}

class RuntimeTest : public ::testing::Test {
protected:
  void SetUp() override {
    lib = openFakeModel();
    ASSERT_TRUE(lib);
    inst = createInstance(lib.get(), 42);
    ASSERT_TRUE(inst);
  }
  Library lib;
  Instance inst;
};

TEST_F(RuntimeTest, ForwardComputesThroughTheBuffers) {
  float y[2][3] = {};
  ASSERT_EQ(forward(inst.get(), y), DL_OK) << dl_instance_last_error(inst.get());
  std::vector<float> expected = expectedForward(tensorValues<float>(inst.get(), "dense.W"),
                                                tensorValues<float>(inst.get(), "dense.b"));
  for (int k = 0; k < 6; ++k)
    EXPECT_EQ(y[k / 3][k % 3], expected[k]) << "element " << k;
  EXPECT_EQ(dl_instance_step(inst.get()), 0u) << "a forward entry does not advance the step";
}

TEST_F(RuntimeTest, TrainStepUpdatesParametersStateAndStep) {
  std::vector<float> w = tensorValues<float>(inst.get(), "dense.W");
  std::vector<float> b = tensorValues<float>(inst.get(), "dense.b");
  std::vector<float> velocity(12, 0.0f);
  for (int step = 0; step < 3; ++step) {
    std::vector<float> pred = expectedForward(w, b);
    float diff[6], expectedLoss = 0;
    for (int k = 0; k < 6; ++k) {
      diff[k] = pred[k] - kTarget[k / 3][k % 3];
      expectedLoss += diff[k] * diff[k];
    }
    expectedLoss /= 6;
    for (int j = 0; j < 3; ++j) {
      b[j] -= 0.1f * (2 * diff[j] / 6 + 2 * diff[3 + j] / 6);
      for (int i = 0; i < 4; ++i) {
        float grad = 2 * kX[0][i] * diff[j] / 6 + 2 * kX[1][i] * diff[3 + j] / 6;
        velocity[i * 3 + j] = 0.9f * velocity[i * 3 + j] + grad;
        w[i * 3 + j] -= 0.1f * velocity[i * 3 + j];
      }
    }
    float loss = -1;
    ASSERT_EQ(trainStep(inst.get(), &loss), DL_OK) << dl_instance_last_error(inst.get());
    EXPECT_FLOAT_EQ(loss, expectedLoss) << "step " << step;
    EXPECT_EQ(dl_instance_step(inst.get()), static_cast<uint64_t>(step + 1));
    // The entry saw the step before the call and the instance's seed.
    EXPECT_EQ(tensorValues<int32_t>(inst.get(), "seen"), (std::vector<int32_t>{step, 42}));
  }
  std::vector<float> gotW = tensorValues<float>(inst.get(), "dense.W");
  std::vector<float> gotV = tensorValues<float>(inst.get(), "dense.W.velocity");
  for (int k = 0; k < 12; ++k) {
    EXPECT_FLOAT_EQ(gotW[k], w[k]) << "W element " << k;
    EXPECT_FLOAT_EQ(gotV[k], velocity[k]) << "velocity element " << k;
  }
  for (int j = 0; j < 3; ++j)
    EXPECT_FLOAT_EQ(tensorValues<float>(inst.get(), "dense.b")[j], b[j]);
  EXPECT_EQ(tensorValues<int32_t>(inst.get(), "count"), std::vector<int32_t>{7 + 3});
}

TEST_F(RuntimeTest, WrongCountsAndNullPointersAreRejectedByName) {
  float y[2][3];
  const void *inputs[] = {kX, kTarget};
  const void *nullInput[] = {nullptr};
  void *outputs[] = {y};
  void *nullOutput[] = {nullptr};
  std::vector<uint8_t> before = snapshot(inst.get(), lib.get());

  EXPECT_EQ(dl_instance_call(inst.get(), "forward", inputs, 2, outputs, 1),
            DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_instance_last_error(inst.get()), "entry 'forward' takes 1 input, got 2");

  EXPECT_EQ(dl_instance_call(inst.get(), "train_step", inputs, 2, outputs, 0),
            DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_instance_last_error(inst.get()), "entry 'train_step' takes 1 output, got 0");

  EXPECT_EQ(dl_instance_call(inst.get(), "forward", nullInput, 1, outputs, 1),
            DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_instance_last_error(inst.get()), "entry 'forward': input 0 ('x') is null");

  EXPECT_EQ(dl_instance_call(inst.get(), "forward", inputs, 1, nullOutput, 1),
            DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_instance_last_error(inst.get()), "entry 'forward': output 0 ('y') is null");

  EXPECT_EQ(dl_instance_call(inst.get(), "forward", nullptr, 1, outputs, 1),
            DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_instance_last_error(inst.get()), "entry 'forward': the array of inputs is null");

  EXPECT_EQ(dl_instance_call(inst.get(), "backward", inputs, 1, outputs, 1),
            DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_instance_last_error(inst.get()),
               "model 'fake' has no entry 'backward' (its entries: forward, train_step, explode, "
               "explode_on_worker, thread_count)");

  EXPECT_EQ(dl_instance_call(nullptr, "forward", inputs, 1, outputs, 1), DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_last_error(), "dl_instance_call: the instance is null");

  EXPECT_EQ(snapshot(inst.get(), lib.get()), before) << "a rejected call changed the instance";
  // A good call still works afterwards.
  EXPECT_EQ(forward(inst.get(), y), DL_OK) << dl_instance_last_error(inst.get());
}

TEST_F(RuntimeTest, KernelFailureKeepsHalidesMessageAndLeavesTheStep) {
  float out = 0;
  void *outputs[] = {&out};
  EXPECT_EQ(dl_instance_call(inst.get(), "explode", nullptr, 0, outputs, 1), DL_ERR_NUMERIC);
  EXPECT_STREQ(dl_instance_last_error(inst.get()),
               "entry 'explode' failed with Halide error -1: fake kernel: boom on the calling "
               "thread");
  EXPECT_EQ(dl_instance_call(inst.get(), "explode_on_worker", nullptr, 0, nullptr, 0),
            DL_ERR_NUMERIC);
  EXPECT_STREQ(dl_instance_last_error(inst.get()),
               "entry 'explode_on_worker' failed with Halide error -1: fake kernel: boom on a "
               "worker thread");
  EXPECT_EQ(dl_instance_step(inst.get()), 0u);
  float loss;
  ASSERT_EQ(trainStep(inst.get(), &loss), DL_OK) << dl_instance_last_error(inst.get());
  EXPECT_EQ(dl_instance_step(inst.get()), 1u);
}

TEST_F(RuntimeTest, TensorsByNameWriteThrough) {
  void *data = reinterpret_cast<void *>(1);
  const dl_tensor_info *info = reinterpret_cast<const dl_tensor_info *>(1);
  EXPECT_EQ(dl_instance_tensor(inst.get(), "no.such", &data, &info), DL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(data, nullptr);
  EXPECT_EQ(info, nullptr);
  EXPECT_STREQ(dl_instance_last_error(inst.get()),
               "model 'fake' has no parameter or buffer 'no.such'");

  ASSERT_EQ(dl_instance_tensor(inst.get(), "dense.W", &data, &info), DL_OK);
  EXPECT_STREQ(info->name, "dense.W");
  EXPECT_EQ(info->dtype, DL_F32);
  ASSERT_EQ(info->rank, 2);
  EXPECT_EQ(info->shape[0], 4);
  EXPECT_EQ(info->shape[1], 3);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u) << "the state block starts aligned";
  // Custom initialization: W = 0, b = 1 makes every output 1.
  std::memset(data, 0, info->bytes);
  float *b = tensorData<float>(inst.get(), "dense.b");
  std::fill(b, b + 3, 1.0f);
  float y[2][3];
  ASSERT_EQ(forward(inst.get(), y), DL_OK) << dl_instance_last_error(inst.get());
  for (int k = 0; k < 6; ++k)
    EXPECT_EQ(y[k / 3][k % 3], 1.0f);

  ASSERT_EQ(dl_instance_tensor(inst.get(), "mask", &data, &info), DL_OK);
  EXPECT_EQ(info->dtype, DL_BOOL);
  EXPECT_EQ(info->bytes, 3u);
}

TEST_F(RuntimeTest, InstancesAreIndependent) {
  Instance same = createInstance(lib.get(), 42);
  Instance other = createInstance(lib.get(), 43);
  ASSERT_TRUE(same && other);
  EXPECT_EQ(snapshot(same.get(), lib.get()), snapshot(inst.get(), lib.get()))
      << "the same seed draws the same state";
  EXPECT_NE(tensorValues<float>(other.get(), "dense.W"), tensorValues<float>(inst.get(), "dense.W"))
      << "another seed draws another state";
  EXPECT_NE(tensorData<float>(same.get(), "dense.W"), tensorData<float>(inst.get(), "dense.W"));

  float loss;
  ASSERT_EQ(trainStep(inst.get(), &loss), DL_OK);
  EXPECT_EQ(dl_instance_step(same.get()), 0u);
  EXPECT_NE(snapshot(same.get(), lib.get()), snapshot(inst.get(), lib.get()));
  ASSERT_EQ(trainStep(same.get(), &loss), DL_OK);
  EXPECT_EQ(snapshot(same.get(), lib.get()), snapshot(inst.get(), lib.get()))
      << "one step from the same start lands in the same place";

  // Errors stay on their instance.
  EXPECT_EQ(dl_instance_call(other.get(), "nope", nullptr, 0, nullptr, 0),
            DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(dl_instance_last_error(inst.get()), "");
}

TEST_F(RuntimeTest, InstancesTrainOnThreadsAtOnce) {
  Instance twin = createInstance(lib.get(), 42);
  ASSERT_TRUE(twin);
  auto train = [](dl_instance *i, dl_status *status) {
    float loss;
    for (int k = 0; k < 200 && *status == DL_OK; ++k)
      *status = trainStep(i, &loss);
  };
  dl_status a = DL_OK, b = DL_OK;
  std::thread first(train, inst.get(), &a), second(train, twin.get(), &b);
  first.join();
  second.join();
  EXPECT_EQ(a, DL_OK);
  EXPECT_EQ(b, DL_OK);
  EXPECT_EQ(dl_instance_step(inst.get()), 200u);
  EXPECT_EQ(snapshot(twin.get(), lib.get()), snapshot(inst.get(), lib.get()));
}

TEST_F(RuntimeTest, ThreadsOptionSizesHalidesPool) {
  for (int threads : {3, 1}) {
    Instance sized = createInstance(lib.get(), 1, threads);
    ASSERT_TRUE(sized);
    int32_t reported = 0;
    void *outputs[] = {&reported};
    ASSERT_EQ(dl_instance_call(sized.get(), "thread_count", nullptr, 0, outputs, 1), DL_OK)
        << dl_instance_last_error(sized.get());
    EXPECT_EQ(reported, threads);
  }
}

} // namespace
} // namespace dl::test

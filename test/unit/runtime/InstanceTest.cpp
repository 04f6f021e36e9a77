//===- InstanceTest.cpp - Instances, dlrt_copy and kernel error capture, in-process ===//
//
// What the fake model cannot reach: allocation failure, a model compiled for another target,
// dlrt_copy's refusals, and how KernelErrorCapture picks a message. Links libdlrt.a and a Halide
// runtime object directly, with descriptors written here.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Instance.h"
#include "runtime/core/KernelErrors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <thread>

namespace dl::rt {
namespace {

using ::testing::HasSubstr;

/// A one-tensor model whose state tensor has `shape`, whose workspace is `workspace` bytes, and
/// whose target is `target`.
std::unique_ptr<ModelDescription> oneTensorModel(const std::string &shape, size_t bytes,
                                                 size_t workspace, const std::string &target) {
  std::string text = R"({"format": "dlc-model", "version": 1, "name": "tiny", "target": ")" +
                     target + R"(", "param_bytes": )" + std::to_string(bytes) +
                     R"(, "state_bytes": 0, "workspace_bytes": )" + std::to_string(workspace) +
                     R"(, "state": [{"name": "t", "kind": "param", "dtype": "f32", "shape": )" +
                     shape + R"(, "offset": 0, "bytes": )" + std::to_string(bytes) +
                     R"(, "init": "ones", "init_args": {}, "init_stream": 0}],
                        "entries": [], "buffers": []})";
  std::string error;
  auto model = parseDescriptor(text.c_str(), error);
  EXPECT_TRUE(model) << error;
  return model;
}

TEST(InstanceTest, CreatesAlignedInitializedBlocks) {
  auto model = oneTensorModel("[5]", 20, 100, "cpu");
  ASSERT_TRUE(model);
  dlrt_instance *inst = nullptr;
  std::string error;
  ASSERT_EQ(createInstance(*model, nullptr, nullptr, &inst, error), DL_OK) << error;
  std::unique_ptr<dlrt_instance> owned(inst);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(inst->state) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(inst->workspace) % 64, 0u);
  const float *t = reinterpret_cast<const float *>(inst->state);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(t[i], 1.0f);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(inst->workspace[i], 0) << "the workspace starts zeroed";
}

TEST(InstanceTest, OutOfMemoryIsAStatus) {
  // 2^47 bytes of state, then of workspace: more than any machine here can map.
  size_t huge = size_t(1) << 47;
  for (bool inState : {true, false}) {
    auto model = inState ? oneTensorModel("[35184372088832]", huge, 0, "cpu")
                         : oneTensorModel("[1]", 4, huge, "cpu");
    ASSERT_TRUE(model);
    dlrt_instance *inst = reinterpret_cast<dlrt_instance *>(1);
    std::string error;
    EXPECT_EQ(createInstance(*model, nullptr, nullptr, &inst, error), DL_ERR_OUT_OF_MEMORY);
    EXPECT_EQ(inst, nullptr);
    EXPECT_THAT(error, HasSubstr(inState ? "cannot allocate its state block of 140737488355328 bytes"
                                         : "cannot allocate its workspace of 140737488355328 bytes"));
  }
}

TEST(InstanceTest, ModelForAnotherTargetIsADeviceError) {
  auto model = oneTensorModel("[1]", 4, 0, "cuda");
  ASSERT_TRUE(model);
  dlrt_instance *inst = nullptr;
  std::string error;
  EXPECT_EQ(createInstance(*model, nullptr, nullptr, &inst, error), DL_ERR_DEVICE);
  EXPECT_EQ(error, "model 'tiny' was compiled for CUDA (dlc --target=cuda): create it with "
                   "DL_DEVICE_CUDA, or compile it for the CPU");
}

TEST(InstanceTest, ModelForBothTargetsRunsOnTheCpu) {
  auto model = oneTensorModel("[1]", 4, 0, "cpu,cuda");
  ASSERT_TRUE(model);
  EXPECT_STREQ(model->info.target, "cpu,cuda");
  dlrt_instance *inst = nullptr;
  std::string error;
  dl_options cpu{DL_DEVICE_CPU, 0, 0};
  ASSERT_EQ(createInstance(*model, nullptr, &cpu, &inst, error), DL_OK) << error;
  std::unique_ptr<dlrt_instance> owned(inst);
  EXPECT_EQ(inst->cuda, nullptr); // nothing on a device
}

TEST(InstanceTest, CudaModelWithoutADriverIsADeviceError) {
  if (void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL)) {
    dlclose(driver);
    GTEST_SKIP() << "this machine has a CUDA driver";
  }
  auto model = oneTensorModel("[1]", 4, 0, "cuda");
  ASSERT_TRUE(model);
  dlrt_instance *inst = reinterpret_cast<dlrt_instance *>(1);
  std::string error;
  dl_options cuda{DL_DEVICE_CUDA, 0, 0};
  EXPECT_EQ(createInstance(*model, nullptr, &cuda, &inst, error), DL_ERR_DEVICE);
  EXPECT_EQ(inst, nullptr);
  EXPECT_THAT(error, HasSubstr("model 'tiny': no CUDA driver: cannot load libcuda.so.1"));
}

TEST(InstanceTest, CpuModelOnTheCudaDeviceIsADeviceError) {
  auto model = oneTensorModel("[1]", 4, 0, "cpu");
  ASSERT_TRUE(model);
  dlrt_instance *inst = nullptr;
  std::string error;
  dl_options cuda{DL_DEVICE_CUDA, 0, 0};
  EXPECT_EQ(createInstance(*model, nullptr, &cuda, &inst, error), DL_ERR_DEVICE);
  EXPECT_EQ(inst, nullptr);
  EXPECT_THAT(error, HasSubstr("was compiled for the CPU: create it with DL_DEVICE_CPU"));
}

/// A dense rank-`dims` f32 buffer over `host` with the given extents (innermost first).
struct TestBuffer {
  halide_dimension_t dim[2];
  halide_buffer_t buffer{};
  TestBuffer(void *host, std::initializer_list<int32_t> extents) {
    int32_t stride = 1, d = 0;
    for (int32_t extent : extents) {
      dim[d++] = halide_dimension_t(0, extent, stride);
      stride *= extent;
    }
    buffer.host = static_cast<uint8_t *>(host);
    buffer.type = halide_type_t(halide_type_float, 32);
    buffer.dimensions = d;
    buffer.dim = dim;
  }
};

TEST(InstanceTest, CopyMovesBytesBetweenBuffersOfEqualSize) {
  float src[6] = {1, 2, 3, 4, 5, 6}, dst[6] = {};
  TestBuffer from(src, {3, 2}), to(dst, {6});
  EXPECT_EQ(copyBuffer(&to.buffer, &from.buffer), 0);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(dst[i], src[i]);
}

TEST(InstanceTest, CopyRefusesMismatchesWithAMessage) {
  float src[6] = {}, dst[6] = {};
  TestBuffer from(src, {3, 2}), shorter(dst, {5}), noHost(nullptr, {6}), strided(dst, {3});
  strided.dim[0].stride = 2;
  struct Case {
    halide_buffer_t *dst;
    const halide_buffer_t *src;
    const char *message;
  } cases[] = {
      {&shorter.buffer, &from.buffer, "dlrt_copy: the destination holds 20 bytes, the source 24"},
      {&noHost.buffer, &from.buffer, "dlrt_copy: a buffer or its host memory is null"},
      {nullptr, &from.buffer, "dlrt_copy: a buffer or its host memory is null"},
      {&strided.buffer, &from.buffer, "dlrt_copy: a buffer is not dense"},
  };
  for (const Case &c : cases) {
    KernelErrorCapture capture;
    EXPECT_EQ(copyBuffer(c.dst, c.src), -1);
    EXPECT_EQ(capture.message(), c.message);
  }
}

TEST(InstanceTest, CaptureKeepsItsThreadsFirstMessageElseAnotherThreadsLatest) {
  reportKernelError("before any capture");
  {
    KernelErrorCapture capture;
    EXPECT_EQ(capture.message(), "") << "messages before the capture opened do not count";
    std::thread([] {
      reportKernelError("worker one");
      reportKernelError("worker two\n");
    }).join();
    EXPECT_EQ(capture.message(), "worker two");
    reportKernelError("own first");
    reportKernelError("own second");
    EXPECT_EQ(capture.message(), "own first");
  }
  KernelErrorCapture later;
  EXPECT_EQ(later.message(), "");
}

} // namespace
} // namespace dl::rt

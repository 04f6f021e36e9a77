//===- LoaderTest.cpp - Opening model libraries and reading what they hold ===//
//
// dl_library_open on good and bad files, the model info the runtime parses from the descriptor,
// instance creation options, the lifetime of a library with live instances, and what a model.so
// exports (only dl_model_api_v1 of the runtime).
//
//===----------------------------------------------------------------------===//
#include "RuntimeTestUtil.h"

#include "dl/model_abi.h"

#include <gmock/gmock.h>

#include <dlfcn.h>

namespace dl::test {
namespace {

using ::testing::HasSubstr;

TEST(LoaderTest, OpenReportsMissingForeignAndBrokenFiles) {
  dl_library *lib = reinterpret_cast<dl_library *>(1);
  EXPECT_EQ(dl_library_open("/nonexistent/model.so", &lib), DL_ERR_IO);
  EXPECT_EQ(lib, nullptr);
  EXPECT_STREQ(dl_last_error(),
               "cannot open model '/nonexistent/model.so': No such file or directory");

  EXPECT_EQ(dl_library_open(DL_NOT_A_MODEL, &lib), DL_ERR_FORMAT);
  EXPECT_THAT(dl_last_error(), HasSubstr("is not a dlc model (it has no dl_model_api_v1)"));

  EXPECT_EQ(dl_library_open(DL_BROKEN_MODEL, &lib), DL_ERR_FORMAT);
  EXPECT_THAT(dl_last_error(), HasSubstr("buffers[0]: entry 3 does not exist"));

  TempDir dir;
  std::string text = dir.file("model.so");
  FILE *f = std::fopen(text.c_str(), "w");
  ASSERT_TRUE(f);
  std::fputs("not a shared library\n", f);
  std::fclose(f);
  EXPECT_EQ(dl_library_open(text.c_str(), &lib), DL_ERR_FORMAT);
  EXPECT_THAT(dl_last_error(), HasSubstr("cannot load model"));

  EXPECT_EQ(dl_library_open(DL_FAKE_MODEL, nullptr), DL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dl_library_open(nullptr, &lib), DL_ERR_INVALID_ARGUMENT);
}

TEST(LoaderTest, InfoDescribesEntriesParamsAndBuffers) {
  Library lib = openFakeModel();
  ASSERT_TRUE(lib);
  const dl_model_info *info = dl_library_info(lib.get());
  ASSERT_TRUE(info);
  EXPECT_STREQ(info->name, "fake");
  EXPECT_STREQ(info->target, "cpu");
  EXPECT_EQ(info->param_bytes, 528u);
  EXPECT_EQ(info->state_bytes, 63u);
  EXPECT_EQ(info->workspace_bytes, 64u);

  ASSERT_EQ(info->n_entries, 5);
  const dl_entry_info &train = info->entries[1];
  EXPECT_STREQ(train.name, "train_step");
  EXPECT_EQ(train.kind, DL_ENTRY_TRAIN);
  ASSERT_EQ(train.n_inputs, 2);
  EXPECT_STREQ(train.inputs[1].name, "target");
  EXPECT_EQ(train.inputs[1].dtype, DL_F32);
  ASSERT_EQ(train.inputs[1].rank, 2);
  EXPECT_EQ(train.inputs[1].shape[0], 2);
  EXPECT_EQ(train.inputs[1].shape[1], 3);
  EXPECT_EQ(train.inputs[1].bytes, 24u);
  ASSERT_EQ(train.n_outputs, 1);
  EXPECT_STREQ(train.outputs[0].name, "loss");
  EXPECT_EQ(train.outputs[0].rank, 0);
  EXPECT_EQ(train.outputs[0].bytes, 4u);
  EXPECT_EQ(info->entries[0].kind, DL_ENTRY_FORWARD);
  EXPECT_EQ(info->entries[3].kind, DL_ENTRY_EVAL);
  EXPECT_EQ(info->entries[3].n_inputs, 0);

  std::vector<std::string> params, buffers;
  size_t paramBytes = 0;
  for (int i = 0; i < info->n_params; ++i) {
    params.push_back(info->params[i].name);
    paramBytes += info->params[i].bytes;
  }
  for (int i = 0; i < info->n_buffers; ++i)
    buffers.push_back(info->buffers[i].name);
  EXPECT_EQ(params, (std::vector<std::string>{"dense.W", "dense.b", "emb", "proj", "u", "hu", "xn",
                                              "orth", "orth_tall", "pos", "scale"}));
  EXPECT_EQ(buffers, (std::vector<std::string>{"dense.W.velocity", "count", "mask", "seen"}));
  EXPECT_EQ(paramBytes, info->param_bytes);
  EXPECT_EQ(info->buffers[1].dtype, DL_I32);
  EXPECT_EQ(info->buffers[2].dtype, DL_BOOL);
  EXPECT_EQ(info->buffers[2].bytes, 3u);

  EXPECT_EQ(dl_library_find_entry(lib.get(), "train_step"), 1);
  EXPECT_EQ(dl_library_find_entry(lib.get(), "explode_on_worker"), 3);
  EXPECT_EQ(dl_library_find_entry(lib.get(), "train"), -1);
  EXPECT_EQ(dl_library_find_entry(lib.get(), nullptr), -1);
}

TEST(LoaderTest, CreateChecksItsOptions) {
  Library lib = openFakeModel();
  ASSERT_TRUE(lib);
  dl_instance *inst = reinterpret_cast<dl_instance *>(1);
  dl_options cuda{DL_DEVICE_CUDA, 0, 1};
  EXPECT_EQ(dl_instance_create(lib.get(), &cuda, &inst), DL_ERR_DEVICE);
  EXPECT_EQ(inst, nullptr);
  EXPECT_STREQ(dl_last_error(), "model 'fake' was compiled for the CPU: create it with "
                                "DL_DEVICE_CPU, or compile it with dlc --target=cuda to run on "
                                "the GPU");
  dl_options negative{DL_DEVICE_CPU, -2, 1};
  EXPECT_EQ(dl_instance_create(lib.get(), &negative, &inst), DL_ERR_INVALID_ARGUMENT);
  EXPECT_THAT(dl_last_error(), HasSubstr("threads must be 0"));
  dl_options unknown{static_cast<dl_device>(7), 0, 1};
  EXPECT_EQ(dl_instance_create(lib.get(), &unknown, &inst), DL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dl_instance_create(lib.get(), &negative, nullptr), DL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dl_instance_create(nullptr, &negative, &inst), DL_ERR_INVALID_ARGUMENT);

  // No options: the CPU, one thread per core, seed 0.
  ASSERT_EQ(dl_instance_create(lib.get(), nullptr, &inst), DL_OK) << dl_last_error();
  Instance defaults(inst);
  Instance seedZero = createInstance(lib.get(), 0, 0);
  ASSERT_TRUE(seedZero);
  EXPECT_EQ(snapshot(defaults.get(), lib.get()), snapshot(seedZero.get(), lib.get()));
}

TEST(LoaderTest, InstancesOutliveTheirClosedLibrary) {
  dl_library *lib = nullptr;
  ASSERT_EQ(dl_library_open(DL_FAKE_MODEL, &lib), DL_OK) << dl_last_error();
  Instance inst = createInstance(lib, 5);
  ASSERT_TRUE(inst);
  dl_library_close(lib);
  const float x[2][4] = {};
  float y[2][3];
  const void *inputs[] = {x};
  void *outputs[] = {y};
  EXPECT_EQ(dl_instance_call(inst.get(), "forward", inputs, 1, outputs, 1), DL_OK)
      << dl_instance_last_error(inst.get());
  EXPECT_EQ(y[1][2], tensorValues<float>(inst.get(), "dense.b")[2]);
}

TEST(LoaderTest, ModelExportsOnlyTheApiOfTheRuntime) {
  void *handle = dlopen(DL_FAKE_MODEL, RTLD_NOW | RTLD_LOCAL);
  ASSERT_TRUE(handle) << dlerror();
  auto api = reinterpret_cast<const dl_model_api *(*)(void)>(dlsym(handle, "dl_model_api_v1"));
  ASSERT_TRUE(api);
  EXPECT_EQ(api()->abi_version, DL_MODEL_ABI_VERSION);
  for (const char *hidden : {"dlrt_create", "dlrt_call", "dlrt_copy", "dl_status_name"})
    EXPECT_EQ(dlsym(handle, hidden), nullptr) << hidden << " is exported";

  // The api on its own: creation errors are kept per thread.
  dl_options cuda{DL_DEVICE_CUDA, 0, 0};
  dlrt_instance *inst = nullptr;
  EXPECT_EQ(api()->create(&cuda, &inst), DL_ERR_DEVICE);
  EXPECT_THAT(api()->creation_error(), HasSubstr("DL_DEVICE_CPU"));
  EXPECT_STREQ(api()->last_error(nullptr), api()->creation_error());
  EXPECT_EQ(api()->call(nullptr, 0, nullptr, 0, nullptr, 0), DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(api()->creation_error(), "dlrt_call: the instance is null");
  ASSERT_EQ(api()->create(nullptr, &inst), DL_OK);
  EXPECT_EQ(api()->call(inst, -1, nullptr, 0, nullptr, 0), DL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(api()->call(inst, 5, nullptr, 0, nullptr, 0), DL_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(api()->last_error(inst), "entry 5 does not exist: model 'fake' has 5 entries");
  EXPECT_EQ(api()->save(inst, nullptr), DL_ERR_INVALID_ARGUMENT);
  api()->destroy(inst);
  dlclose(handle);
}

TEST(LoaderTest, StatusAndDtypeNames) {
  EXPECT_STREQ(dl_status_name(DL_OK), "ok");
  EXPECT_STREQ(dl_status_name(DL_ERR_FORMAT), "format error");
  EXPECT_STREQ(dl_status_name(static_cast<dl_status>(99)), "unknown status");
  EXPECT_STREQ(dl_dtype_name(DL_F32), "f32");
  EXPECT_STREQ(dl_dtype_name(DL_I32), "i32");
  EXPECT_STREQ(dl_dtype_name(DL_BOOL), "bool");
}

} // namespace
} // namespace dl::test

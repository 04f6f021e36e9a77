//===- LoaderTest.cpp - Opening model libraries and reading what they hold ===//
//
// dl_library_open on good and bad files (missing, foreign, truncated, for another machine, with an
// api it cannot call), the model info the runtime parses from the descriptor, instance creation
// options, the lifetime of a library with live instances, and what a model.so exports (only
// dl_model_api_v1 of the runtime).
//
//===----------------------------------------------------------------------===//
#include "RuntimeTestUtil.h"

#include "dl/model_abi.h"

#include <gmock/gmock.h>

#include <dlfcn.h>
#include <elf.h>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

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

/// The bytes of the file at `path`.
std::vector<char> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

/// Writes `bytes` to `path`.
void writeBytes(const std::string &path, const std::vector<char> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

/// dl_library_open's status on `path`; its message in `message`.
dl_status openStatus(const std::string &path, std::string &message) {
  dl_library *lib = reinterpret_cast<dl_library *>(1);
  dl_status status = dl_library_open(path.c_str(), &lib);
  message = dl_last_error();
  EXPECT_EQ(lib, nullptr) << path;
  if (lib)
    dl_library_close(lib);
  return status;
}

// dlopen maps a library's segments from the file; one cut short died of SIGBUS inside dlopen. Every
// cut (in the ELF header, the program headers, a segment, the section headers) is a format error
// saying what is missing, and the process lives on.
TEST(LoaderTest, OpenRefusesTruncatedLibraries) {
  std::vector<char> library = readBytes(DL_FAKE_MODEL);
  ASSERT_GT(library.size(), 4096u);
  const auto *header = reinterpret_cast<const Elf64_Ehdr *>(library.data());
  const auto *segments = reinterpret_cast<const Elf64_Phdr *>(library.data() + header->e_phoff);
  // The middle of the loadable segment that ends last.
  size_t segmentCut = 0, segmentEnd = 0;
  for (int i = 0; i < header->e_phnum; ++i)
    if (segments[i].p_type == PT_LOAD && segments[i].p_offset + segments[i].p_filesz > segmentEnd) {
      segmentEnd = segments[i].p_offset + segments[i].p_filesz;
      segmentCut = segments[i].p_offset + segments[i].p_filesz / 2;
    }
  ASSERT_GT(segmentCut, size_t(header->e_phoff + header->e_phnum * sizeof(Elf64_Phdr)));
  // The section headers come last: cutting one byte cuts them.
  ASSERT_EQ(header->e_shoff + header->e_shnum * header->e_shentsize, library.size());
  std::string size = std::to_string(library.size());

  TempDir dir;
  std::string cut = dir.file("cut.so");
  struct Case {
    size_t size;
    std::string says;
  } cases[] = {
      {0, "it is too short to be a shared library (0 bytes)"},
      {10, "it is too short to be a shared library (10 bytes)"},
      {40, "it is truncated: the ELF header needs 64 bytes, the file has 40"},
      {header->e_phoff + 8, "it is truncated: its program headers end at byte "},
      {segmentCut, "it is truncated: segment "},
      {library.size() - 1, "it is truncated: its section headers end at byte " + size +
                               ", past the end of the file (" + std::to_string(library.size() - 1) +
                               " bytes)"},
  };
  for (const Case &c : cases) {
    writeBytes(cut, std::vector<char>(library.begin(), library.begin() + long(c.size)));
    std::string message;
    EXPECT_EQ(openStatus(cut, message), DL_ERR_FORMAT) << c.size << " bytes";
    EXPECT_THAT(message, HasSubstr("cannot load model '" + cut + "': " + c.says)) << c.size;
  }
  std::string message;
  writeBytes(cut, std::vector<char>(library.begin(), library.begin() + long(segmentCut)));
  openStatus(cut, message);
  EXPECT_THAT(message, HasSubstr(", past the end of the file (" + std::to_string(segmentCut) +
                                 " bytes)"));
}

// A library for another machine or class, an executable, a folder and a FIFO are format errors
// found before dlopen (which would block on the FIFO).
TEST(LoaderTest, OpenRefusesFilesOfAnotherKind) {
  std::vector<char> library = readBytes(DL_FAKE_MODEL);
  ASSERT_GT(library.size(), sizeof(Elf64_Ehdr));
  TempDir dir;
  std::string path = dir.file("other.so");
  std::string message;

  std::vector<char> other = library;
  reinterpret_cast<Elf64_Ehdr *>(other.data())->e_machine = EM_AARCH64;
  writeBytes(path, other);
  EXPECT_EQ(openStatus(path, message), DL_ERR_FORMAT);
  EXPECT_THAT(message, HasSubstr("': it is built for AArch64, not for x86-64"));

  other = library;
  other[EI_CLASS] = ELFCLASS32;
  writeBytes(path, other);
  EXPECT_EQ(openStatus(path, message), DL_ERR_FORMAT);
  EXPECT_THAT(message, HasSubstr("': it is a 32-bit ELF file; this process is 64-bit"));

  other = library;
  reinterpret_cast<Elf64_Ehdr *>(other.data())->e_type = ET_EXEC;
  writeBytes(path, other);
  EXPECT_EQ(openStatus(path, message), DL_ERR_FORMAT);
  EXPECT_THAT(message, HasSubstr("': it is an executable, not a shared library"));

  EXPECT_EQ(openStatus(dir.path(), message), DL_ERR_FORMAT);
  EXPECT_EQ(message, "cannot load model '" + dir.path() + "': it is a directory");

  std::string fifo = dir.file("fifo.so");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(openStatus(fifo, message), DL_ERR_FORMAT);
  EXPECT_EQ(message, "cannot load model '" + fifo + "': it is not a regular file");
}

// A library whose dl_model_api_v1 cannot be called, or returns a table with null functions, made
// the loader jump into data or through null; each is a format error naming what is wrong.
TEST(LoaderTest, OpenRefusesAnApiItCannotCall) {
  std::string message;
  EXPECT_EQ(openStatus(DL_API_AS_DATA, message), DL_ERR_FORMAT);
  EXPECT_EQ(message, std::string("model '") + DL_API_AS_DATA +
                         "': its dl_model_api_v1 is data, not a function");
  EXPECT_EQ(openStatus(DL_NULL_API, message), DL_ERR_FORMAT);
  EXPECT_EQ(message, std::string("model '") + DL_NULL_API +
                         "': its dl_model_api_v1 table has no 'create' function (null)");
  EXPECT_EQ(openStatus(DL_NO_API_TABLE, message), DL_ERR_FORMAT);
  EXPECT_EQ(message, std::string("model '") + DL_NO_API_TABLE +
                         "': its dl_model_api_v1 returned no api table (null)");
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

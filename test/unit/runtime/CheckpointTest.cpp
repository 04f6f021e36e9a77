//===- CheckpointTest.cpp - Saving and loading safetensors checkpoints ===//
//
// Round trips through fake_model.so, the file layout, every way a checkpoint can be wrong (each must
// fail with DL_ERR_FORMAT or DL_ERR_IO and leave the instance exactly as it was), saves that cannot
// complete (nothing may appear under the real name), and interchange with Python/NumPy under
// /usr/bin/python3 (skipped when that interpreter or NumPy is absent).
//
//===----------------------------------------------------------------------===//
#include "RuntimeTestUtil.h"

#include <gmock/gmock.h>

#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>

namespace dl::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string lengthPrefix(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i)
    s[i] = static_cast<char>(n >> (8 * i));
  return s;
}

/// One tensor of a hand-made checkpoint.
struct FileTensor {
  std::string name, dtype;
  std::vector<int64_t> shape;
  std::string data;
};

/// A safetensors file of `tensors` packed in order, with `metadata` (JSON object text or empty).
std::string makeCheckpoint(const std::vector<FileTensor> &tensors, const std::string &metadata) {
  std::string header = "{", data;
  if (!metadata.empty())
    header += "\"__metadata__\":" + metadata;
  for (const FileTensor &t : tensors) {
    if (header.size() > 1)
      header += ",";
    header += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i)
      header += (i ? "," : "") + std::to_string(t.shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
              std::to_string(data.size() + t.data.size()) + "]}";
    data += t.data;
  }
  header += "}";
  return lengthPrefix(header.size()) + header + data;
}

const char *fileDtype(dl_dtype dtype) {
  return dtype == DL_F32 ? "F32" : dtype == DL_I32 ? "I32" : "BOOL";
}

class CheckpointTest : public ::testing::Test {
protected:
  void SetUp() override {
    lib = openFakeModel();
    ASSERT_TRUE(lib);
    trained = createInstance(lib.get(), 1);
    fresh = createInstance(lib.get(), 2);
    ASSERT_TRUE(trained && fresh);
    const float x[2][4] = {{1, 2, 3, 4}, {-1, 0, 1, 2}}, target[2][3] = {{1, 0, 0}, {0, 1, 0}};
    const void *inputs[] = {x, target};
    float loss;
    void *outputs[] = {&loss};
    for (int i = 0; i < 3; ++i)
      ASSERT_EQ(dl_instance_call(trained.get(), "train_step", inputs, 2, outputs, 1), DL_OK);
  }

  /// The model's tensors with `inst`'s values, in the model's order.
  std::vector<FileTensor> modelTensors(dl_instance *inst) {
    std::vector<FileTensor> tensors;
    const dl_model_info *info = dl_library_info(lib.get());
    auto add = [&](const dl_tensor_info &t) {
      const char *data = tensorData<char>(inst, t.name);
      tensors.push_back({t.name, fileDtype(t.dtype), std::vector<int64_t>(t.shape, t.shape + t.rank),
                         std::string(data, data + t.bytes)});
    };
    for (int i = 0; i < info->n_params; ++i)
      add(info->params[i]);
    for (int i = 0; i < info->n_buffers; ++i)
      add(info->buffers[i]);
    return tensors;
  }

  /// Loading `bytes` into `fresh` fails with `status` and a message containing `message`, and
  /// changes nothing.
  void expectRejected(const std::string &bytes, dl_status status, const std::string &message) {
    std::string path = dir.file("bad.safetensors");
    writeFile(path, bytes);
    std::vector<uint8_t> before = snapshot(fresh.get(), lib.get());
    EXPECT_EQ(dl_instance_load(fresh.get(), path.c_str()), status);
    EXPECT_THAT(dl_instance_last_error(fresh.get()), HasSubstr(message));
    EXPECT_EQ(snapshot(fresh.get(), lib.get()), before) << "a failed load changed the instance";
  }

  TempDir dir;
  Library lib;
  Instance trained, fresh;
};

TEST_F(CheckpointTest, RoundTripRestoresEveryByteAndTheStep) {
  std::string path = dir.file("model.safetensors");
  ASSERT_EQ(dl_instance_save(trained.get(), path.c_str()), DL_OK)
      << dl_instance_last_error(trained.get());
  EXPECT_THAT(dir.list(), ElementsAre("model.safetensors")) << "no temporary file is left";
  ASSERT_NE(snapshot(fresh.get(), lib.get()), snapshot(trained.get(), lib.get()));
  ASSERT_EQ(dl_instance_load(fresh.get(), path.c_str()), DL_OK)
      << dl_instance_last_error(fresh.get());
  EXPECT_EQ(dl_instance_step(fresh.get()), 3u);
  EXPECT_EQ(snapshot(fresh.get(), lib.get()), snapshot(trained.get(), lib.get()));

  // Saving again replaces the file.
  float *b = tensorData<float>(trained.get(), "dense.b");
  b[0] = 123.0f;
  ASSERT_EQ(dl_instance_save(trained.get(), path.c_str()), DL_OK);
  ASSERT_EQ(dl_instance_load(fresh.get(), path.c_str()), DL_OK);
  EXPECT_EQ(tensorValues<float>(fresh.get(), "dense.b")[0], 123.0f);
}

TEST_F(CheckpointTest, FileIsSafetensorsWithPaddedHeaderAndMetadata) {
  std::string path = dir.file("model.safetensors");
  ASSERT_EQ(dl_instance_save(trained.get(), path.c_str()), DL_OK);
  std::string bytes = readFile(path);
  ASSERT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(static_cast<uint8_t>(bytes[i])) << (8 * i);
  ASSERT_LE(8 + n, bytes.size());
  EXPECT_EQ((8 + n) % 8, 0u) << "the data starts 8-byte aligned";
  std::string header = bytes.substr(8, n);
  EXPECT_THAT(header, HasSubstr("\"__metadata__\":{\"format\":\"dlc\",\"model\":\"fake\","
                                "\"step\":\"3\"}"));
  EXPECT_THAT(header, HasSubstr("\"dense.W\":{\"dtype\":\"F32\",\"shape\":[4,3],"
                                "\"data_offsets\":[0,48]}"));
  EXPECT_THAT(header, HasSubstr("\"count\":{\"dtype\":\"I32\",\"shape\":[],"));
  EXPECT_THAT(header, HasSubstr("\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],"));
  // The data section is the tensors packed in the model's order.
  std::string data;
  for (const FileTensor &t : modelTensors(trained.get()))
    data += t.data;
  EXPECT_EQ(bytes.substr(8 + n), data);
}

TEST_F(CheckpointTest, ApplicationMetadataTravelsWithTheCheckpoint) {
  // Keys and values with JSON's special characters survive the round trip.
  const std::string quoted = "say \"hi\"\\ \n\ttab \x01 \xc3\xa9";
  ASSERT_EQ(dl_instance_set_metadata(trained.get(), "dl-run.epoch", "2"), DL_OK);
  ASSERT_EQ(dl_instance_set_metadata(trained.get(), "note", quoted.c_str()), DL_OK);
  ASSERT_EQ(dl_instance_set_metadata(trained.get(), "gone", "x"), DL_OK);
  ASSERT_EQ(dl_instance_set_metadata(trained.get(), "gone", nullptr), DL_OK);
  EXPECT_EQ(dl_instance_metadata(trained.get(), "gone"), nullptr);
  EXPECT_STREQ(dl_instance_metadata(trained.get(), "dl-run.epoch"), "2");

  ASSERT_EQ(dl_instance_set_metadata(fresh.get(), "stale", "1"), DL_OK);
  std::string path = dir.file("model.safetensors");
  ASSERT_EQ(dl_instance_save(trained.get(), path.c_str()), DL_OK);
  EXPECT_THAT(readFile(path), HasSubstr("\"step\":\"3\",\"dl-run.epoch\":\"2\""));
  ASSERT_EQ(dl_instance_load(fresh.get(), path.c_str()), DL_OK) << dl_instance_last_error(fresh.get());
  EXPECT_STREQ(dl_instance_metadata(fresh.get(), "dl-run.epoch"), "2");
  EXPECT_EQ(dl_instance_metadata(fresh.get(), "note"), quoted);
  EXPECT_EQ(dl_instance_metadata(fresh.get(), "stale"), nullptr) << "a load replaces the metadata";
  EXPECT_EQ(dl_instance_metadata(fresh.get(), "gone"), nullptr);
  EXPECT_EQ(dl_instance_metadata(fresh.get(), "step"), nullptr) << "the step is not an entry";

  // A failed load keeps the metadata as it was.
  std::vector<FileTensor> tensors = modelTensors(trained.get());
  writeFile(path, makeCheckpoint(tensors, "{\"a\":\"1\",\"epoch\":2}"));
  EXPECT_EQ(dl_instance_load(fresh.get(), path.c_str()), DL_ERR_FORMAT);
  EXPECT_THAT(dl_instance_last_error(fresh.get()), HasSubstr("__metadata__ entry 'epoch' is not a string"));
  EXPECT_STREQ(dl_instance_metadata(fresh.get(), "dl-run.epoch"), "2");
}

TEST_F(CheckpointTest, ReservedAndEmptyMetadataKeysAreRefused) {
  for (const char *key : {"format", "model", "step", ""}) {
    EXPECT_EQ(dl_instance_set_metadata(trained.get(), key, "1"), DL_ERR_INVALID_ARGUMENT) << key;
    EXPECT_EQ(dl_instance_metadata(trained.get(), key), nullptr) << key;
  }
  EXPECT_THAT(dl_instance_last_error(trained.get()), HasSubstr("null or empty"));
  EXPECT_EQ(dl_instance_set_metadata(trained.get(), "step", "1"), DL_ERR_INVALID_ARGUMENT);
  EXPECT_THAT(dl_instance_last_error(trained.get()), HasSubstr("'step' is written by the runtime"));
  EXPECT_EQ(dl_instance_set_metadata(trained.get(), nullptr, "1"), DL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dl_instance_set_metadata(nullptr, "a", "1"), DL_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dl_instance_metadata(nullptr, "a"), nullptr);
  EXPECT_EQ(dl_instance_metadata(trained.get(), nullptr), nullptr);
}

TEST_F(CheckpointTest, HandMadeFilesLoadInAnyOrderWithoutMetadataOrPadding) {
  std::vector<FileTensor> tensors = modelTensors(trained.get());
  std::reverse(tensors.begin(), tensors.end());
  std::string path = dir.file("reversed.safetensors");
  writeFile(path, makeCheckpoint(tensors, ""));
  ASSERT_EQ(dl_instance_load(fresh.get(), path.c_str()), DL_OK)
      << dl_instance_last_error(fresh.get());
  EXPECT_EQ(dl_instance_step(fresh.get()), 0u) << "no metadata: step 0";
  std::vector<uint8_t> want = snapshot(trained.get(), lib.get()), got = snapshot(fresh.get(), lib.get());
  EXPECT_TRUE(std::equal(want.begin(), want.end() - 8, got.begin()));
}

TEST_F(CheckpointTest, TruncatedAndForeignFilesAreFormatErrors) {
  std::string path = dir.file("model.safetensors");
  ASSERT_EQ(dl_instance_save(trained.get(), path.c_str()), DL_OK);
  std::string good = readFile(path);
  uint64_t headerLength = static_cast<uint8_t>(good[0]) | static_cast<uint8_t>(good[1]) << 8;
  expectRejected("", DL_ERR_FORMAT, "too short for a safetensors file");
  expectRejected(good.substr(0, 5), DL_ERR_FORMAT, "too short for a safetensors file");
  expectRejected(good.substr(0, 8 + headerLength / 2), DL_ERR_FORMAT,
                 "does not fit a file of");
  expectRejected(good.substr(0, good.size() - 1), DL_ERR_FORMAT, "does not fit in the");
  expectRejected(good + "extra", DL_ERR_FORMAT, "but the tensors cover");
  std::string garbage(4096, '\0');
  for (size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<char>((i * 2654435761u) >> 13);
  expectRejected(garbage, DL_ERR_FORMAT, "does not fit a file of");
  expectRejected(lengthPrefix(10) + "{\"a\": [1,}" + "abc", DL_ERR_FORMAT,
                 "the header is not valid JSON: at byte 9");
  expectRejected(lengthPrefix(2) + "[]", DL_ERR_FORMAT, "the header is not a JSON object");
  std::string notJson = good;
  notJson[8] = '[';
  expectRejected(notJson, DL_ERR_FORMAT, "not valid JSON");

  std::vector<uint8_t> before = snapshot(fresh.get(), lib.get());
  EXPECT_EQ(dl_instance_load(fresh.get(), dir.file("missing.safetensors").c_str()), DL_ERR_IO);
  EXPECT_THAT(dl_instance_last_error(fresh.get()), HasSubstr("No such file or directory"));
  EXPECT_EQ(dl_instance_load(fresh.get(), dir.path().c_str()), DL_ERR_IO);
  EXPECT_EQ(snapshot(fresh.get(), lib.get()), before);
}

TEST_F(CheckpointTest, MismatchedTensorsAreNamedWithBothTypes) {
  auto with = [&](auto change) {
    std::vector<FileTensor> tensors = modelTensors(trained.get());
    change(tensors);
    return makeCheckpoint(tensors, "{\"format\":\"dlc\",\"step\":\"9\"}");
  };
  auto named = [](std::vector<FileTensor> &tensors, const std::string &name) -> FileTensor & {
    for (FileTensor &t : tensors)
      if (t.name == name)
        return t;
    ADD_FAILURE() << "no tensor " << name;
    return tensors.front();
  };
  expectRejected(with([&](auto &t) { named(t, "dense.W").shape = {3, 4}; }), DL_ERR_FORMAT,
                 "tensor 'dense.W' is F32[3, 4] in the checkpoint but F32[4, 3] in the model");
  expectRejected(with([&](auto &t) { named(t, "dense.W").dtype = "I32"; }), DL_ERR_FORMAT,
                 "tensor 'dense.W' is I32[4, 3] in the checkpoint but F32[4, 3] in the model");
  expectRejected(with([&](auto &t) { named(t, "count").dtype = "F64"; }), DL_ERR_FORMAT,
                 "tensor 'count' is F64[] in the checkpoint but I32[] in the model");
  expectRejected(with([&](auto &t) {
                   t.erase(std::find_if(t.begin(), t.end(),
                                        [](const FileTensor &f) { return f.name == "emb"; }));
                 }),
                 DL_ERR_FORMAT, "tensor 'emb' (F32[5, 4]) is missing");
  expectRejected(with([&](auto &t) { t.push_back({"extra", "F32", {1}, std::string(4, '\0')}); }),
                 DL_ERR_FORMAT, "tensor 'extra' is not a parameter or buffer of model 'fake'");
  expectRejected(with([&](auto &t) { named(t, "mask").data[1] = 2; }), DL_ERR_FORMAT,
                 "bool tensor 'mask' holds the byte 2");
  expectRejected(with([&](auto &t) { named(t, "dense.b").data += "1234"; }), DL_ERR_FORMAT,
                 "tensor 'dense.b' has data_offsets spanning 16 bytes, but F32[3] takes 12");
  expectRejected(makeCheckpoint(modelTensors(trained.get()), "{\"step\":\"-1\"}"), DL_ERR_FORMAT,
                 "the step in __metadata__ is not a non-negative integer");

  // Two tensors over the same bytes: each is in range and of the right size, but they overlap.
  std::string good = makeCheckpoint(modelTensors(trained.get()), "");
  std::string overlapping = good;
  size_t at = overlapping.find("\"dense.b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]");
  ASSERT_NE(at, std::string::npos);
  overlapping.replace(overlapping.find("[48,60]", at), 7, "[36,48]");
  expectRejected(overlapping, DL_ERR_FORMAT, "(overlap or hole)");
}

/// `file` with the first `from` in its header replaced by `to`, the header's length updated.
std::string replaceInHeader(const std::string &file, const std::string &from, const std::string &to) {
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i)
    length |= uint64_t(static_cast<uint8_t>(file[i])) << (8 * i);
  std::string header = file.substr(8, length);
  size_t at = header.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    header.replace(at, from.size(), to);
  return lengthPrefix(header.size()) + header + file.substr(8 + length);
}

TEST_F(CheckpointTest, BadDataOffsetsAreNamedForWhatTheyAre) {
  std::string good = makeCheckpoint(modelTensors(trained.get()), "");
  const std::string offsets = "\"dense.b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]";
  auto with = [&](const std::string &pair) {
    std::string changed = offsets;
    changed.replace(changed.find("[48,60]"), 7, pair);
    return replaceInHeader(good, offsets, changed);
  };
  expectRejected(with("[60,48]"), DL_ERR_FORMAT,
                 "data_offsets [60, 48] of tensor 'dense.b' are reversed");
  // Past int64 (safetensors offsets are u64): named as written, not as a missing pair.
  expectRejected(with("[48,18446744073709551000]"), DL_ERR_FORMAT,
                 "data_offsets value 18446744073709551000 of tensor 'dense.b' does not fit in the");
  expectRejected(with("[48,100000000000000000000000]"), DL_ERR_FORMAT,
                 "data_offsets value 100000000000000000000000 of tensor 'dense.b' does not fit");
  expectRejected(with("[48,6000]"), DL_ERR_FORMAT,
                 "data_offsets value 6000 of tensor 'dense.b' does not fit in the");
  expectRejected(with("[-12,60]"), DL_ERR_FORMAT,
                 "data_offsets value -12 of tensor 'dense.b' is negative");
  expectRejected(with("[48,60.0]"), DL_ERR_FORMAT,
                 "the data_offsets of tensor 'dense.b' are not a pair of integers [begin, end]");
  expectRejected(with("[48]"), DL_ERR_FORMAT,
                 "the data_offsets of tensor 'dense.b' are not a pair of integers [begin, end]");
  expectRejected(replaceInHeader(good, ",\"data_offsets\":[48,60]", ""), DL_ERR_FORMAT,
                 "tensor 'dense.b' lacks data_offsets");
  expectRejected(replaceInHeader(good, "\"shape\":[3]", "\"shape\":3"), DL_ERR_FORMAT,
                 "tensor 'dense.b' lacks a shape of non-negative integers");
}

TEST_F(CheckpointTest, FailedSavesLeaveNothingUnderTheRealName) {
  std::vector<uint8_t> before = snapshot(trained.get(), lib.get());
  // The folder does not exist.
  std::string inMissing = dir.file("missing/model.safetensors");
  EXPECT_EQ(dl_instance_save(trained.get(), inMissing.c_str()), DL_ERR_IO);
  EXPECT_THAT(dl_instance_last_error(trained.get()), HasSubstr("No such file or directory"));
  // The real name is a folder: the rename fails after the data was written.
  std::string folder = dir.file("model.safetensors");
  ASSERT_EQ(mkdir(folder.c_str(), 0755), 0);
  EXPECT_EQ(dl_instance_save(trained.get(), folder.c_str()), DL_ERR_IO);
  EXPECT_THAT(dl_instance_last_error(trained.get()), HasSubstr("rename failed"));
  EXPECT_THAT(dir.list(), ElementsAre("model.safetensors")) << "the temporary file is removed";
  EXPECT_TRUE(std::filesystem::is_directory(folder));
  EXPECT_EQ(snapshot(trained.get(), lib.get()), before);
}

/// Saves `inst` to `path` and expects DL_ERR_IO for lack of permission. Returns whether it went so.
bool saveIsRefused(dl_instance *inst, const std::string &path) {
  return dl_instance_save(inst, path.c_str()) == DL_ERR_IO &&
         std::strstr(dl_instance_last_error(inst), "Permission denied");
}

TEST_F(CheckpointTest, ReadOnlyFolderRefusesTheSave) {
  TempDir readOnly;
  ASSERT_EQ(chmod(readOnly.path().c_str(), 0555), 0);
  std::string path = readOnly.file("model.safetensors");
  if (geteuid() != 0) {
    EXPECT_TRUE(saveIsRefused(trained.get(), path)) << dl_instance_last_error(trained.get());
  } else {
    // Root writes anywhere: save from a child process that became the unprivileged "nobody".
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      bool refused = setgid(65534) == 0 && setuid(65534) == 0 && saveIsRefused(trained.get(), path);
      _exit(refused ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the save as 'nobody' did not fail with a permission error";
  }
  EXPECT_TRUE(readOnly.list().empty()) << "nothing, not even a temporary file, was written";
}

//===----------------------------------------------------------------------===//
// Python interchange
//===----------------------------------------------------------------------===//

bool pythonWithNumpy() {
  return access(DL_PYTHON, X_OK) == 0 &&
         std::system(DL_PYTHON " -c 'import numpy' >/dev/null 2>&1") == 0;
}

/// Reads a checkpoint the way NumPy users do and prints "name v0 v1 ..." per tensor (values as
/// Python's repr of the double) and "step <n>".
const char *kPythonReader = R"(import json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__', {})
data = raw[8 + n:]
kinds = {'F32': '<f4', 'I32': '<i4', 'BOOL': '?'}
with open(sys.argv[2], 'w') as out:
    out.write('step %s\n' % meta.get('step', '0'))
    for name, t in header.items():
        begin, end = t['data_offsets']
        a = np.frombuffer(data[begin:end], dtype=kinds[t['dtype']]).reshape(t['shape'])
        out.write(name + ''.join(' ' + repr(float(v)) for v in a.ravel()) + '\n')
)";

/// Writes a checkpoint with NumPy from a spec ("name dtype d0 d1 ..." per line): element i of the
/// k-th tensor is i * 0.25 - k (f32), i - k (i32) or i % 2 (bool); tensors in reverse order, no
/// metadata, an unpadded header.
const char *kPythonWriter = R"(import json, struct, sys
import numpy as np
kinds = {'F32': '<f4', 'I32': '<i4', 'BOOL': '?'}
specs = [line.split() for line in open(sys.argv[1]) if line.strip()]
header, blobs, offset = {}, [], 0
for k, spec in reversed(list(enumerate(specs))):
    name, dtype, shape = spec[0], spec[1], [int(d) for d in spec[2:]]
    i = np.arange(int(np.prod(shape)))
    values = {'F32': i * 0.25 - k, 'I32': i - k, 'BOOL': i % 2}[dtype]
    blob = values.astype(kinds[dtype]).reshape(shape).tobytes()
    header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(blob)]}
    blobs.append(blob)
    offset += len(blob)
text = json.dumps(header).encode()
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(text)) + text + b''.join(blobs))
)";

TEST_F(CheckpointTest, NumpyReadsWhatTheRuntimeWrites) {
  if (!pythonWithNumpy())
    GTEST_SKIP() << DL_PYTHON << " with NumPy is not available";
  std::string checkpoint = dir.file("model.safetensors"), script = dir.file("read.py"),
              listing = dir.file("values.txt");
  ASSERT_EQ(dl_instance_save(trained.get(), checkpoint.c_str()), DL_OK);
  writeFile(script, kPythonReader);
  std::string command = std::string(DL_PYTHON) + " " + script + " " + checkpoint + " " + listing;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  std::map<std::string, std::vector<double>> values;
  std::istringstream lines(readFile(listing));
  std::string line, step;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    if (name == "step") {
      words >> step;
      continue;
    }
    std::vector<double> &v = values[name];
    for (double x; words >> x;)
      v.push_back(x);
  }
  EXPECT_EQ(step, "3");
  const dl_model_info *info = dl_library_info(lib.get());
  ASSERT_EQ(values.size(), static_cast<size_t>(info->n_params + info->n_buffers));
  for (const FileTensor &t : modelTensors(trained.get())) {
    const std::vector<double> &got = values[t.name];
    size_t size = t.dtype == "BOOL" ? 1 : 4;
    ASSERT_EQ(got.size(), t.data.size() / size) << t.name;
    for (size_t i = 0; i < got.size(); ++i) {
      double want;
      if (t.dtype == "F32") {
        float f;
        std::memcpy(&f, t.data.data() + 4 * i, 4);
        want = f;
      } else if (t.dtype == "I32") {
        int32_t v;
        std::memcpy(&v, t.data.data() + 4 * i, 4);
        want = v;
      } else {
        want = static_cast<uint8_t>(t.data[i]);
      }
      EXPECT_EQ(got[i], want) << t.name << " element " << i;
    }
  }
}

TEST_F(CheckpointTest, RuntimeReadsWhatNumpyWrites) {
  if (!pythonWithNumpy())
    GTEST_SKIP() << DL_PYTHON << " with NumPy is not available";
  const dl_model_info *info = dl_library_info(lib.get());
  std::vector<dl_tensor_info> tensors(info->params, info->params + info->n_params);
  tensors.insert(tensors.end(), info->buffers, info->buffers + info->n_buffers);
  std::string spec;
  for (const dl_tensor_info &t : tensors) {
    spec += std::string(t.name) + " " + fileDtype(t.dtype);
    for (int d = 0; d < t.rank; ++d)
      spec += " " + std::to_string(t.shape[d]);
    spec += "\n";
  }
  std::string specPath = dir.file("spec.txt"), script = dir.file("write.py"),
              checkpoint = dir.file("numpy.safetensors");
  writeFile(specPath, spec);
  writeFile(script, kPythonWriter);
  std::string command = std::string(DL_PYTHON) + " " + script + " " + specPath + " " + checkpoint;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  ASSERT_EQ(dl_instance_load(trained.get(), checkpoint.c_str()), DL_OK)
      << dl_instance_last_error(trained.get());
  EXPECT_EQ(dl_instance_step(trained.get()), 0u);
  for (size_t k = 0; k < tensors.size(); ++k) {
    const dl_tensor_info &t = tensors[k];
    const char *name = t.name;
    if (t.dtype == DL_F32) {
      std::vector<float> got = tensorValues<float>(trained.get(), name);
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i], static_cast<float>(i * 0.25 - double(k))) << name << " " << i;
    } else if (t.dtype == DL_I32) {
      std::vector<int32_t> got = tensorValues<int32_t>(trained.get(), name);
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i], static_cast<int32_t>(i) - static_cast<int32_t>(k)) << name << " " << i;
    } else {
      std::vector<uint8_t> got = tensorValues<uint8_t>(trained.get(), name);
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i], i % 2) << name << " " << i;
    }
  }
}

} // namespace
} // namespace dl::test

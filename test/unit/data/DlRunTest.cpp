//===- DlRunTest.cpp - dl-run's commands on a hand-written model ----------===//
//
// Runs dl-run's commands in-process (tools/dl-run, DLRunTool) on ToyModel.cpp's library: training
// on a small separable image data set written here, train --inputs against direct calls of the
// model through the C API, predict with a padded last batch, checkpoints, and the errors a user
// meets (shapes that do not fit, missing or unknown inputs, values that do not convert). Usage
// errors are checked through parseOptions.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/Options.h"

#include "runtime/data/Csv.h"
#include "runtime/data/Npy.h"

#include "TempFolder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace dlrun;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

struct Result {
  int status;
  std::string out, err;
};

Result runDlRun(std::vector<std::string> args) {
  std::vector<char *> argv{const_cast<char *>("dl-run")};
  for (std::string &a : args)
    argv.push_back(a.data());
  Options options;
  std::ostringstream out, err;
  Result result;
  result.status = parseOptions(int(argv.size()), argv.data(), options, err) ? runCommand(options, out, err)
                                                                            : kExitUsage;
  result.out = out.str();
  result.err = err.str();
  return result;
}

std::string idx(unsigned char rank, std::vector<uint32_t> dims, const std::string &data) {
  std::string h{char(0), char(0), char(0x08), char(rank)};
  for (uint32_t d : dims)
    h += std::string{char(d >> 24), char(d >> 16), char(d >> 8), char(d)};
  return h + data;
}

/// 2x2 images of `classes` classes: class c has a bright pixel c, the other pixels dim, with some
/// spread.
void writeImages(const dltest::TempFolder &dir, const std::string &prefix, uint32_t n, uint32_t classes = 3) {
  std::string images, labels;
  for (uint32_t i = 0; i < n; ++i) {
    int label = int(i % classes);
    for (int p = 0; p < 4; ++p)
      images += char((p == label ? 180 : 20) + int(i * 7 + p * 13) % 50);
    labels += char(label);
  }
  dir.writeGzip(prefix + "-images-idx3-ubyte.gz", idx(3, {n, 2, 2}, images));
  dir.write(prefix + "-labels-idx1-ubyte", idx(1, {n}, labels));
}

/// A data set of 69 training images (8 batches of 8, 5 dropped) and 20 test images (2 batches and
/// a padded third).
class DlRunOnToyModel : public ::testing::Test {
protected:
  void SetUp() override {
    writeImages(dir, "train", 69);
    writeImages(dir, "t10k", 20);
  }
  dltest::TempFolder dir;
  std::string model = DL_TOY_MODEL;
};

dldata::Array floatArray(std::vector<int64_t> shape, float scale) {
  dldata::Array a = dldata::makeArray(dldata::DType::F32, shape);
  for (int64_t i = 0; i < a.elements(); ++i)
    a.data<float>()[i] = scale * float((i * 37) % 11) - 0.3f;
  return a;
}

TEST(DlRunOptions, UsageErrorsExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{}, "no command (expected train, eval, predict, bench, sample or info)"},
      {{"fit", "m.so"}, "unknown command 'fit'"},
      {{"train"}, "'dl-run train' needs a MODEL.so"},
      {{"train", "m.so"}, "'dl-run train' needs --data fashion-mnist|PATH, --inputs NAME=FILE,... or --text FILE"},
      {{"eval", "m.so"}, "'dl-run eval' needs --data fashion-mnist|PATH, --inputs NAME=FILE,... or --text FILE"},
      {{"train", "m.so", "--text", "t.txt", "--data", "d"}, "give either --data or --text, not both"},
      {{"train", "m.so", "--text", "t.txt", "--inputs", "x=a.npy"}, "give either --inputs or --text, not both"},
      {{"train", "m.so", "--text", "t.txt", "--shuffle"}, "--shuffle applies to --data, not to --text"},
      {{"train", "m.so", "--text", "t.txt", "--losses", "l.csv"}, "--losses goes with --inputs"},
      {{"eval", "m.so", "--text", "t.txt", "--limit", "3"}, "--limit applies to --data, not to --text"},
      {{"sample", "m.so", "--text", "t.txt"}, "'dl-run sample --text' needs --prompt TEXT"},
      {{"sample", "m.so", "--text", "t.txt", "--prompt", "a", "--out", "s.png"},
       "--out goes with image samples; with --text, sample prints text"},
      {{"sample", "m.so", "--out", "s.png", "--prompt", "a"}, "--prompt goes with --text FILE"},
      {{"sample", "m.so"}, "'dl-run sample' needs --out FILE.png or --text FILE"},
      {{"sample", "m.so", "--text", "t", "--prompt", "a", "--temperature", "-1"},
       "--temperature needs a non-negative number, not '-1'"},
      {{"sample", "m.so", "--text", "t", "--prompt", "a", "--temperature", "inf"},
       "--temperature needs a non-negative number, not 'inf'"},
      {{"sample", "m.so", "--text", "t", "--prompt", "a", "--length", "0"}, "--length needs a positive integer, not '0'"},
      {{"train", "m.so", "--data", "d", "--epochs", "0"}, "--epochs needs a positive integer, not '0'"},
      {{"train", "m.so", "--data", "d", "--epochs=two"}, "--epochs needs a positive integer, not 'two'"},
      {{"train", "m.so", "--data", "d", "--inputs", "x=a.npy"}, "give either --data or --inputs, not both"},
      {{"train", "m.so", "--inputs", "x=a.npy", "--steps", "3", "--val", "0.2"}, "--val applies to tables of rows"},
      {{"train", "m.so", "--inputs", "x=a.npy", "--val", "1.5"}, "--val takes the fraction of rows to hold out, between 0 and 1, not '1.5'"},
      {{"train", "m.so", "--inputs", "x=a.npy", "--early-stop", "2"}, "--early-stop, --monitor and --save-best watch the validation rows"},
      {{"train", "m.so", "--inputs", "x=a.npy", "--val", "0.2", "--val-inputs", "x=b.npy"}, "give either --val FRACTION or --val-inputs, not both"},
      {{"train", "m.so", "--inputs", "x=a.npy", "--monitor", "val_f1"}, "--monitor takes val_loss, val_accuracy, val_rmse or val_mae, not 'val_f1'"},
      {{"train", "m.so", "--csv", "t.csv"}, "--csv needs --columns NAME=COLUMNS"},
      {{"train", "m.so", "--csv", "t.csv", "--columns", "x=0:2", "--inputs", "x=a.npy"}, "give either --inputs or --csv, not both"},
      {{"train", "m.so", "--inputs", "x=a.npy", "--columns", "x=0:2"}, "--columns NAME=COLUMNS goes with --csv FILE"},
      {{"train", "m.so", "--inputs", "x=a.npy", "--steps", "3", "--log", "l.csv"}, "--log goes with --data or a table of rows"},
      {{"train", "m.so", "--data", "d", "--steps", "3"}, "--steps goes with --inputs"},
      {{"train", "m.so", "--inputs", "x=a.npy", "--steps", "3", "--epochs", "2"}, "--epochs applies to --data"},
      {{"train", "m.so", "--inputs", "x=a.npy,x=b.npy", "--steps", "3"}, "--inputs gives 'x' twice"},
      {{"train", "m.so", "--inputs", "x", "--steps", "3"}, "--inputs expects NAME=FILE,NAME=FILE,..., not 'x'"},
      {{"predict", "m.so", "--inputs", "x=a.npy"}, "'dl-run predict' needs --out FILE.npy"},
      {{"predict", "m.so", "--out", "p.npy", "--epochs", "2"}, "--epochs does not apply to 'dl-run predict'"},
      {{"info", "m.so", "--seed", "1"}, "--seed does not apply to 'dl-run info'"},
      {{"bench", "m.so", "--warmup", "-1"}, "--warmup needs a non-negative integer, not '-1'"},
      {{"bench", "m.so", "--steps"}, "--steps needs a value"},
      {{"bench", "m.so", "--fast"}, "unknown option '--fast'"},
      {{"info", "m.so", "extra"}, "unexpected argument 'extra'"},
  };
  for (const Case &c : cases) {
    Result r = runDlRun(c.args);
    EXPECT_EQ(r.status, kExitUsage) << r.err;
    EXPECT_THAT(r.err, HasSubstr("dl-run: error: " + c.message)) << testing::PrintToString(c.args);
  }
  Options options;
  std::ostringstream err;
  std::vector<std::string> args = {"dl-run", "train", "m.so", "--inputs", "x=a.npy,y=b.csv", "--inputs=z=c.npy",
                                   "--steps=7", "--seed", "18446744073709551615", "--threads", "2"};
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  ASSERT_TRUE(parseOptions(int(argv.size()), argv.data(), options, err)) << err.str();
  EXPECT_EQ(options.inputs.size(), 3u);
  EXPECT_EQ(options.inputs[1].second, "b.csv");
  EXPECT_EQ(options.steps, 7);
  EXPECT_EQ(options.seed, UINT64_MAX);
  EXPECT_EQ(options.threads, 2);
}

TEST(DlRunOptions, TextFlags) {
  Options options;
  std::ostringstream err;
  std::vector<std::string> args = {"dl-run", "sample", "m.so", "--text", "t.txt", "--prompt", "-- a=b",
                                   "--length=5", "--temperature", ".25"};
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  ASSERT_TRUE(parseOptions(int(argv.size()), argv.data(), options, err)) << err.str();
  EXPECT_EQ(options.text, "t.txt");
  EXPECT_EQ(options.prompt, "-- a=b");
  EXPECT_EQ(options.length, 5);
  EXPECT_EQ(options.temperature, 0.25);
  Options defaults;
  EXPECT_EQ(defaults.length, 200);
  EXPECT_EQ(defaults.temperature, 1.0);
}

TEST_F(DlRunOnToyModel, TrainsOnAnImageDataSet) {
  std::string checkpoint = dir.file("toy.ckpt");
  Result r = runDlRun({"train", model, "--data", dir.path(), "--epochs", "3", "--save", checkpoint});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("data " + dir.path() + ": 69 training and 20 test images of 2x2, 3 classes"));
  EXPECT_THAT(r.out, HasSubstr("train train_step: 8 batches of 8 per epoch (the last 5 samples of each epoch are dropped)"));
  EXPECT_THAT(r.out, HasSubstr("epoch 1/3  loss "));
  EXPECT_THAT(r.out, HasSubstr("epoch 3/3  loss "));
  // Separable classes: every test sample is right, padded batch included.
  EXPECT_THAT(r.out, HasSubstr("train_acc 1.0000  test_acc 1.0000"));
  EXPECT_THAT(r.out, HasSubstr("test accuracy 1.0000\n"));
  EXPECT_THAT(r.out, HasSubstr("checkpoint written to " + checkpoint));
  // Plain progress lines (not a terminal): every batch of an 8-batch epoch.
  EXPECT_THAT(r.err, HasSubstr("epoch 2/3  batch 8/8  loss "));

  // The checkpoint carries the trained model: eval from it is as accurate; the test split's losses
  // are over its two full batches.
  Result e = runDlRun({"eval", model, "--data", dir.path(), "--init", checkpoint});
  ASSERT_EQ(e.status, kExitOk) << e.err;
  EXPECT_THAT(e.out, HasSubstr("eval eval on 20 test samples (losses over the 2 full batches)"));
  EXPECT_THAT(e.out, HasSubstr("accuracy 1.0000 (20/20)"));
  Result untrained = runDlRun({"eval", model, "--data", dir.path()});
  EXPECT_THAT(untrained.out, Not(HasSubstr("accuracy 1.0000")));
}

TEST_F(DlRunOnToyModel, OneSeedGivesOneRun) {
  auto losses = [&](const std::vector<std::string> &extra) {
    std::vector<std::string> args = {"train", model, "--data", dir.path(), "--epochs", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = runDlRun(args);
    EXPECT_EQ(r.status, kExitOk) << r.err;
    std::string lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("epoch", 0) == 0)
        lines += line.substr(0, line.rfind("  ")) + "\n"; // without the seconds
    return lines;
  };
  std::string first = losses({"--seed", "7"});
  EXPECT_EQ(first, losses({"--seed", "7"}));
  EXPECT_NE(first, losses({"--seed", "8"}));
  EXPECT_NE(losses({"--seed", "7", "--no-shuffle"}), first);
}

TEST_F(DlRunOnToyModel, ShapesThatDoNotFitAreNamed) {
  Result r = runDlRun({"train", DL_TOY_MODEL_WIDE, "--data", dir.path()});
  EXPECT_EQ(r.status, kExitError);
  EXPECT_EQ(r.err, "dl-run: error: model input 'x' is f32[8, 100] but the images in " + dir.path() +
                       " are 2x2 = 4 values per sample\n");
  dltest::TempFolder fourClasses;
  writeImages(fourClasses, "train", 16, 4);
  writeImages(fourClasses, "t10k", 8, 4);
  r = runDlRun({"train", model, "--data", fourClasses.path()});
  EXPECT_EQ(r.err, "dl-run: error: model output 'probs' is f32[8, 3] but the labels of " + fourClasses.path() +
                       " are class ids up to 3 (4 classes)\n");
  r = runDlRun({"train", model, "--data", dir.file("absent")});
  EXPECT_EQ(r.status, kExitError);
  EXPECT_THAT(r.err, HasSubstr(dir.file("absent") + ": no such folder"));
  r = runDlRun({"train", model, "--data", dir.path(), "--step", "forward"});
  EXPECT_EQ(r.err, "dl-run: error: entry 'forward' is a forward entry, not a train step\n");
  r = runDlRun({"train", model, "--data", dir.path(), "--step", "disc_step"});
  EXPECT_EQ(r.err, "dl-run: error: model 'toy' has no train step 'disc_step' (its train steps: train_step)\n");
  r = runDlRun({"train", model, "--data", dir.path(), "--limit", "5"});
  EXPECT_EQ(r.err, "dl-run: error: the training split has 5 samples, fewer than one batch of 8\n");
}

TEST_F(DlRunOnToyModel, TrainOnInputsMatchesDirectCalls) {
  // x: three batches, one per step in turn; y: one batch for every step, as i64 (NumPy's default).
  dldata::Array x = floatArray({3, 8, 4}, 0.25f);
  dldata::Array y = dldata::makeArray(dldata::DType::I64, {8});
  for (int i = 0; i < 8; ++i)
    y.data<int64_t>()[i] = (i * 5) % 3;
  std::string error;
  ASSERT_TRUE(dldata::writeNpy(dir.file("x.npy"), x, error)) << error;
  ASSERT_TRUE(dldata::writeNpy(dir.file("y.npy"), y, error)) << error;
  std::string csv = dir.file("losses.csv");
  Result r = runDlRun({"train", model, "--inputs", "x=" + dir.file("x.npy") + ",y=" + dir.file("y.npy"),
                       "--steps", "7", "--losses", csv, "--seed", "3"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("steps 7  loss "));

  // The same steps through the C API: step k takes batch k mod 3; every loss is written exactly.
  dl_library *lib = nullptr;
  dl_instance *inst = nullptr;
  ASSERT_EQ(dl_library_open(model.c_str(), &lib), DL_OK);
  dl_options opts{DL_DEVICE_CPU, 0, 3};
  ASSERT_EQ(dl_instance_create(lib, &opts, &inst), DL_OK);
  std::vector<int32_t> labels(8);
  for (int i = 0; i < 8; ++i)
    labels[i] = int32_t(y.data<int64_t>()[i]);
  std::string expected = "step,loss\n";
  for (int k = 0; k < 7; ++k) {
    const void *inputs[] = {x.data<float>() + (k % 3) * 32, labels.data()};
    float loss = 0;
    void *outputs[] = {&loss};
    ASSERT_EQ(dl_instance_call(inst, "train_step", inputs, 2, outputs, 1), DL_OK);
    char line[64];
    std::snprintf(line, sizeof line, "%d,%.9g\n", k + 1, double(loss));
    expected += line;
  }
  dl_instance_destroy(inst);
  dl_library_close(lib);
  EXPECT_EQ(dltest::readBytes(csv), expected);
}

TEST_F(DlRunOnToyModel, InputFilesThatDoNotFitAreNamed) {
  std::string error;
  ASSERT_TRUE(dldata::writeNpy(dir.file("x.npy"), floatArray({8, 4}, 1), error));
  ASSERT_TRUE(dldata::writeNpy(dir.file("x5.npy"), floatArray({8, 5}, 1), error));
  dir.write("y.csv", "0\n1\n2\n0\n1\n2\n0\n2.5\n");
  dir.write("y-ok.csv", "label\n0\n1\n2\n0\n1\n2\n0\n1\n");
  std::string x = "x=" + dir.file("x.npy");
  Result r = runDlRun({"train", model, "--inputs", x, "--steps", "1"});
  EXPECT_EQ(r.err, "dl-run: error: entry 'train_step' also needs y i32[8]; give it with --inputs NAME=FILE\n");
  r = runDlRun({"train", model, "--inputs", x + ",z=" + dir.file("x.npy"), "--steps", "1"});
  EXPECT_EQ(r.err, "dl-run: error: entry 'train_step' has no input 'z' (its inputs: x f32[8, 4], y i32[8])\n");
  r = runDlRun({"train", model, "--inputs", "x=" + dir.file("x5.npy") + ",y=" + dir.file("y-ok.csv"), "--steps", "1"});
  EXPECT_EQ(r.err, "dl-run: error: " + dir.file("x5.npy") + ": holds f32[8, 5] but input 'x' is f32[8, 4]; give "
                       "[8, 4] (the same every step) or [N, 8, 4] (step k takes batch k mod N)\n");
  r = runDlRun({"train", model, "--inputs", x + ",y=" + dir.file("y.csv"), "--steps", "1"});
  EXPECT_EQ(r.err, "dl-run: error: " + dir.file("y.csv") +
                       ": element 7 is 2.5, not a whole number as i32 needs (input 'y' is i32[8])\n");
  // A CSV column of labels, [8, 1], fits the input [8]; a row of them, [1, 8], too; 4 of them do not.
  r = runDlRun({"train", model, "--inputs", x + ",y=" + dir.file("y-ok.csv"), "--steps", "1"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  dir.write("y-row.csv", "0,1,2,0,1,2,0,1\n");
  r = runDlRun({"train", model, "--inputs", x + ",y=" + dir.file("y-row.csv"), "--steps", "1"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  dir.write("y-short.csv", "0\n1\n2\n0\n");
  r = runDlRun({"train", model, "--inputs", x + ",y=" + dir.file("y-short.csv"), "--steps", "1"});
  EXPECT_THAT(r.err, HasSubstr("holds i32[4, 1] but input 'y' is i32[8]"));
  // An error of the model itself comes with the entry's name and the status.
  dir.write("y-bad.csv", "0\n1\n2\n0\n1\n2\n0\n7\n");
  r = runDlRun({"eval", model, "--inputs", x + ",y=" + dir.file("y-bad.csv")});
  EXPECT_EQ(r.status, kExitError);
  EXPECT_EQ(r.err, "dl-run: error: eval: label 7 of row 7 is not below 3 (invalid argument)\n");
  r = runDlRun({"eval", model, "--data", dir.path(), "--init", dir.file("y.csv")});
  EXPECT_EQ(r.err, "dl-run: error: loading '" + dir.file("y.csv") + "': '" + dir.file("y.csv") +
                       "' is not a checkpoint of the toy model (format error)\n");
}

TEST_F(DlRunOnToyModel, PredictWritesOneRowPerInputRow) {
  // 13 rows: one full batch of 8 and a padded batch of 5.
  dldata::Array x = floatArray({13, 2, 2}, 0.5f);
  std::string error;
  ASSERT_TRUE(dldata::writeNpy(dir.file("x.npy"), x, error));
  std::string out = dir.file("probs.npy");
  Result r = runDlRun({"predict", model, "--inputs", "x=" + dir.file("x.npy"), "--out", out, "--seed", "5"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(r.out, "predict forward: 13 rows -> " + out + " (f32[13, 3])\n");
  dldata::Array probs;
  ASSERT_TRUE(dldata::readNpy(out, probs, error)) << error;
  ASSERT_EQ(probs.shape, (std::vector<int64_t>{13, 3}));

  // Row 12 alone in a zero-padded batch gives the same probabilities as in any batch.
  dl_library *lib = nullptr;
  dl_instance *inst = nullptr;
  ASSERT_EQ(dl_library_open(model.c_str(), &lib), DL_OK);
  dl_options opts{DL_DEVICE_CPU, 0, 5};
  ASSERT_EQ(dl_instance_create(lib, &opts, &inst), DL_OK);
  std::vector<float> batch(32, 0.0f), expected(24);
  std::memcpy(batch.data(), x.data<float>() + 12 * 4, 4 * sizeof(float));
  const void *inputs[] = {batch.data()};
  void *outputs[] = {expected.data()};
  ASSERT_EQ(dl_instance_call(inst, "forward", inputs, 1, outputs, 1), DL_OK);
  dl_instance_destroy(inst);
  dl_library_close(lib);
  for (int c = 0; c < 3; ++c)
    EXPECT_EQ(probs.data<float>()[12 * 3 + c], expected[size_t(c)]);

  ASSERT_TRUE(dldata::writeNpy(dir.file("x3.npy"), floatArray({13, 3}, 0.5f), error));
  r = runDlRun({"predict", model, "--inputs", "x=" + dir.file("x3.npy"), "--out", out});
  EXPECT_EQ(r.err, "dl-run: error: " + dir.file("x3.npy") +
                       ": holds f32[13, 3] but input 'x' is f32[8, 4]; give [rows, ...] with 4 values per row ([4])\n");
}

// A --save (or --plot, --losses) that cannot be written used to be found after the last step,
// losing the trained state; now the run stops before reading the data.
TEST_F(DlRunOnToyModel, TrainChecksWhereItWritesBeforeTraining) {
  std::string missing = dir.file("missing");
  Result r = runDlRun({"train", model, "--data", dir.path(), "--save", missing + "/toy.ckpt"});
  EXPECT_EQ(r.status, kExitError);
  EXPECT_EQ(r.err, "dl-run: error: --save " + missing + "/toy.ckpt: cannot write into the folder " +
                       missing + ": No such file or directory\n");
  EXPECT_EQ(r.out, "");

  r = runDlRun({"train", model, "--data", dir.path(), "--save", dir.path()});
  EXPECT_EQ(r.status, kExitError);
  EXPECT_EQ(r.err, "dl-run: error: --save " + dir.path() + ": is a folder; give a file name\n");

  std::string file = dir.write("file", "x");
  r = runDlRun({"train", model, "--data", dir.path(), "--plot", file + "/loss.png"});
  EXPECT_EQ(r.err, "dl-run: error: --plot " + file + "/loss.png: " + file + " is not a folder\n");

  r = runDlRun({"train", model, "--inputs", "x=x.npy,y=y.npy", "--steps", "2", "--losses",
                missing + "/l.csv"});
  EXPECT_THAT(r.err, HasSubstr("dl-run: error: --losses " + missing + "/l.csv: cannot write into"));

  // A folder without write permission (root writes anyway, so only for others).
  if (::geteuid() != 0) {
    std::string locked = dir.file("locked");
    ASSERT_EQ(::mkdir(locked.c_str(), 0500), 0);
    r = runDlRun({"train", model, "--data", dir.path(), "--save", locked + "/toy.ckpt"});
    EXPECT_EQ(r.err, "dl-run: error: --save " + locked + "/toy.ckpt: cannot write into the folder " +
                         locked + ": Permission denied\n");
    ::chmod(locked.c_str(), 0700);
  }

  // Nothing is left behind by the check, and a writable folder trains and saves.
  std::string checkpoint = dir.file("toy.ckpt");
  r = runDlRun({"train", model, "--data", dir.path(), "--save", checkpoint});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().string().find(".probe."), std::string::npos) << entry.path();
}

TEST_F(DlRunOnToyModel, InfoAndBench) {
  Result r = runDlRun({"info", model});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("model toy (target cpu)\n"));
  EXPECT_THAT(r.out, HasSubstr("  eval (eval)\n    inputs:\n      x f32[8, 4]\n      y i32[8]\n"
                               "    outputs:\n      loss f32[]\n      probs f32[8, 3]\n"));
  EXPECT_THAT(r.out, HasSubstr("params (2, 60 bytes):\n  W f32[4, 3]  48 bytes\n  b f32[3]  12 bytes\n"));
  EXPECT_THAT(r.out, HasSubstr("memory: params 60 bytes, state 4 bytes, workspace 96 bytes\n"));
  r = runDlRun({"bench", model, "--steps", "5", "--warmup", "1"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("bench train_step (train, batch 8): 5 steps after 1 warmup: median "));
  EXPECT_THAT(r.out, HasSubstr(" ms/step, mean "));
  r = runDlRun({"bench", model, "--steps", "2", "--entry", "forward"});
  EXPECT_THAT(r.out, HasSubstr("bench forward (forward, batch 8)"));
}

} // namespace

//===- DescriptorTest.cpp - Reading and checking model descriptors ===//
//
// A small valid descriptor, its C view, and one broken variant per check parseDescriptor makes,
// each with the message it must give.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Descriptor.h"

#include <gtest/gtest.h>

namespace dl::rt {
namespace {

const std::string kValid = R"({"format": "dlc-model", "version": 1, "name": "m", "target": "cpu",
 "param_bytes": 24, "state_bytes": 4, "workspace_bytes": 128,
 "state": [
  {"name": "w", "kind": "param", "dtype": "f32", "shape": [2, 3], "offset": 0, "bytes": 24,
   "init": "he_normal", "init_args": {"fan_in": 2, "fan_out": 3}, "init_stream": 2147483648},
  {"name": "n", "kind": "buffer", "dtype": "i32", "shape": [], "offset": 64, "bytes": 4,
   "init": "zeros", "init_args": {}, "init_stream": 2147483649}
 ],
 "entries": [{"name": "f", "kind": "eval",
              "inputs": [{"name": "x", "dtype": "f32", "shape": [4, 2]}],
              "outputs": [{"name": "y", "dtype": "bool", "shape": [4]}]}],
 "buffers": [
  {"kind": "state", "offset": 0, "dtype": "f32", "shape": [2, 3]},
  {"kind": "arena", "offset": 64, "dtype": "f32", "shape": [4, 3]},
  {"kind": "input", "entry": 0, "index": 0, "dtype": "f32", "shape": [8]},
  {"kind": "output", "entry": 0, "index": 0, "dtype": "bool", "shape": [4]}
 ]})";

/// `text` with the first occurrence of `from` replaced by `to`.
std::string replaced(const std::string &text, const std::string &from, const std::string &to) {
  size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "the descriptor lacks " << from;
    return text;
  }
  return text.substr(0, at) + to + text.substr(at + from.size());
}

std::string variant(const std::string &from, const std::string &to) {
  return replaced(kValid, from, to);
}

std::string errorOf(const std::string &text) {
  std::string error;
  std::unique_ptr<ModelDescription> model = parseDescriptor(text.c_str(), error);
  EXPECT_FALSE(model) << "accepted: " << text;
  return error;
}

TEST(DescriptorTest, ValidDescriptorAndItsCView) {
  std::string error;
  std::unique_ptr<ModelDescription> model = parseDescriptor(kValid.c_str(), error);
  ASSERT_TRUE(model) << error;
  EXPECT_EQ(model->stateBlockBytes, 128u) << "the end of 'n' (68) rounded up to 64";
  ASSERT_EQ(model->states.size(), 2u);
  EXPECT_EQ(model->states[0].init.stream, 2147483648u);
  EXPECT_EQ(model->states[0].init.args.at("fan_out"), 3.0);
  ASSERT_EQ(model->buffers.size(), 4u);
  EXPECT_EQ(model->buffers[2].kind, BufferKind::Input);
  EXPECT_EQ(model->buffers[2].bytes, 32u);

  const dl_model_info &info = model->info;
  EXPECT_STREQ(info.name, "m");
  EXPECT_STREQ(info.target, "cpu");
  EXPECT_EQ(info.param_bytes, 24u);
  EXPECT_EQ(info.state_bytes, 4u);
  EXPECT_EQ(info.workspace_bytes, 128u);
  ASSERT_EQ(info.n_params, 1);
  ASSERT_EQ(info.n_buffers, 1);
  EXPECT_STREQ(info.params[0].name, "w");
  EXPECT_STREQ(info.buffers[0].name, "n");
  EXPECT_EQ(info.buffers[0].rank, 0);
  EXPECT_EQ(info.buffers[0].dtype, DL_I32);
  ASSERT_EQ(info.n_entries, 1);
  EXPECT_EQ(info.entries[0].kind, DL_ENTRY_EVAL);
  EXPECT_STREQ(info.entries[0].outputs[0].name, "y");
  EXPECT_EQ(info.entries[0].outputs[0].dtype, DL_BOOL);
  EXPECT_EQ(info.entries[0].outputs[0].bytes, 4u);
  EXPECT_EQ(model->stateIndexOf(&info.buffers[0]), 1u);
  EXPECT_EQ(model->findState("n"), &model->states[1]);
  EXPECT_EQ(model->findState("x"), nullptr);
}

TEST(DescriptorTest, RejectsForeignDocuments) {
  EXPECT_EQ(errorOf("{\"format\": "), "the model descriptor is not valid JSON: at byte 11: "
                                      "unexpected end of input");
  EXPECT_EQ(errorOf("[]"), "the model descriptor is not a JSON object");
  EXPECT_EQ(errorOf(variant("\"dlc-model\"", "\"onnx\"")),
            "descriptor: format 'onnx' is not 'dlc-model'");
  EXPECT_EQ(errorOf(variant("\"version\": 1", "\"version\": 2")),
            "descriptor: version 2 (this runtime reads version 1)");
  EXPECT_EQ(errorOf(variant("\"target\"", "\"targt\"")), "descriptor: missing key 'target'");
  EXPECT_EQ(errorOf(variant("\"cpu\"", "\"tpu\"")),
            "descriptor: target 'tpu' is not 'cpu', 'cuda' or 'cpu,cuda'");
  EXPECT_EQ(errorOf(variant("\"workspace_bytes\": 128", "\"workspace_bytes\": \"128\"")),
            "descriptor: 'workspace_bytes' is a string, not a number");
  EXPECT_EQ(errorOf(variant("\"param_bytes\": 24", "\"param_bytes\": -24")),
            "descriptor: 'param_bytes' must be an integer in [0, 281474976710656]");
  std::string error;
  EXPECT_FALSE(parseDescriptor(nullptr, error));
  EXPECT_EQ(error, "the model has no descriptor");
}

TEST(DescriptorTest, ChecksStateTensors) {
  EXPECT_EQ(errorOf(variant("\"bytes\": 24", "\"bytes\": 20")),
            "state[0] 'w': 'bytes' is 20, but f32[2, 3] takes 24");
  EXPECT_EQ(errorOf(variant("\"dtype\": \"f32\", \"shape\": [2, 3], \"offset\"",
                            "\"dtype\": \"f16\", \"shape\": [2, 3], \"offset\"")),
            "state[0] 'w': unknown dtype 'f16' (f32, i32 or bool)");
  EXPECT_EQ(errorOf(variant("\"shape\": [2, 3], \"offset\"", "\"shape\": [-2, 3], \"offset\"")),
            "state[0] 'w': 'shape' holds something other than a non-negative integer");
  EXPECT_EQ(errorOf(variant("\"shape\": [2, 3], \"offset\"", "\"shape\": [2.5, 3], \"offset\"")),
            "state[0] 'w': 'shape' holds something other than a non-negative integer");
  EXPECT_EQ(errorOf(variant("\"offset\": 64, \"bytes\": 4", "\"offset\": 32, \"bytes\": 4")),
            "state[1] 'n': 'offset' 32 is not a multiple of 64");
  EXPECT_EQ(errorOf(variant("\"shape\": [2, 3], \"offset\": 0, \"bytes\": 24",
                            "\"shape\": [5, 4], \"offset\": 0, \"bytes\": 80")),
            "descriptor: state 'n' at offset 64 overlaps 'w'");
  EXPECT_EQ(errorOf(variant("\"name\": \"n\"", "\"name\": \"w\"")),
            "state[1] 'w': a second state tensor of this name");
  EXPECT_EQ(errorOf(variant("\"name\": \"n\"", "\"name\": \"\"")), "state[1] '': empty name");
  EXPECT_EQ(errorOf(replaced(variant("\"kind\": \"buffer\"", "\"kind\": \"param\""),
                             "\"kind\": \"param\"", "\"kind\": \"buffer\"")),
            "state[1] 'n': a param after a buffer (params come first)");
  EXPECT_EQ(errorOf(variant("\"kind\": \"param\"", "\"kind\": \"weight\"")),
            "state[0] 'w': kind 'weight' is not 'param', 'buffer', 'optimizer' or 'gradient'");
  EXPECT_EQ(errorOf(variant("\"init_stream\": 2147483648", "\"init_stream\": 4294967296")),
            "state[0] 'w': 'init_stream' must be an integer in [0, 4294967295]");
}

TEST(DescriptorTest, ChecksInitializers) {
  EXPECT_EQ(errorOf(variant("\"he_normal\"", "\"kaiming\"")),
            "state[0] 'w': unknown initializer 'kaiming'");
  EXPECT_EQ(errorOf(variant("{\"fan_in\": 2, \"fan_out\": 3}", "{\"fan_in\": 2}")),
            "state[0] 'w': initializer 'he_normal' needs argument 'fan_out'");
  EXPECT_EQ(errorOf(variant("{\"fan_in\": 2, \"fan_out\": 3}", "{\"fan_in\": \"2\", \"fan_out\": 3}")),
            "state[0] 'w': init_args 'fan_in' is not a number");
  EXPECT_EQ(errorOf(variant("\"init\": \"zeros\", \"init_args\": {}",
                            "\"init\": \"normal\", \"init_args\": {\"mean\": 0, \"std\": 1}")),
            "state[1] 'n': initializer 'normal' draws floats, but the tensor is i32");
  EXPECT_EQ(errorOf(variant("\"init\": \"zeros\", \"init_args\": {}",
                            "\"init\": \"constant\", \"init_args\": {\"value\": 0.5}")),
            "state[1] 'n': constant 0.500000 is not an i32 value");
  EXPECT_EQ(errorOf(variant("\"init\": \"he_normal\", \"init_args\": {\"fan_in\": 2, \"fan_out\": 3}",
                            "\"init\": \"sinusoidal\", \"init_args\": {}")
                        .replace(kValid.find("[2, 3]"), 6, "[6]")),
            "state[0] 'w': sinusoidal needs a [positions, dim] table, not rank 1");
  EXPECT_EQ(errorOf(variant("\"init_args\": {}", "\"init_args\": []")),
            "state[1] 'n': 'init_args' is an array, not an object");
}

TEST(DescriptorTest, ChecksEntriesAndBuffers) {
  EXPECT_EQ(errorOf(variant("\"kind\": \"eval\"", "\"kind\": \"backward\"")),
            "entries[0] 'f': kind 'backward' is not 'forward', 'eval', 'train', 'grad' or 'apply'");
  EXPECT_EQ(errorOf(variant("\"outputs\": [{", "\"outputs\": [7, {")),
            "entries[0] 'f': outputs[0] is not an object");
  EXPECT_EQ(errorOf(variant("{\"kind\": \"arena\", \"offset\": 64",
                            "{\"kind\": \"arena\", \"offset\": 128")),
            "buffers[1]: bytes [128, 176) lie outside the workspace of 128 bytes");
  EXPECT_EQ(errorOf(variant("{\"kind\": \"arena\", \"offset\": 64",
                            "{\"kind\": \"arena\", \"offset\": 65")),
            "buffers[1]: 'offset' 65 is not a multiple of 64");
  EXPECT_EQ(errorOf(variant("\"offset\": 0, \"dtype\": \"f32\", \"shape\": [2, 3]}",
                            "\"offset\": 0, \"dtype\": \"f32\", \"shape\": [2, 30]}")),
            "buffers[0]: bytes [0, 240) lie outside the state block of 128 bytes");
  EXPECT_EQ(errorOf(variant("\"index\": 0, \"dtype\": \"f32\"", "\"index\": 0, \"dtype\": \"i32\"")),
            "buffers[2]: i32[8] does not match input 'x' of entry 'f', f32[4, 2]");
  EXPECT_EQ(errorOf(variant("\"dtype\": \"f32\", \"shape\": [8]", "\"dtype\": \"f32\", \"shape\": [9]")),
            "buffers[2]: f32[9] does not match input 'x' of entry 'f', f32[4, 2]");
  EXPECT_EQ(errorOf(variant("\"kind\": \"output\", \"entry\": 0, \"index\": 0",
                            "\"kind\": \"output\", \"entry\": 0, \"index\": 1")),
            "buffers[3]: entry 'f' has no output 1");
  EXPECT_EQ(errorOf(variant("\"kind\": \"output\", \"entry\": 0", "\"kind\": \"output\", \"entry\": 1")),
            "buffers[3]: entry 1 does not exist");
  EXPECT_EQ(errorOf(variant("{\"kind\": \"arena\", \"offset\": 64, \"dtype\": \"f32\", \"shape\": [4, 3]}",
                            "{\"kind\": \"arena\", \"offset\": 0, \"dtype\": \"bool\", \"shape\": [65536, 65536]}")),
            "buffers[1]: more elements than a Halide buffer can index");
  EXPECT_EQ(errorOf(variant("{\"kind\": \"arena\"", "{\"kind\": \"scratch\"")),
            "buffers[1]: kind 'scratch' is not 'arena', 'state', 'input', 'output' or 'view'");
}

// A view: the rows of an arena buffer a loop's steps read or write, one window per step.
std::string withView(const std::string &view) {
  return variant("\"dtype\": \"bool\", \"shape\": [4]}\n ]",
                 "\"dtype\": \"bool\", \"shape\": [4]},\n  " + view + "\n ]");
}

TEST(DescriptorTest, ChecksViews) {
  const std::string rows = R"({"kind": "view", "parent": 1, "offset": 0, "stride": 12, "steps": 4, )"
                           R"("dtype": "f32", "shape": [3]})";
  std::string error;
  std::unique_ptr<ModelDescription> model = parseDescriptor(withView(rows).c_str(), error);
  ASSERT_TRUE(model) << error;
  const BufferSpec &view = model->buffers[4];
  EXPECT_EQ(view.kind, BufferKind::View);
  EXPECT_EQ(view.parent, 1);
  EXPECT_EQ(view.stride, 12);
  EXPECT_EQ(view.steps, 4);
  // Backwards, as a reverse loop walks: from the last row down to the first.
  EXPECT_TRUE(parseDescriptor(withView(replaced(replaced(rows, "\"offset\": 0", "\"offset\": 36"),
                                                "\"stride\": 12", "\"stride\": -12"))
                                  .c_str(),
                              error))
      << error;

  EXPECT_EQ(errorOf(withView(replaced(rows, "\"steps\": 4", "\"steps\": 5"))),
            "buffers[4]: its 5 windows of 12 bytes at 0 + 12*t leave parent 1 of 48 bytes");
  EXPECT_EQ(errorOf(withView(replaced(rows, "\"stride\": 12", "\"stride\": -12"))),
            "buffers[4]: its 4 windows of 12 bytes at 0 + -12*t leave parent 1 of 48 bytes");
  EXPECT_EQ(errorOf(withView(replaced(rows, "\"stride\": 12", "\"stride\": 4611686018427387904"))),
            "buffers[4]: its 4 windows of 12 bytes at 0 + 4611686018427387904*t leave parent 1 of 48 "
            "bytes");
  EXPECT_EQ(errorOf(withView(replaced(rows, "\"parent\": 1", "\"parent\": 4"))),
            "buffers[4]: 'parent' 4 is not an earlier buffer that is not a view");
}

// A training step split at its gradient: train, grad and apply entries sharing one gradient area
// (count, loss, then the gradient of w) in the state block.
const std::string kTraining = R"({"format": "dlc-model", "version": 1, "name": "m", "target": "cpu",
 "param_bytes": 64, "state_bytes": 192, "workspace_bytes": 0,
 "state": [
  {"name": "w", "kind": "param", "dtype": "f32", "shape": [4], "offset": 0, "bytes": 16,
   "init": "zeros", "init_args": {}, "init_stream": 2147483648},
  {"name": "s.grad.count", "kind": "gradient", "dtype": "f32", "shape": [], "offset": 64,
   "bytes": 4, "init": "zeros", "init_args": {}, "init_stream": 2147483649},
  {"name": "s.grad.loss", "kind": "gradient", "dtype": "f32", "shape": [], "offset": 128,
   "bytes": 4, "init": "zeros", "init_args": {}, "init_stream": 2147483650},
  {"name": "s.grad.w", "kind": "gradient", "dtype": "f32", "shape": [4], "offset": 192,
   "bytes": 16, "init": "zeros", "init_args": {}, "init_stream": 2147483651},
  {"name": "s.count", "kind": "optimizer", "dtype": "i32", "shape": [], "offset": 256,
   "bytes": 4, "init": "zeros", "init_args": {}, "init_stream": 2147483652}
 ],
 "entries": [
  {"name": "s", "kind": "train", "step": "s", "accumulate": 2, "grad_offset": 64, "grad_bytes": 192,
   "inputs": [{"name": "x", "dtype": "f32", "shape": [4]}],
   "outputs": [{"name": "loss", "dtype": "f32", "shape": []}]},
  {"name": "s_grad", "kind": "grad", "step": "s", "grad_offset": 64, "grad_bytes": 192,
   "inputs": [{"name": "x", "dtype": "f32", "shape": [4]}],
   "outputs": [{"name": "loss", "dtype": "f32", "shape": []}]},
  {"name": "s_apply", "kind": "apply", "step": "s", "grad_offset": 64, "grad_bytes": 192,
   "inputs": [], "outputs": [{"name": "loss", "dtype": "f32", "shape": []}]}
 ],
 "buffers": []})";

std::string trainingVariant(const std::string &from, const std::string &to) {
  return replaced(kTraining, from, to);
}

TEST(DescriptorTest, LinksTrainingStepsToTheirGradientArea) {
  std::string error;
  std::unique_ptr<ModelDescription> model = parseDescriptor(kTraining.c_str(), error);
  ASSERT_TRUE(model) << error;
  const EntrySpec &train = model->entries[0];
  EXPECT_EQ(train.gradEntry, 1);
  EXPECT_EQ(train.applyEntry, 2);
  EXPECT_EQ(train.accumulate, 2);
  EXPECT_EQ(model->states[1].role, StateRole::Gradient);
  EXPECT_FALSE(model->states[1].saved());
  EXPECT_EQ(model->states[4].role, StateRole::Optimizer);
  EXPECT_TRUE(model->states[4].saved());
  EXPECT_EQ(model->info.entries[2].kind, DL_ENTRY_APPLY);
  EXPECT_EQ(model->info.entries[0].grad_offset, 64u);
  EXPECT_EQ(model->info.entries[0].grad_bytes, 192u);
  EXPECT_EQ(model->info.n_buffers, 4) << "gradient and optimizer state are buffers of the C view";

  EXPECT_EQ(errorOf(trainingVariant("\"name\": \"s_apply\", \"kind\": \"apply\", \"step\": \"s\"",
                                    "\"name\": \"s_apply\", \"kind\": \"apply\", \"step\": \"t\"")),
            "descriptor: entry 's': its step 's' lacks a grad or apply entry");
  EXPECT_EQ(errorOf(trainingVariant("\"grad_offset\": 64, \"grad_bytes\": 192,\n   \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [4]}],\n   \"outputs\": [{\"name\": \"loss\", \"dtype\": \"f32\", \"shape\": []}]},\n  {\"name\": \"s_apply\"",
                                    "\"grad_offset\": 128, \"grad_bytes\": 128,\n   \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [4]}],\n   \"outputs\": [{\"name\": \"loss\", \"dtype\": \"f32\", \"shape\": []}]},\n  {\"name\": \"s_apply\"")),
            "descriptor: entry 's_grad': its gradient area differs from that of 's'");
  EXPECT_EQ(errorOf(trainingVariant("\"accumulate\": 2, \"grad_offset\": 64", "\"accumulate\": 2, \"grad_offset\": 65")),
            "entries[0] 's': the gradient area (offset 65, 192 bytes) is not 64-byte aligned");
  EXPECT_EQ(errorOf(trainingVariant("\"accumulate\": 2", "\"accumulate\": 0")),
            "entries[0] 's': 'accumulate' must be an integer in [1, 65536]");
  EXPECT_EQ(errorOf(trainingVariant("\"accumulate\": 2, \"grad_offset\": 64, \"grad_bytes\": 192",
                                    "\"accumulate\": 2, \"grad_offset\": 64, \"grad_bytes\": 1024")),
            "descriptor: entry 's': its gradient area ends at byte 1088, past the state block's 320");
  EXPECT_EQ(errorOf(trainingVariant("\"name\": \"s_grad\", \"kind\": \"grad\", \"step\": \"s\", \"grad_offset\": 64, \"grad_bytes\": 192,\n   \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [4]}]",
                                    "\"name\": \"s_grad\", \"kind\": \"grad\", \"step\": \"s\", \"grad_offset\": 64, \"grad_bytes\": 192,\n   \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [8]}]")),
            "descriptor: entry 's': its grad and apply entries do not take its inputs and return its loss");
  EXPECT_EQ(errorOf(trainingVariant("\"name\": \"s_grad\", \"kind\": \"grad\", \"step\": \"s\"",
                                    "\"name\": \"s_grad\", \"kind\": \"forward\", \"step\": \"s\"")),
            "entries[1] 's_grad': a forward entry has a training step or gradient area");
}

TEST(DescriptorTest, ReadsSplitTrainEntries) {
  std::string error;
  std::unique_ptr<ModelDescription> fused = parseDescriptor(kTraining.c_str(), error);
  ASSERT_TRUE(fused) << error;
  EXPECT_FALSE(fused->entries[0].split) << "absent, the key means a fused step";
  std::unique_ptr<ModelDescription> split = parseDescriptor(
      trainingVariant("\"accumulate\": 2,", "\"accumulate\": 2, \"split\": true,").c_str(), error);
  ASSERT_TRUE(split) << error;
  EXPECT_TRUE(split->entries[0].split);
  EXPECT_EQ(split->entries[0].gradEntry, 1);
  EXPECT_EQ(split->entries[0].applyEntry, 2);

  EXPECT_EQ(errorOf(trainingVariant("\"accumulate\": 2,", "\"accumulate\": 2, \"split\": 1,")),
            "entries[0] 's': 'split' is a number, not a boolean");
  EXPECT_EQ(errorOf(trainingVariant("\"kind\": \"grad\", \"step\": \"s\",",
                                    "\"kind\": \"grad\", \"step\": \"s\", \"split\": true,")),
            "entries[1] 's_grad': a split entry that is no train entry with a gradient area");
  EXPECT_EQ(errorOf(trainingVariant(
                "\"accumulate\": 2, \"grad_offset\": 64, \"grad_bytes\": 192,",
                "\"split\": true,")),
            "entries[0] 's': a split entry that is no train entry with a gradient area");
}

} // namespace
} // namespace dl::rt

//===- ToyModel.cpp - A hand-written model.so for testing dl-run ----------===//
//
// A model library that implements the loader's contract (dl_model_api_v1 in dl/model_abi.h) by
// hand, so dl-run can be tested end to end without the compiler: softmax regression on
// TOY_FEATURES inputs and 3 classes, batch 8, trained by plain SGD (lr 0.5) on the mean
// cross-entropy. Its entries mirror what dlc emits for such a model:
//   train_step (train)   x f32[8, F], y i32[8]  -> loss f32[]
//   forward    (forward) x f32[8, F]            -> probs f32[8, 3]
//   eval       (eval)    x f32[8, F], y i32[8]  -> loss f32[], probs f32[8, 3]
// Parameters W f32[F, 3] (drawn from the seed with a fixed generator) and b f32[3]; one buffer,
// the step counter. Checkpoints are a private raw format (magic, step, W, b): dl-run only passes
// the file names through. Built once with F = 4 (2x2 images) and once with F = 100, the model whose
// input does not fit the test data.
//
//===----------------------------------------------------------------------===//
#include "dl/model_abi.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#ifndef TOY_FEATURES
#define TOY_FEATURES 4
#endif

namespace {

constexpr int kBatch = 8, kFeatures = TOY_FEATURES, kClasses = 3;
constexpr float kLearningRate = 0.5f;
constexpr uint32_t kCheckpointMagic = 0x594f5421; // "!TOY"

const int64_t kShapeX[] = {kBatch, kFeatures};
const int64_t kShapeY[] = {kBatch};
const int64_t kShapeProbs[] = {kBatch, kClasses};
const int64_t kShapeW[] = {kFeatures, kClasses};
const int64_t kShapeB[] = {kClasses};

const dl_tensor_info kInputs[] = {
    {"x", DL_F32, 2, kShapeX, sizeof(float) * kBatch * kFeatures},
    {"y", DL_I32, 1, kShapeY, sizeof(int32_t) * kBatch},
};
const dl_tensor_info kLoss = {"loss", DL_F32, 0, nullptr, sizeof(float)};
const dl_tensor_info kProbs = {"probs", DL_F32, 2, kShapeProbs, sizeof(float) * kBatch * kClasses};
const dl_tensor_info kEvalOutputs[] = {kLoss, kProbs};
const dl_entry_info kEntries[] = {
    {"train_step", DL_ENTRY_TRAIN, 2, kInputs, 1, &kLoss},
    {"forward", DL_ENTRY_FORWARD, 1, kInputs, 1, &kProbs},
    {"eval", DL_ENTRY_EVAL, 2, kInputs, 2, kEvalOutputs},
};
const dl_tensor_info kParams[] = {
    {"W", DL_F32, 2, kShapeW, sizeof(float) * kFeatures * kClasses},
    {"b", DL_F32, 1, kShapeB, sizeof(float) * kClasses},
};
const dl_tensor_info kBuffers[] = {{"step", DL_I32, 0, nullptr, sizeof(int32_t)}};
const dl_model_info kInfo = {"toy", "cpu", 3, kEntries, 2, kParams, 1, kBuffers,
                             sizeof(float) * (kFeatures * kClasses + kClasses), sizeof(int32_t),
                             sizeof(float) * kBatch * kClasses};

thread_local std::string creationError;

} // namespace

struct dlrt_instance {
  float W[kFeatures * kClasses];
  float b[kClasses];
  int32_t step = 0;
  std::map<std::string, std::string> metadata; ///< Kept in memory only: toy checkpoints lack it.
  std::string error;
};

namespace {

dl_status failWith(dlrt_instance *inst, dl_status status, std::string message) {
  inst->error = std::move(message);
  return status;
}

/// Softmax probabilities of each row of x.
void forward(const dlrt_instance *inst, const float *x, float *probs) {
  for (int r = 0; r < kBatch; ++r) {
    float logits[kClasses], top = -INFINITY, sum = 0;
    for (int c = 0; c < kClasses; ++c) {
      logits[c] = inst->b[c];
      for (int f = 0; f < kFeatures; ++f)
        logits[c] += x[r * kFeatures + f] * inst->W[f * kClasses + c];
      top = std::fmax(top, logits[c]);
    }
    for (int c = 0; c < kClasses; ++c)
      sum += probs[r * kClasses + c] = std::exp(logits[c] - top);
    for (int c = 0; c < kClasses; ++c)
      probs[r * kClasses + c] /= sum;
  }
}

/// The mean cross-entropy of probs against y; false (with a message) on a label out of range.
bool crossEntropy(dlrt_instance *inst, const float *probs, const int32_t *y, float &loss) {
  loss = 0;
  for (int r = 0; r < kBatch; ++r) {
    if (y[r] < 0 || y[r] >= kClasses) {
      inst->error = "label " + std::to_string(y[r]) + " of row " + std::to_string(r) + " is not below 3";
      return false;
    }
    loss -= std::log(probs[r * kClasses + y[r]]) / kBatch;
  }
  return true;
}

void sgdStep(dlrt_instance *inst, const float *x, const float *probs, const int32_t *y) {
  float gradW[kFeatures * kClasses] = {}, gradB[kClasses] = {};
  for (int r = 0; r < kBatch; ++r)
    for (int c = 0; c < kClasses; ++c) {
      float d = (probs[r * kClasses + c] - (y[r] == c ? 1.0f : 0.0f)) / kBatch;
      gradB[c] += d;
      for (int f = 0; f < kFeatures; ++f)
        gradW[f * kClasses + c] += x[r * kFeatures + f] * d;
    }
  for (int i = 0; i < kFeatures * kClasses; ++i)
    inst->W[i] -= kLearningRate * gradW[i];
  for (int c = 0; c < kClasses; ++c)
    inst->b[c] -= kLearningRate * gradB[c];
}

const dl_model_info *info() { return &kInfo; }

dl_status create(const dl_options *options, dlrt_instance **out) {
  *out = nullptr;
  if (options && options->device != DL_DEVICE_CPU) {
    creationError = "the toy model runs on the CPU only";
    return DL_ERR_DEVICE;
  }
  auto *inst = new dlrt_instance;
  // A 64-bit LCG keyed by the seed: small weights in [-0.1, 0.1).
  uint64_t state = (options ? options->seed : 0) * 6364136223846793005ull + 1442695040888963407ull;
  for (float &w : inst->W) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    w = float(double(state >> 11) / double(1ull << 53) * 0.2 - 0.1);
  }
  std::memset(inst->b, 0, sizeof inst->b);
  *out = inst;
  return DL_OK;
}

void destroy(dlrt_instance *inst) { delete inst; }

dl_status call(dlrt_instance *inst, int32_t entry, const void *const *inputs, int32_t nInputs,
               void *const *outputs, int32_t nOutputs) {
  if (entry < 0 || entry >= kInfo.n_entries)
    return failWith(inst, DL_ERR_INVALID_ARGUMENT, "no entry " + std::to_string(entry));
  const dl_entry_info &e = kEntries[entry];
  if (nInputs != e.n_inputs || nOutputs != e.n_outputs)
    return failWith(inst, DL_ERR_INVALID_ARGUMENT, std::string(e.name) + ": wrong number of inputs or outputs");
  const float *x = static_cast<const float *>(inputs[0]);
  float probs[kBatch * kClasses];
  forward(inst, x, probs);
  if (entry == 1) {
    std::memcpy(outputs[0], probs, sizeof probs);
    return DL_OK;
  }
  const int32_t *y = static_cast<const int32_t *>(inputs[1]);
  float loss;
  if (!crossEntropy(inst, probs, y, loss))
    return DL_ERR_INVALID_ARGUMENT;
  *static_cast<float *>(outputs[0]) = loss;
  if (entry == 2) {
    std::memcpy(outputs[1], probs, sizeof probs);
    return DL_OK;
  }
  sgdStep(inst, x, probs, y);
  ++inst->step;
  return DL_OK;
}

dl_status tensor(dlrt_instance *inst, const char *name, void **data, const dl_tensor_info **tensorInfo) {
  if (std::strcmp(name, "W") == 0) {
    *data = inst->W;
    *tensorInfo = &kParams[0];
  } else if (std::strcmp(name, "b") == 0) {
    *data = inst->b;
    *tensorInfo = &kParams[1];
  } else {
    return failWith(inst, DL_ERR_INVALID_ARGUMENT, std::string("no tensor '") + name + "'");
  }
  return DL_OK;
}

dl_status save(dlrt_instance *inst, const char *path) {
  std::FILE *f = std::fopen(path, "wb");
  if (!f)
    return failWith(inst, DL_ERR_IO, std::string("cannot write '") + path + "'");
  bool ok = std::fwrite(&kCheckpointMagic, 4, 1, f) == 1 && std::fwrite(&inst->step, 4, 1, f) == 1 &&
            std::fwrite(inst->W, sizeof inst->W, 1, f) == 1 && std::fwrite(inst->b, sizeof inst->b, 1, f) == 1;
  ok = std::fclose(f) == 0 && ok;
  return ok ? DL_OK : failWith(inst, DL_ERR_IO, std::string("cannot write '") + path + "'");
}

dl_status load(dlrt_instance *inst, const char *path) {
  std::FILE *f = std::fopen(path, "rb");
  if (!f)
    return failWith(inst, DL_ERR_IO, std::string("cannot open checkpoint '") + path + "'");
  uint32_t magic = 0;
  dlrt_instance loaded;
  bool ok = std::fread(&magic, 4, 1, f) == 1 && magic == kCheckpointMagic &&
            std::fread(&loaded.step, 4, 1, f) == 1 && std::fread(loaded.W, sizeof loaded.W, 1, f) == 1 &&
            std::fread(loaded.b, sizeof loaded.b, 1, f) == 1;
  std::fclose(f);
  if (!ok)
    return failWith(inst, DL_ERR_FORMAT, std::string("'") + path + "' is not a checkpoint of the toy model");
  inst->step = loaded.step;
  std::memcpy(inst->W, loaded.W, sizeof loaded.W);
  std::memcpy(inst->b, loaded.b, sizeof loaded.b);
  return DL_OK;
}

uint64_t step(const dlrt_instance *inst) { return uint64_t(inst->step); }
const char *lastError(const dlrt_instance *inst) { return inst->error.c_str(); }
const char *creationErrorText() { return creationError.c_str(); }

dl_status setMetadata(dlrt_instance *inst, const char *key, const char *value) {
  if (value)
    inst->metadata[key] = value;
  else
    inst->metadata.erase(key);
  return DL_OK;
}

const char *metadata(const dlrt_instance *inst, const char *key) {
  auto found = inst->metadata.find(key);
  return found == inst->metadata.end() ? nullptr : found->second.c_str();
}

// The toy model has no grad/apply split: it trains in one process only.
dl_status setCommunicator(dlrt_instance *inst, const dl_communicator *comm) {
  if (!comm)
    return DL_OK;
  return failWith(inst, DL_ERR_INVALID_ARGUMENT, "the toy model trains in one process only");
}

dl_status gradients(dlrt_instance *inst, int32_t, float **, size_t *) {
  return failWith(inst, DL_ERR_INVALID_ARGUMENT, "the toy model has no gradient area");
}

const dl_model_api kApi = {DL_MODEL_ABI_VERSION, info,     create, destroy, call,
                           tensor,               save,     load,   step,    lastError,
                           creationErrorText,    setMetadata, metadata, setCommunicator,
                           gradients};

} // namespace

extern "C" __attribute__((visibility("default"))) const dl_model_api *dl_model_api_v1(void) { return &kApi; }

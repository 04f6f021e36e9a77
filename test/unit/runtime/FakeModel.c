/*===- FakeModel.c - A hand-written stand-in for dlc's glue, for runtime tests ===*
 *
 * Defines what the glue of a compiled model defines (dl/model_abi.h): the JSON descriptor and one
 * entry function per entry, here plain C loops over the runtime's halide_buffer_t's instead of
 * Halide kernels. The test build links it like dlc links a model.so (whole libdlrt.a, a Halide
 * runtime object, -Wl,--no-undefined), and RuntimeTest drives it through the loader.
 *
 * The model: y = x W + b on x f32[2, 4], W f32[4, 3], b f32[3]. "train_step" takes a target
 * f32[2, 3], returns the mean squared error, and updates W with momentum 0.9 and learning rate 0.1
 * (velocity in the buffer "dense.W.velocity") and b with plain SGD; it also counts its calls in
 * "count" and records the (step, seed) it was called with in "seen". The other parameters exist to
 * exercise every initializer. "explode" and "explode_on_worker" fail the way a Halide kernel does,
 * on the calling thread and on another thread. "thread_count" reports the size of the Halide
 * runtime's thread pool.
 *
 * Every entry first checks that the runtime built each buffer as the descriptor says (type, rank,
 * extents, dense strides with dimension 0 innermost, host memory present); a mismatch fails the
 * entry with a message that the test sees.
 *===----------------------------------------------------------------------===*/
#include "dl/model_abi.h"

#include <HalideRuntime.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define STREAM(k) "\"init_stream\": " #k

const char dl_model_descriptor[] =
    "{ \"format\": \"dlc-model\", \"version\": 1, \"name\": \"fake\", \"target\": \"cpu\",\n"
    "  \"param_bytes\": 528, \"state_bytes\": 63, \"workspace_bytes\": 64,\n"
    "  \"state\": [\n"
    "    {\"name\": \"dense.W\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [4, 3],"
    "     \"offset\": 0, \"bytes\": 48, \"init\": \"he_normal\","
    "     \"init_args\": {\"fan_in\": 4, \"fan_out\": 3}, \"init_stream\": 2147483648},\n"
    "    {\"name\": \"dense.b\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [3],"
    "     \"offset\": 64, \"bytes\": 12, \"init\": \"constant\","
    "     \"init_args\": {\"value\": 0.5}, \"init_stream\": 2147483649},\n"
    "    {\"name\": \"emb\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [5, 4],"
    "     \"offset\": 128, \"bytes\": 80, \"init\": \"normal\","
    "     \"init_args\": {\"mean\": 1, \"std\": 0.25}, \"init_stream\": 2147483650},\n"
    "    {\"name\": \"proj\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [3, 6],"
    "     \"offset\": 256, \"bytes\": 72, \"init\": \"xavier_uniform\","
    "     \"init_args\": {\"fan_in\": 6, \"fan_out\": 3, \"gain\": 2.0}, \"init_stream\": 2147483651},\n"
    "    {\"name\": \"u\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [7],"
    "     \"offset\": 384, \"bytes\": 28, \"init\": \"uniform\","
    "     \"init_args\": {\"lo\": -2, \"hi\": 3}, \"init_stream\": 2147483652},\n"
    "    {\"name\": \"hu\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [2, 5],"
    "     \"offset\": 448, \"bytes\": 40, \"init\": \"he_uniform\","
    "     \"init_args\": {\"fan_in\": 5, \"fan_out\": 2}, \"init_stream\": 2147483653},\n"
    "    {\"name\": \"xn\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [3, 3],"
    "     \"offset\": 512, \"bytes\": 36, \"init\": \"xavier_normal\","
    "     \"init_args\": {\"fan_in\": 3, \"fan_out\": 3, \"gain\": 0.5}, \"init_stream\": 2147483654},\n"
    "    {\"name\": \"orth\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [3, 5],"
    "     \"offset\": 576, \"bytes\": 60, \"init\": \"orthogonal\","
    "     \"init_args\": {\"fan_in\": 5, \"fan_out\": 3}, \"init_stream\": 2147483655},\n"
    "    {\"name\": \"orth_tall\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [6, 2],"
    "     \"offset\": 640, \"bytes\": 48, \"init\": \"orthogonal\","
    "     \"init_args\": {\"fan_in\": 2, \"fan_out\": 6, \"gain\": 3}, \"init_stream\": 2147483656},\n"
    "    {\"name\": \"pos\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [4, 6],"
    "     \"offset\": 704, \"bytes\": 96, \"init\": \"sinusoidal\","
    "     \"init_args\": {}, \"init_stream\": 2147483657},\n"
    "    {\"name\": \"scale\", \"kind\": \"param\", \"dtype\": \"f32\", \"shape\": [2],"
    "     \"offset\": 832, \"bytes\": 8, \"init\": \"ones\","
    "     \"init_args\": {}, \"init_stream\": 2147483658},\n"
    "    {\"name\": \"dense.W.velocity\", \"kind\": \"buffer\", \"dtype\": \"f32\", \"shape\": [4, 3],"
    "     \"offset\": 896, \"bytes\": 48, \"init\": \"zeros\","
    "     \"init_args\": {}, \"init_stream\": 2147483659},\n"
    "    {\"name\": \"count\", \"kind\": \"buffer\", \"dtype\": \"i32\", \"shape\": [],"
    "     \"offset\": 960, \"bytes\": 4, \"init\": \"constant\","
    "     \"init_args\": {\"value\": 7}, \"init_stream\": 2147483660},\n"
    "    {\"name\": \"mask\", \"kind\": \"buffer\", \"dtype\": \"bool\", \"shape\": [3],"
    "     \"offset\": 1024, \"bytes\": 3, \"init\": \"ones\","
    "     \"init_args\": {}, \"init_stream\": 2147483661},\n"
    "    {\"name\": \"seen\", \"kind\": \"buffer\", \"dtype\": \"i32\", \"shape\": [2],"
    "     \"offset\": 1088, \"bytes\": 8, \"init\": \"zeros\","
    "     \"init_args\": {}, \"init_stream\": 2147483662}\n"
    "  ],\n"
    "  \"entries\": [\n"
    "    {\"name\": \"forward\", \"kind\": \"forward\","
    "     \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [2, 4]}],"
    "     \"outputs\": [{\"name\": \"y\", \"dtype\": \"f32\", \"shape\": [2, 3]}]},\n"
    "    {\"name\": \"train_step\", \"kind\": \"train\","
    "     \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [2, 4]},"
    "                {\"name\": \"target\", \"dtype\": \"f32\", \"shape\": [2, 3]}],"
    "     \"outputs\": [{\"name\": \"loss\", \"dtype\": \"f32\", \"shape\": []}]},\n"
    "    {\"name\": \"explode\", \"kind\": \"forward\", \"inputs\": [],"
    "     \"outputs\": [{\"name\": \"out\", \"dtype\": \"f32\", \"shape\": []}]},\n"
    "    {\"name\": \"explode_on_worker\", \"kind\": \"eval\", \"inputs\": [], \"outputs\": []},\n"
    "    {\"name\": \"thread_count\", \"kind\": \"forward\", \"inputs\": [],"
    "     \"outputs\": [{\"name\": \"threads\", \"dtype\": \"i32\", \"shape\": []}]}\n"
    "  ],\n"
    "  \"buffers\": [\n"
    "    {\"kind\": \"state\", \"offset\": 0, \"dtype\": \"f32\", \"shape\": [4, 3]},\n"
    "    {\"kind\": \"state\", \"offset\": 64, \"dtype\": \"f32\", \"shape\": [3]},\n"
    "    {\"kind\": \"state\", \"offset\": 896, \"dtype\": \"f32\", \"shape\": [4, 3]},\n"
    "    {\"kind\": \"state\", \"offset\": 960, \"dtype\": \"i32\", \"shape\": []},\n"
    "    {\"kind\": \"state\", \"offset\": 1088, \"dtype\": \"i32\", \"shape\": [2]},\n"
    "    {\"kind\": \"input\", \"entry\": 0, \"index\": 0, \"dtype\": \"f32\", \"shape\": [2, 4]},\n"
    "    {\"kind\": \"output\", \"entry\": 0, \"index\": 0, \"dtype\": \"f32\", \"shape\": [2, 3]},\n"
    "    {\"kind\": \"input\", \"entry\": 1, \"index\": 0, \"dtype\": \"f32\", \"shape\": [2, 4]},\n"
    "    {\"kind\": \"input\", \"entry\": 1, \"index\": 1, \"dtype\": \"f32\", \"shape\": [2, 3]},\n"
    "    {\"kind\": \"output\", \"entry\": 1, \"index\": 0, \"dtype\": \"f32\", \"shape\": []},\n"
    "    {\"kind\": \"arena\", \"offset\": 0, \"dtype\": \"f32\", \"shape\": [2, 3]},\n"
    "    {\"kind\": \"output\", \"entry\": 2, \"index\": 0, \"dtype\": \"f32\", \"shape\": []},\n"
    "    {\"kind\": \"state\", \"offset\": 1024, \"dtype\": \"bool\", \"shape\": [3]},\n"
    "    {\"kind\": \"output\", \"entry\": 4, \"index\": 0, \"dtype\": \"i32\", \"shape\": []}\n"
    "  ]\n"
    "}\n";

/* Indices into the buffer table, as listed above. */
enum {
  kW, kB, kVelocity, kCount, kSeen,
  kForwardX, kForwardY,
  kTrainX, kTrainTarget, kTrainLoss,
  kScratch, kExplodeOut, kMask, kThreads,
  kNumBuffers
};

/* The descriptor's dtype and shape of each buffer, outermost first. */
static const struct {
  int code, bits, rank;
  int shape[2];
} kExpected[kNumBuffers] = {
    {halide_type_float, 32, 2, {4, 3}}, {halide_type_float, 32, 1, {3}},
    {halide_type_float, 32, 2, {4, 3}}, {halide_type_int, 32, 0, {0}},
    {halide_type_int, 32, 1, {2}},      {halide_type_float, 32, 2, {2, 4}},
    {halide_type_float, 32, 2, {2, 3}}, {halide_type_float, 32, 2, {2, 4}},
    {halide_type_float, 32, 2, {2, 3}}, {halide_type_float, 32, 0, {0}},
    {halide_type_float, 32, 2, {2, 3}}, {halide_type_float, 32, 0, {0}},
    {halide_type_uint, 1, 1, {3}},      {halide_type_int, 32, 0, {0}},
};

static int fail(const char *message) {
  halide_error(NULL, message);
  return halide_error_code_generic_error;
}

/* Checks that buffer `i` is laid out as the descriptor says and, when `bound`, has memory. */
static int checkBuffer(struct halide_buffer_t **buffers, int i, int bound) {
  char message[160];
  const struct halide_buffer_t *b = buffers[i];
  int32_t stride = 1;
  if (!b || b->type.code != kExpected[i].code || b->type.bits != kExpected[i].bits ||
      b->type.lanes != 1 || b->dimensions != kExpected[i].rank) {
    snprintf(message, sizeof message, "fake: buffer %d has the wrong type or rank", i);
    return fail(message);
  }
  for (int d = 0; d < b->dimensions; ++d) {
    const halide_dimension_t *dim = &b->dim[d];
    if (dim->min != 0 || dim->extent != kExpected[i].shape[b->dimensions - 1 - d] ||
        dim->stride != stride) {
      snprintf(message, sizeof message, "fake: buffer %d dimension %d is wrong", i, d);
      return fail(message);
    }
    stride *= dim->extent;
  }
  if (bound != (b->host != NULL)) {
    snprintf(message, sizeof message, "fake: buffer %d %s host memory", i,
             bound ? "lacks" : "unexpectedly has");
    return fail(message);
  }
  return 0;
}

/* Checks the whole table for an entry whose caller-bound buffers are [first, last). */
static int checkTable(struct halide_buffer_t **buffers, int first, int last) {
  for (int i = 0; i < kNumBuffers; ++i) {
    int callerBound = (i >= kForwardX && i <= kTrainLoss) || i == kExplodeOut || i == kThreads;
    int bound = !callerBound || (i >= first && i < last);
    int code = checkBuffer(buffers, i, bound);
    if (code)
      return code;
  }
  return 0;
}

#define F32(b) ((float *)(b)->host)
#define I32(b) ((int32_t *)(b)->host)

/* out[n][j] = sum_i x[n][i] W[i][j] + b[j], through the buffers' strides. */
static void affine(struct halide_buffer_t **buffers, const struct halide_buffer_t *x,
                   struct halide_buffer_t *out) {
  const struct halide_buffer_t *w = buffers[kW], *b = buffers[kB];
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 3; ++j) {
      float sum = F32(b)[j];
      for (int i = 0; i < 4; ++i)
        sum += F32(x)[n * x->dim[1].stride + i] * F32(w)[i * w->dim[1].stride + j];
      F32(out)[n * out->dim[1].stride + j] = sum;
    }
}

static int32_t forwardEntry(struct halide_buffer_t **buffers, uint64_t seed, uint32_t step) {
  int code = checkTable(buffers, kForwardX, kForwardY + 1);
  if (code)
    return code;
  /* Through the arena and dlrt_copy, as generated glue may do. */
  affine(buffers, buffers[kForwardX], buffers[kScratch]);
  return dlrt_copy(buffers[kForwardY], buffers[kScratch]);
}

static int32_t trainEntry(struct halide_buffer_t **buffers, uint64_t seed, uint32_t step) {
  int code = checkTable(buffers, kTrainX, kTrainLoss + 1);
  if (code)
    return code;
  struct halide_buffer_t *x = buffers[kTrainX], *target = buffers[kTrainTarget];
  struct halide_buffer_t *pred = buffers[kScratch];
  affine(buffers, x, pred);
  float diff[2][3], loss = 0;
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 3; ++j) {
      diff[n][j] = F32(pred)[n * 3 + j] - F32(target)[n * 3 + j];
      loss += diff[n][j] * diff[n][j];
    }
  F32(buffers[kTrainLoss])[0] = loss / 6;
  for (int j = 0; j < 3; ++j) {
    float gradB = 0;
    for (int n = 0; n < 2; ++n)
      gradB += 2 * diff[n][j] / 6;
    F32(buffers[kB])[j] -= 0.1f * gradB;
    for (int i = 0; i < 4; ++i) {
      float gradW = 0;
      for (int n = 0; n < 2; ++n)
        gradW += 2 * F32(x)[n * 4 + i] * diff[n][j] / 6;
      float *v = &F32(buffers[kVelocity])[i * 3 + j];
      *v = 0.9f * *v + gradW;
      F32(buffers[kW])[i * 3 + j] -= 0.1f * *v;
    }
  }
  I32(buffers[kCount])[0] += 1;
  I32(buffers[kSeen])[0] = (int32_t)step;
  I32(buffers[kSeen])[1] = (int32_t)(uint32_t)seed;
  return 0;
}

static int32_t explodeEntry(struct halide_buffer_t **buffers, uint64_t seed, uint32_t step) {
  F32(buffers[kExplodeOut])[0] = 1;
  return fail("fake kernel: boom on the calling thread");
}

static void *explodeOnThread(void *unused) {
  halide_error(NULL, "fake kernel: boom on a worker thread\n");
  return NULL;
}

static int32_t explodeOnWorkerEntry(struct halide_buffer_t **buffers, uint64_t seed,
                                    uint32_t step) {
  pthread_t worker;
  if (pthread_create(&worker, NULL, explodeOnThread, NULL) != 0)
    return fail("fake kernel: cannot start a thread");
  pthread_join(worker, NULL);
  return halide_error_code_generic_error;
}

static int32_t threadCountEntry(struct halide_buffer_t **buffers, uint64_t seed, uint32_t step) {
  int code = checkTable(buffers, kThreads, kThreads + 1);
  if (code)
    return code;
  /* halide_set_num_threads answers the previous size; put it back at once. */
  int threads = halide_set_num_threads(1);
  halide_set_num_threads(threads);
  I32(buffers[kThreads])[0] = threads;
  return 0;
}

const dl_entry_fn dl_model_entries[] = {forwardEntry, trainEntry, explodeEntry,
                                        explodeOnWorkerEntry, threadCountEntry};

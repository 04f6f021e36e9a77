/*===- examples/embed/main.c - XOR trained from C through the header dlc writes -===*
 *
 * Embeds a model compiled by dlc in a C program: `dlc examples/xor.dl -o xor.so -H` writes xor.so
 * and xor.h, this file includes xor.h and links xor.so. It trains XOR with the typed entry points
 * (xor_create, xor_train_step, xor_eval, xor_forward), prints the predictions, saves a checkpoint and
 * loads it into a second instance, and shows how errors come back: a dl_status from every call and
 * a message from xor_last_error, never a crash or a message printed by the library. Only the
 * xor_* functions live in xor.so; the header's generic API (dl_status_name, dl_library_open, ...)
 * is libdlrt_loader's, which this program does not link.
 *
 * Usage: xor_embed [CHECKPOINT]   (default xor.safetensors; written, then read back)
 * Exit status 0 when the final loss is below 0.05, every point is classified right, the checkpoint
 * round trip reproduces the predictions and each bad call is refused; 1 otherwise.
 *===----------------------------------------------------------------------===*/
#include "xor.h"

#include <stdio.h>
#include <string.h>

enum { POINTS = 4, STEPS = 300 };

static const float kInputs[POINTS][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
static const float kTargets[POINTS][1] = {{0}, {1}, {1}, {0}};

/* Prints what went wrong with `what` on m (or, for a NULL m, in this thread's last create) and
 * returns 0, the failure value of the functions below and of `ok`. */
static int report(const char *what, dl_status status, const xor_model *m) {
  fprintf(stderr, "xor_embed: %s failed with status %d: %s\n", what, (int)status,
          xor_last_error(m));
  return 0;
}

/* Trains m for STEPS steps on the four points; returns 1 on success. */
static int train(xor_model *m) {
  for (int step = 1; step <= STEPS; ++step) {
    float loss = 0;
    dl_status status = xor_train_step(m, &kInputs[0][0], &kTargets[0][0], &loss);
    if (status != DL_OK)
      return report("xor_train_step", status, m);
    if (step % 50 == 0)
      printf("step %3d  loss %.6f\n", step, loss);
  }
  return 1;
}

/* The two calls that must fail, and fail cleanly: loading a checkpoint that does not exist, and
 * a train step without its inputs. Neither may change the model. Returns 1 when both are refused. */
static int check_errors(xor_model *m) {
  const char *missing = "/nonexistent/folder/xor.safetensors";
  uint64_t steps_before = xor_step(m);
  dl_status status = xor_load(m, missing);
  if (status == DL_OK) {
    fprintf(stderr, "xor_embed: loading %s succeeded\n", missing);
    return 0;
  }
  printf("xor_load(\"%s\") -> status %d: %s\n", missing, (int)status, xor_last_error(m));

  float loss = 0;
  status = xor_train_step(m, NULL, &kTargets[0][0], &loss);
  if (status == DL_OK) {
    fprintf(stderr, "xor_embed: a train step without inputs succeeded\n");
    return 0;
  }
  printf("xor_train_step(m, NULL, ...) -> status %d: %s\n", (int)status, xor_last_error(m));

  if (xor_step(m) != steps_before) {
    fprintf(stderr, "xor_embed: a refused call changed the step count\n");
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  const char *checkpoint = argc > 1 ? argv[1] : "xor.safetensors";
  const dl_options options = {.device = DL_DEVICE_CPU, .threads = 1, .seed = 42};
  int ok = 1;

  xor_model *m = NULL;
  dl_status status = xor_create(&options, &m);
  if (status != DL_OK) {
    report("xor_create", status, NULL);
    return 1;
  }
  printf("model %s: %zu bytes of parameters, %zu of optimizer state, %zu of workspace\n",
         xor_info()->name, (size_t)XOR_PARAM_BYTES, (size_t)XOR_STATE_BYTES,
         (size_t)XOR_WORKSPACE_BYTES);

  if (!train(m)) {
    xor_destroy(m);
    return 1;
  }

  float loss = 0, p[POINTS][1];
  status = xor_eval(m, &kInputs[0][0], &kTargets[0][0], &loss, &p[0][0]);
  if (status != DL_OK) {
    report("xor_eval", status, m);
    xor_destroy(m);
    return 1;
  }
  printf("after %llu steps: loss %.6f\n", (unsigned long long)xor_step(m), loss);
  for (int i = 0; i < POINTS; ++i) {
    int predicted = p[i][0] > 0.5f;
    printf("  xor(%g, %g) = %.4f -> %d (expected %g)\n", kInputs[i][0], kInputs[i][1], p[i][0],
           predicted, kTargets[i][0]);
    if (predicted != (int)kTargets[i][0])
      ok = 0;
  }
  if (!(loss < 0.05f)) {
    fprintf(stderr, "xor_embed: the loss %.6f is not below 0.05\n", loss);
    ok = 0;
  }

  /* A checkpoint carries the trained model into a fresh instance with other initial weights: its
   * forward pass predicts what the trained one's does, bit for bit. (eval's kernels fuse the loss
   * with the output, so its predictions may differ from forward's in the last bit.) */
  xor_model *restored = NULL;
  const dl_options other_seed = {.device = DL_DEVICE_CPU, .threads = 1, .seed = 7};
  float q[POINTS][1];
  if ((status = xor_forward(m, &kInputs[0][0], &p[0][0])) != DL_OK)
    ok = report("xor_forward", status, m);
  else if ((status = xor_save(m, checkpoint)) != DL_OK)
    ok = report("xor_save", status, m);
  else if ((status = xor_create(&other_seed, &restored)) != DL_OK)
    ok = report("xor_create", status, NULL);
  else if ((status = xor_load(restored, checkpoint)) != DL_OK)
    ok = report("xor_load", status, restored);
  else if ((status = xor_forward(restored, &kInputs[0][0], &q[0][0])) != DL_OK)
    ok = report("xor_forward", status, restored);
  else if (memcmp(p, q, sizeof p) != 0 || xor_step(restored) != xor_step(m)) {
    fprintf(stderr, "xor_embed: the model loaded from %s predicts otherwise\n", checkpoint);
    ok = 0;
  } else {
    printf("saved to %s and loaded into a new instance: same predictions, step %llu\n", checkpoint,
           (unsigned long long)xor_step(restored));
  }
  xor_destroy(restored);

  if (!check_errors(m))
    ok = 0;
  xor_destroy(m);
  printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

/* Trains the regressor through its typed header for a few steps and prints the shape of f.a.W,
 * which shows the DEFINES (H = 24), and the batch size (B = 8) the header was generated for. */
#include "regressor.h"

#include <stdio.h>

int main(void) {
  regressor_model *m = NULL;
  if (regressor_create(NULL, &m) != DL_OK) {
    fprintf(stderr, "create: %s\n", regressor_last_error(NULL));
    return 1;
  }
  const dl_model_info *info = regressor_info();
  const dl_tensor_info *x = &info->entries[0].inputs[0];
  float in_x[8 * 3], in_y[8], loss = 0;
  for (int i = 0; i < 8 * 3; ++i)
    in_x[i] = (float)(i % 5) / 5.0f;
  for (int i = 0; i < 8; ++i)
    in_y[i] = in_x[3 * i] - in_x[3 * i + 2];
  for (int step = 0; step < 20; ++step)
    if (regressor_train_step(m, in_x, in_y, &loss) != DL_OK) {
      fprintf(stderr, "train_step: %s\n", regressor_last_error(m));
      return 1;
    }
  void *data = NULL;
  const dl_tensor_info *w = NULL;
  if (regressor_param(m, "f.a.W", &data, &w) != DL_OK) {
    fprintf(stderr, "param: %s\n", regressor_last_error(m));
    return 1;
  }
  printf("x [%lld, %lld]\n", (long long)x->shape[0], (long long)x->shape[1]);
  printf("f.a.W [%lld, %lld]\n", (long long)w->shape[0], (long long)w->shape[1]);
  printf("steps %llu, loss %s\n", (unsigned long long)regressor_step(m),
         loss == loss ? "finite" : "nan");
  regressor_destroy(m);
  return 0;
}

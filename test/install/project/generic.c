/* Opens any model.so through the loader's generic API (dl/runtime.h) and lists its entries. */
#include <dl/runtime.h>

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: generic MODEL.so\n");
    return 2;
  }
  dl_library *lib = NULL;
  if (dl_library_open(argv[1], &lib) != DL_OK) {
    fprintf(stderr, "%s\n", dl_last_error());
    return 1;
  }
  const dl_model_info *info = dl_library_info(lib);
  printf("model %s:", info->name);
  for (int i = 0; i < info->n_entries; ++i)
    printf(" %s", info->entries[i].name);
  printf("\n");
  dl_library_close(lib);
  return 0;
}

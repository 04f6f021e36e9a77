/*===- dl/runtime.h - The C ABI of a model compiled by dlc ------------------===*
 *
 * Two ways to use a compiled model (see shared/design/c-api.md):
 *   - include the header `dlc --emit=header` writes for it (typed entry points such as
 *     `mlp_train_step(m, x, y, &loss)`) and link `model.so`;
 *   - open any `model.so` at run time through the generic API below (libdlrt_loader), as `dl-run`
 *     and the Python package `dlc` (python/dlc, ctypes declarations of this file in _capi.py) do.
 *
 * Every function returns a dl_status; none aborts the process or prints. The message of an
 * instance's last error is kept on that instance (dl_instance_last_error); errors without an
 * instance (opening a library, creating an instance) are kept per thread (dl_last_error).
 * Tensors are dense, row-major host buffers; i1 (DL_BOOL) tensors take one byte per element.
 *===----------------------------------------------------------------------===*/
#ifndef DL_RUNTIME_H
#define DL_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl_status {
  DL_OK = 0,
  DL_ERR_INVALID_ARGUMENT = 1, /* a null pointer, an unknown name, a wrong count or shape */
  DL_ERR_IO = 2,               /* a file could not be opened, read, written or renamed */
  DL_ERR_FORMAT = 3,           /* a checkpoint or data file is truncated, foreign or mismatched */
  DL_ERR_DEVICE = 4,           /* the device asked for is absent or failed */
  DL_ERR_OUT_OF_MEMORY = 5,
  DL_ERR_NUMERIC = 6,          /* a kernel reported an error (Halide's message is kept) */
  DL_ERR_INTERNAL = 7
} dl_status;

/* "ok", "invalid argument", ... */
const char *dl_status_name(dl_status status);

typedef enum dl_device { DL_DEVICE_CPU = 0, DL_DEVICE_CUDA = 1 } dl_device;

typedef struct dl_options {
  dl_device device;
  int threads;   /* worker threads for the kernels; 0: one per core */
  uint64_t seed; /* keys initialization and every random op (Philox); 0 is a seed like any other */
} dl_options;

typedef enum dl_dtype { DL_F32 = 0, DL_I32 = 1, DL_BOOL = 2 } dl_dtype;

/* "f32", "i32", "bool" */
const char *dl_dtype_name(dl_dtype dtype);

typedef struct dl_tensor_info {
  const char *name;
  dl_dtype dtype;
  int rank;
  const int64_t *shape; /* rank entries, outermost first */
  size_t bytes;
} dl_tensor_info;

typedef enum dl_entry_kind {
  DL_ENTRY_FORWARD = 0, /* inference: inputs -> outputs */
  DL_ENTRY_EVAL = 1,    /* inference with targets: inputs -> losses, then outputs */
  DL_ENTRY_TRAIN = 2,   /* one optimizer step: inputs -> loss; advances the step counter */
  DL_ENTRY_GRAD = 3,    /* "<step>_grad": inputs -> loss; adds the gradient of this batch's loss
                         * into the step's gradient area (below); changes no parameter */
  DL_ENTRY_APPLY = 4    /* "<step>_apply": no inputs -> the mean loss of the batches accumulated;
                         * the optimizer update from their mean gradient, which it then clears;
                         * advances the step counter */
} dl_entry_kind;

typedef struct dl_entry_info {
  const char *name; /* "forward", "eval", "train_step", "disc_step", ... */
  dl_entry_kind kind;
  int n_inputs;
  const dl_tensor_info *inputs;
  int n_outputs;
  const dl_tensor_info *outputs;
  /* Train, grad and apply entries: the training step's gradient area, a contiguous, 64-byte-aligned
   * part of the state block that "<step>_grad" accumulates into and "<step>_apply" reads: f32 words
   * holding the count of batches accumulated, the sum of their losses, then the sum of every trained
   * parameter's gradient (in the train block's order, each at a 64-byte boundary, zero padded).
   * 0 and 0 for the other entries. */
  size_t grad_offset;
  size_t grad_bytes;
} dl_entry_info;

typedef struct dl_model_info {
  const char *name; /* the model's name in the .dl file */
  const char *target; /* "cpu" or "cuda" */
  int n_entries;
  const dl_entry_info *entries;
  int n_params;
  const dl_tensor_info *params; /* trained and untrained parameters */
  int n_buffers;
  const dl_tensor_info *buffers; /* model buffers and optimizer state */
  size_t param_bytes;     /* all parameters */
  size_t state_bytes;     /* all buffers, optimizer state included */
  size_t workspace_bytes; /* the arena of activations and scratch, per instance */
} dl_model_info;

typedef struct dl_library dl_library;
typedef struct dl_instance dl_instance;

/* The message of the calling thread's last error that has no instance to live on. */
const char *dl_last_error(void);

/* Loads a model.so (a bare file name means the current folder). DL_ERR_IO when the file is
 * missing, DL_ERR_FORMAT when it is not a dlc model of this ABI version or its descriptor is bad;
 * also, checked before the library is loaded or called, when it is no regular file, no ELF shared
 * library of this process's class and machine, or cut short (a segment past the end of the file),
 * or when its dl_model_api_v1 is not a function returning a table of non-null functions.
 * Closing is allowed while instances live: the library is unloaded with its last instance. */
dl_status dl_library_open(const char *path, dl_library **out);
void dl_library_close(dl_library *lib);
const dl_model_info *dl_library_info(const dl_library *lib);
/* The entry's index, or -1. */
int dl_library_find_entry(const dl_library *lib, const char *entry);

/* Allocates parameters, state and workspace and draws the parameters from their initializers.
 * NULL options: the CPU, one thread per core, seed 0. */
dl_status dl_instance_create(dl_library *lib, const dl_options *options, dl_instance **out);
void dl_instance_destroy(dl_instance *inst);
/* Runs an entry point: inputs and outputs in the order of its dl_entry_info. */
dl_status dl_instance_call(dl_instance *inst, const char *entry, const void *const *inputs,
                           int n_inputs, void *const *outputs, int n_outputs);
/* A parameter's or buffer's storage, by name ("hidden.W"); writes through it change the model. */
dl_status dl_instance_tensor(dl_instance *inst, const char *name, void **data,
                             const dl_tensor_info **info);
/* Checkpoints (safetensors): parameters, buffers, optimizer state, the step counter and the
 * instance's metadata (in the header's __metadata__; a file without it loads with step 0 and no
 * metadata). Loading requires exactly the
 * model's tensors with the same dtypes and shapes, in any order; on any error the instance is
 * unchanged. */
dl_status dl_instance_save(dl_instance *inst, const char *path);
dl_status dl_instance_load(dl_instance *inst, const char *path);
/* The number of train steps taken (the Philox step of the next one). */
uint64_t dl_instance_step(const dl_instance *inst);
/* String pairs saved with the instance's checkpoints and replaced by a load: where a training run
 * stands in its data, a version, anything an application needs to resume. A NULL value removes
 * the key. DL_ERR_INVALID_ARGUMENT for a NULL or empty key and for the keys the runtime writes
 * itself ("format", "model", "step"). */
dl_status dl_instance_set_metadata(dl_instance *inst, const char *key, const char *value);
/* The value of `key`, or NULL; valid until the next set_metadata or load of this instance. */
const char *dl_instance_metadata(const dl_instance *inst, const char *key);
const char *dl_instance_last_error(const dl_instance *inst);

/* The gradient area of training step `entry` (its train, grad or apply entry, by name): host
 * memory of grad_bytes bytes (dl_entry_info), read and written as f32. On the GPU the call copies the
 * device's area to the host first; write through it only on the CPU. */
dl_status dl_instance_gradients(dl_instance *inst, const char *entry, float **data, size_t *count);

/*===- Data parallelism ---------------------------------------------------===*
 *
 * A communicator joins the instances of one model in several processes ("ranks") that train on
 * different batches, as torch.nn.parallel.DistributedDataParallel does. It is transport neutral:
 * libdlrt_mpi (dl/mpi_communicator.h) implements it on MPI; an application may implement it on
 * anything else. Every function returns DL_OK or a dl_status whose message last_error gives; every
 * rank must make the same calls in the same order.
 *===----------------------------------------------------------------------===*/
typedef struct dl_communicator {
  int rank;      /* this process, 0 .. size - 1 */
  int size;      /* the number of ranks */
  void *context; /* the implementation's, passed to each function */
  /* Replaces `data` (count floats) on every rank by the element-wise sum over all ranks. */
  dl_status (*all_reduce_sum_f32)(void *context, float *data, size_t count);
  /* Copies `bytes` bytes at `data` on rank `root` into `data` on every other rank. */
  dl_status (*broadcast)(void *context, void *data, size_t bytes, int root);
  /* Returns when every rank has called it. */
  dl_status (*barrier)(void *context);
  /* The message of the last failure of the functions above; may be NULL. */
  const char *(*last_error)(void *context);
} dl_communicator;

/* Attaches `comm` (copied; the context must outlive the instance or the next call), or detaches
 * with NULL. Every rank calls it with its own instance of the same model. Attaching broadcasts
 * rank 0's parameters, buffers, optimizer state, step counter and metadata, so ranks start
 * identical, and folds the rank into the key of every random op (rank 0 keeps the seed's own
 * key, so its dropout masks are a one-process run's). With a communicator, a train entry runs
 * "<step>_grad", sums the gradient area over the ranks, then runs "<step>_apply": the update
 * from the mean gradient over ranks (and over accumulated batches), with clipping after the sum,
 * and returns the mean loss over ranks. After each update rank 0's model buffers (batch-norm
 * running statistics) are broadcast, as DistributedDataParallel does. "<step>_apply" called
 * directly sums the area over the ranks first, too. */
dl_status dl_instance_set_communicator(dl_instance *inst, const dl_communicator *comm);

#ifdef __cplusplus
}
#endif

#endif /* DL_RUNTIME_H */

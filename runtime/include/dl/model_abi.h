/*===- dl/model_abi.h - Inside a model.so: the glue, the runtime, the loader ===*
 *
 * A model.so links four parts: the Halide kernels, the glue dlc generates (compiler/codegen/glue),
 * the static runtime (runtime/, libdlrt.a) and Halide's runtime. This header is the contract between
 * the glue and the runtime, and between the runtime and the loader (dl_library_open). Applications
 * never include it.
 *
 * THE GLUE DEFINES
 *   const char dl_model_descriptor[];     the model, as JSON (below), NUL-terminated
 *   const dl_entry_fn dl_model_entries[]; one function per descriptor entry, in that order
 *   const dl_entry_fn dl_model_entries_cuda[]; only in a library for both targets ("cpu,cuda"):
 *                                         the same entries running the CUDA kernels
 *   and the typed entry points of the generated header (<model>_create, <model>_train_step, ...),
 *   each a thin call of the dlrt_* functions below.
 *
 * An entry function runs the kernels of one entry point in order:
 *   int32_t entry(halide_buffer_t **buffers, uint64_t seed, uint32_t step)
 * `buffers` is the instance's table of halide_buffer_t pointers, indexed as the descriptor's
 * "buffers" array; before the call the runtime points each "input"/"output" buffer of the entry
 * at the caller's memory. It returns 0, or the first kernel's nonzero Halide error code.
 *
 * THE RUNTIME DEFINES (hidden in model.so, called by the glue)
 *   dlrt_create, dlrt_destroy, dlrt_call, dlrt_tensor, dlrt_save, dlrt_load, dlrt_step,
 *   dlrt_set_metadata, dlrt_metadata, dlrt_last_error, dlrt_info, dlrt_set_communicator,
 *   dlrt_gradients,
 *   dlrt_copy (used by entry functions to copy one buffer into another of the same byte size),
 *   dlrt_view (used by entry functions to point a "view" buffer into its parent)
 * and exports one symbol for the loader: dl_model_api_v1().
 *
 * LINKING: libdlrt.a is C++ and calls the Halide runtime (halide_set_error_handler,
 * halide_set_num_threads, halide_set_custom_do_par_for), so a model.so links
 *   cc -shared -o model.so kernels.o glue.o -Wl,--whole-archive libdlrt.a -Wl,--no-whole-archive
 *      halide_runtime.o -lstdc++ -lm -ldl -lpthread -Wl,--no-undefined
 * (--no-undefined turns a missing glue symbol into a link error instead of a dlopen failure).
 *
 * THE DESCRIPTOR (JSON; every key is always present; shapes outermost first)
 * {
 *   "format": "dlc-model", "version": 1,
 *   "name": "fashion_mlp", "target": "cpu",   // or "cuda", or "cpu,cuda" for both
 *   "param_bytes": 937024, "state_bytes": 1874052, "workspace_bytes": 401408,
 *   "state": [                          // params first, then buffers; offsets into one state block
 *     { "name": "h1.W", "kind": "param" | "buffer" | "optimizer" | "gradient",
 *       "dtype": "f32" | "i32" | "bool",
 *       "shape": [784, 256], "offset": 0, "bytes": 802816,
 *       "init": "he_normal", "init_args": { "fan_in": 784, "fan_out": 256 },
 *       "init_stream": 2147483648 }     // kInitStreamBase + the op's index in the model (Philox.h)
 *   ],
 *   "entries": [
 *     { "name": "train_step", "kind": "train" | "forward" | "eval" | "grad" | "apply",
 *       "step": "train_step", "accumulate": 1,   // train, grad, apply: their training step,
 *       "split": true,                           //   the batches per update, whether a train
 *       "grad_offset": 704, "grad_bytes": 448,   //   entry is split, the gradient area (optional
 *                                                //   keys: absent, "" / 1 / false / 0 / 0)
 *       "inputs":  [ { "name": "x", "dtype": "f32", "shape": [128, 784] } ],
 *       "outputs": [ { "name": "loss", "dtype": "f32", "shape": [] } ] }
 *   ],
 *   "buffers": [                        // one halide_buffer_t each, built once per instance
 *     { "kind": "arena", "offset": 0, "dtype": "f32", "shape": [128, 256] },
 *     { "kind": "state", "offset": 0, "dtype": "f32", "shape": [784, 256] },
 *     { "kind": "input", "entry": 0, "index": 0, "dtype": "f32", "shape": [128, 784] },
 *     { "kind": "output", "entry": 0, "index": 0, "dtype": "f32", "shape": [] },
 *     { "kind": "view", "parent": 0, "offset": 0, "stride": 1024, "steps": 32,
 *       "dtype": "f32", "shape": [256] }
 *   ]
 * }
 * "arena" offsets are into the instance's workspace, "state" offsets into its state block (both
 * 64-byte aligned, offsets multiples of 64). A "view" is a window into an earlier buffer of the
 * table that is not a view, which an entry function points before it uses it (dlrt_view): at
 * `offset + stride * t` bytes into the parent at step t of a loop over `steps` steps (a dl.scan),
 * every byte of it inside the parent at every step; until then its host pointer is NULL. Halide buffer dimension 0 is the innermost (last)
 * dimension of "shape"; bool tensors are halide_type_bool buffers of 1 byte per element. Entry
 * "outputs" of a "train" entry are its loss; of an "eval" entry, its losses then its outputs.
 * A "train" entry's step counter advances by one after each successful update; "apply" too.
 * A "split" train entry has no function of its own (a null pointer in dl_model_entries): every
 * call runs its step's "grad" entry, then its "apply" entry, as the runtime runs an entry whose
 * "accumulate" is above 1.
 * "gradient" state (the gradient areas) is not saved in checkpoints; the runtime clears an area
 * after its apply entry ran.
 *===----------------------------------------------------------------------===*/
#ifndef DL_MODEL_ABI_H
#define DL_MODEL_ABI_H

#include "dl/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct halide_buffer_t;

typedef int32_t (*dl_entry_fn)(struct halide_buffer_t **buffers, uint64_t seed, uint32_t step);

/* Defined by the glue. */
extern const char dl_model_descriptor[];
extern const dl_entry_fn dl_model_entries[];
/* Weak: defined only by the glue of a library for both the CPU and CUDA. */
extern const dl_entry_fn dl_model_entries_cuda[] __attribute__((weak));

/* An instance of the one model in this library; opaque to the glue. */
typedef struct dlrt_instance dlrt_instance;

/* Defined by the runtime; the typed entry points of the generated header call these.
 * dlrt_create accepts NULL options (the CPU, one thread per core, seed 0); the kernels' thread
 * pool (the runtime's, behind halide_do_par_for) belongs to the process, so the latest instance
 * created sets its size. Errors without an
 * instance (a failed create, a NULL instance) are kept per thread: dlrt_last_error(NULL). */
dl_status dlrt_create(const dl_options *options, dlrt_instance **out);
void dlrt_destroy(dlrt_instance *inst);
dl_status dlrt_call(dlrt_instance *inst, int32_t entry, const void *const *inputs, int32_t n_inputs,
                    void *const *outputs, int32_t n_outputs);
dl_status dlrt_tensor(dlrt_instance *inst, const char *name, void **data, const dl_tensor_info **info);
dl_status dlrt_save(dlrt_instance *inst, const char *path);
dl_status dlrt_load(dlrt_instance *inst, const char *path);
uint64_t dlrt_step(const dlrt_instance *inst);
dl_status dlrt_set_metadata(dlrt_instance *inst, const char *key, const char *value);
const char *dlrt_metadata(const dlrt_instance *inst, const char *key);
const char *dlrt_last_error(const dlrt_instance *inst);
const dl_model_info *dlrt_info(void);
dl_status dlrt_set_communicator(dlrt_instance *inst, const dl_communicator *comm);
dl_status dlrt_gradients(dlrt_instance *inst, int32_t entry, float **data, size_t *count);
int32_t dlrt_copy(struct halide_buffer_t *dst, const struct halide_buffer_t *src);
void dlrt_view(struct halide_buffer_t *view, const struct halide_buffer_t *parent, int64_t offset);

/* What the loader finds in a model.so through dlsym("dl_model_api_v1"). */
typedef struct dl_model_api {
  uint32_t abi_version; /* DL_MODEL_ABI_VERSION */
  const dl_model_info *(*info)(void);
  dl_status (*create)(const dl_options *options, dlrt_instance **out);
  void (*destroy)(dlrt_instance *inst);
  dl_status (*call)(dlrt_instance *inst, int32_t entry, const void *const *inputs, int32_t n_inputs,
                    void *const *outputs, int32_t n_outputs);
  dl_status (*tensor)(dlrt_instance *inst, const char *name, void **data, const dl_tensor_info **info);
  dl_status (*save)(dlrt_instance *inst, const char *path);
  dl_status (*load)(dlrt_instance *inst, const char *path);
  uint64_t (*step)(const dlrt_instance *inst);
  const char *(*last_error)(const dlrt_instance *inst);
  const char *(*creation_error)(void); /* the thread's last error of create/info */
  dl_status (*set_metadata)(dlrt_instance *inst, const char *key, const char *value);
  const char *(*metadata)(const dlrt_instance *inst, const char *key);
  dl_status (*set_communicator)(dlrt_instance *inst, const dl_communicator *comm);
  dl_status (*gradients)(dlrt_instance *inst, int32_t entry, float **data, size_t *count);
} dl_model_api;

/* 2: set_metadata and metadata (the checkpoint's application metadata) joined the table.
 * 3: set_communicator and gradients; the grad and apply entries; dl_entry_info's gradient area. */
#define DL_MODEL_ABI_VERSION 3u

const dl_model_api *dl_model_api_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* DL_MODEL_ABI_H */

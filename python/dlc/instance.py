"""One instance of a compiled model: its own parameters, state and workspace.

`lib.instance(seed=0)` creates one. Entries are called by name, `m.call("disc_step", real=x)`, or as
methods, `m.train_step(x=x, y=y)`: a train entry returns its loss as a float and advances the step
counter; forward and eval entries return a dict of fresh NumPy arrays by output name. Inputs are
checked before the call (_inputs.py), so the runtime only ever reads dense arrays of its own shapes.

The instance's memory belongs to a _Native object that the Instance and every array of m.params or
m.buffers share: close() gives up the Instance's share and the memory goes with the last share. One
instance runs one call at a time; calls from several threads take turns.
"""

import ctypes
import threading

import numpy as np

from . import _capi, errors, state
from ._inputs import bind_inputs
from .info import APPLY, GRAD, TRAIN, tensor_info
from ._util import check_status, fspath_bytes


class _Native:
    """Owns one dl_instance and destroys it when the last Python reference goes."""

    __slots__ = ("handle", "_destroy", "__weakref__")

    def __init__(self, api, handle):
        self.handle = handle
        self._destroy = api.dl_instance_destroy

    def __del__(self):
        handle, self.handle = self.handle, None
        if handle:
            self._destroy(handle)


class Instance:
    """An instance of a model. Create one with Library.instance()."""

    def __init__(self, library, handle, device, seed, threads):
        self._lock = threading.Lock()
        self._api = library._api
        self._native = _Native(self._api, handle)
        self.library = library  # keeps the Library (and its info) alive while the instance lives
        self.info = library.info
        self.device = device
        self.seed = seed
        self.threads = threads

    # Made on each access rather than stored, so that no cycle delays freeing an instance that
    # goes out of use without close().

    @property
    def params(self):
        """Parameters by name, each a NumPy view of the instance's memory (state.TensorMap)."""
        return state.TensorMap(self, self.info.params, "parameter")

    @property
    def buffers(self):
        """Buffers (model buffers and optimizer state) by name, as views like params."""
        return state.TensorMap(self, self.info.buffers, "buffer")

    @property
    def metadata(self):
        """The string pairs saved with checkpoints (state.Metadata)."""
        return state.Metadata(self)

    # Entries

    def call(self, entry, /, *args, **inputs):
        """Runs entry `entry` on inputs given in its order or by name. A train entry returns its loss
        (a float); forward and eval entries a dict of output name -> new NumPy array."""
        spec = self.info.entries.get(entry) if isinstance(entry, str) else None
        if spec is None:
            if not isinstance(entry, str):
                raise TypeError(f"an entry name must be a str, not {type(entry).__name__}")
            raise errors.InputError(f"model '{self.info.name}' has no entry '{entry}' "
                                    f"(its entries: {', '.join(self.info.entries)})")
        arrays = bind_inputs(spec, args, inputs)
        outputs = [np.empty(o.shape, o.dtype) for o in spec.outputs.values()]
        in_ptrs = (ctypes.c_void_p * max(len(arrays), 1))(*[a.ctypes.data for a in arrays])
        out_ptrs = (ctypes.c_void_p * max(len(outputs), 1))(*[o.ctypes.data for o in outputs])
        with self._lock:
            handle = self._handle()
            status = self._api.dl_instance_call(handle, entry.encode(), in_ptrs, len(arrays), out_ptrs, len(outputs))
            message = self._error(handle, status)
        check_status(status, message)
        if spec.kind in (TRAIN, GRAD, APPLY) and len(outputs) == 1:
            return float(outputs[0])
        return dict(zip(spec.outputs, outputs))

    def gradients(self, step="train_step"):
        """The gradient area of training step `step` as a float32 view (no copy): the count of
        batches `<step>_grad` accumulated, the sum of their losses, then each trained parameter's
        gradient sum, each at a 64-byte boundary. Sum it across processes (with your own
        all-reduce) before `<step>_apply`, which divides by the count; write to it only on the CPU."""
        data = ctypes.POINTER(ctypes.c_float)()
        count = ctypes.c_size_t()
        with self._lock:
            handle = self._handle()
            status = self._api.dl_instance_gradients(handle, step.encode(), ctypes.byref(data), ctypes.byref(count))
            message = self._error(handle, status)
        check_status(status, message)
        return np.ctypeslib.as_array(data, shape=(count.value,))

    def forward(self, *args, **inputs):
        """The forward entry: inference, inputs -> a dict of outputs by name."""
        return self.call("forward", *args, **inputs)

    def eval(self, *args, **inputs):
        """The eval entry: inference with targets, inputs -> a dict of losses and outputs by name."""
        return self.call("eval", *args, **inputs)

    def __getattr__(self, name):
        # Only reached for names that are no attribute: the model's entries, as methods.
        entries = self.__dict__.get("info").entries if "info" in self.__dict__ else {}
        if name.startswith("_") or name not in entries:
            known = f" (the model's entries: {', '.join(entries)})" if entries else ""
            raise AttributeError(f"'Instance' object has no attribute '{name}'{known}")

        def entry(*args, **inputs):
            return self.call(name, *args, **inputs)

        spec = entries[name]
        entry.__name__ = entry.__qualname__ = name
        entry.__doc__ = (f"Entry '{name}' ({spec.kind}) of model '{self.info.name}': "
                         f"inputs {', '.join(str(t) for t in spec.inputs.values()) or 'none'}; "
                         f"outputs {', '.join(str(t) for t in spec.outputs.values()) or 'none'}.")
        return entry

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.info.entries))

    # State

    @property
    def step(self):
        """The number of train steps taken (the checkpoint's step after a load)."""
        with self._lock:
            return int(self._api.dl_instance_step(self._handle()))

    def save(self, path):
        """Writes a checkpoint (safetensors: parameters, buffers, optimizer state, step, metadata)."""
        self._file_call(self._api.dl_instance_save, path, "the checkpoint's path")

    def load(self, path):
        """Reads a checkpoint of this model; on any error the instance is unchanged."""
        self._file_call(self._api.dl_instance_load, path, "the checkpoint's path")

    def _file_call(self, function, path, what):
        raw = fspath_bytes(path, what)
        with self._lock:
            handle = self._handle()
            status = function(handle, raw)
            message = self._error(handle, status)
        check_status(status, message)

    def _tensor(self, name):
        data = ctypes.c_void_p()
        c_info = ctypes.POINTER(_capi.dl_tensor_info)()
        with self._lock:
            handle = self._handle()
            status = self._api.dl_instance_tensor(handle, name.encode(), ctypes.byref(data), ctypes.byref(c_info))
            message = self._error(handle, status)
            native = self._native
        check_status(status, message)
        return state.view(data.value, tensor_info(c_info.contents), native)

    def _metadata(self, key):
        with self._lock:
            return _capi.text(self._api.dl_instance_metadata(self._handle(), key.encode()))

    def _set_metadata(self, key, value):
        with self._lock:
            handle = self._handle()
            status = self._api.dl_instance_set_metadata(handle, key.encode(), None if value is None else value.encode())
            message = self._error(handle, status)
        check_status(status, message)

    # Lifetime

    @property
    def closed(self):
        return self._native is None

    def close(self):
        """Gives the instance's memory back, once no array of m.params or m.buffers still views it.
        Any later use of the instance raises dlc.ClosedError."""
        with self._lock:
            self._native = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        if self.closed:
            return f"<dlc.Instance of {self.info.name!r} (closed)>"
        return f"<dlc.Instance of {self.info.name!r} on {self.device}, seed {self.seed}, step {self.step}>"

    # Called with self._lock held.

    def _handle(self):
        if self._native is None:
            raise errors.ClosedError(f"this instance of model '{self.info.name}' is closed")
        return self._native.handle

    def _error(self, handle, status):
        if status == _capi.DL_OK:
            return None
        return _capi.text(self._api.dl_instance_last_error(handle))

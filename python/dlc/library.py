"""A compiled model library (model.so) opened through libdlrt_loader.

`dlc.load(path)` opens one; `lib.info` describes it; `lib.instance(...)` creates an instance.
Closing a library while instances live is allowed: the runtime unloads it with its last instance,
and each Instance holds its Library, so nothing is unloaded from under Python code.
"""

import ctypes
import os
import threading

from . import _capi, errors
from ._util import check_integer, check_status, fspath_bytes
from .info import model_info
from .instance import Instance

_DEVICES = {"cpu": _capi.DL_DEVICE_CPU, "cuda": _capi.DL_DEVICE_CUDA}


class Library:
    """An opened model library. Use `dlc.load` or `dlc.compile` to get one.

    `info` describes the model (a ModelInfo); `path` is the file opened, or None when dlc.compile
    wrote it to a temporary file (removed once opened: the loaded library needs no file)."""

    def __init__(self, path):
        self._handle = None
        self._lock = threading.Lock()
        self._api = _capi.api()
        raw = fspath_bytes(path, "the model library's path")
        handle = ctypes.c_void_p()
        status = self._api.dl_library_open(raw, ctypes.byref(handle))
        check_status(status, _capi.text(self._api.dl_last_error()))
        self._handle = handle.value
        self.path = os.fsdecode(raw)
        try:
            self.info = model_info(self._api.dl_library_info(self._handle).contents)
        except BaseException:
            self.close()
            raise

    @property
    def closed(self):
        return self._handle is None

    @property
    def name(self):
        """The model's name in the .dl file."""
        return self.info.name

    def instance(self, seed=0, threads=0, device=None):
        """A new instance of the model: parameters drawn from their initializers with `seed` (an
        integer in [0, 2**64)), kernels on `threads` worker threads (0: one per core), on `device`
        ("cpu" or "cuda"; by default the first target the library was compiled for)."""
        if device is None:
            device = self.info.target.split(",")[0]
        if device not in _DEVICES:
            raise ValueError(f"device must be 'cpu' or 'cuda', not {device!r}")
        seed = check_integer(seed, "seed", 0, 2**64 - 1)
        threads = check_integer(threads, "threads", 0, 2**31 - 1)
        options = _capi.dl_options(_DEVICES[device], threads, seed)
        handle = ctypes.c_void_p()
        with self._lock:
            if self._handle is None:
                raise errors.ClosedError(f"the library of model '{self.info.name}' is closed")
            status = self._api.dl_instance_create(self._handle, ctypes.byref(options), ctypes.byref(handle))
            message = _capi.text(self._api.dl_last_error())
        check_status(status, message)
        return Instance(self, handle.value, device, seed, threads)

    def close(self):
        """Closes the library; instances already created keep working (and keep it loaded)."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            self._api.dl_library_close(handle)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        where = f" from {self.path!r}" if self.path else ""
        state = " (closed)" if self.closed else ""
        return f"<dlc.Library {self.info.name!r}{where}{state}>"


def load(path):
    """Opens a model library that dlc compiled (`dlc model.dl -o model.so`)."""
    return Library(path)

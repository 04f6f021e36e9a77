"""ctypes declarations of dl/runtime.h, and the one loader library they are bound to.

This module mirrors runtime/include/dl/runtime.h line for line (structures, enums, functions) and
finds libdlrt_loader: the file DLC_LOADER names, else the one installed beside this package
(P/lib/libdlrt_loader.so.0 for P/lib/python3/dist-packages/dlc). It does not check inputs or turn
statuses into exceptions; library.py and instance.py do.
"""

import ctypes
import os
import threading
from pathlib import Path

from . import errors

# dl_status
DL_OK = 0
DL_ERR_INVALID_ARGUMENT = 1
DL_ERR_IO = 2
DL_ERR_FORMAT = 3
DL_ERR_DEVICE = 4
DL_ERR_OUT_OF_MEMORY = 5
DL_ERR_NUMERIC = 6
DL_ERR_INTERNAL = 7

# dl_device
DL_DEVICE_CPU = 0
DL_DEVICE_CUDA = 1

# dl_dtype
DL_F32 = 0
DL_I32 = 1
DL_BOOL = 2

# dl_entry_kind
DL_ENTRY_FORWARD = 0
DL_ENTRY_EVAL = 1
DL_ENTRY_TRAIN = 2
DL_ENTRY_GRAD = 3
DL_ENTRY_APPLY = 4


class dl_options(ctypes.Structure):
    _fields_ = [("device", ctypes.c_int), ("threads", ctypes.c_int), ("seed", ctypes.c_uint64)]


class dl_tensor_info(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int),
        ("rank", ctypes.c_int),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("bytes", ctypes.c_size_t),
    ]


class dl_entry_info(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("kind", ctypes.c_int),
        ("n_inputs", ctypes.c_int),
        ("inputs", ctypes.POINTER(dl_tensor_info)),
        ("n_outputs", ctypes.c_int),
        ("outputs", ctypes.POINTER(dl_tensor_info)),
        ("grad_offset", ctypes.c_size_t),
        ("grad_bytes", ctypes.c_size_t),
    ]


class dl_model_info(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("target", ctypes.c_char_p),
        ("n_entries", ctypes.c_int),
        ("entries", ctypes.POINTER(dl_entry_info)),
        ("n_params", ctypes.c_int),
        ("params", ctypes.POINTER(dl_tensor_info)),
        ("n_buffers", ctypes.c_int),
        ("buffers", ctypes.POINTER(dl_tensor_info)),
        ("param_bytes", ctypes.c_size_t),
        ("state_bytes", ctypes.c_size_t),
        ("workspace_bytes", ctypes.c_size_t),
    ]


_c = ctypes
_p = ctypes.c_void_p  # dl_library *, dl_instance *: opaque
_SIGNATURES = {
    # name: (restype, argtypes)
    "dl_status_name": (_c.c_char_p, [_c.c_int]),
    "dl_dtype_name": (_c.c_char_p, [_c.c_int]),
    "dl_last_error": (_c.c_char_p, []),
    "dl_library_open": (_c.c_int, [_c.c_char_p, _c.POINTER(_p)]),
    "dl_library_close": (None, [_p]),
    "dl_library_info": (_c.POINTER(dl_model_info), [_p]),
    "dl_library_find_entry": (_c.c_int, [_p, _c.c_char_p]),
    "dl_instance_create": (_c.c_int, [_p, _c.POINTER(dl_options), _c.POINTER(_p)]),
    "dl_instance_destroy": (None, [_p]),
    "dl_instance_call": (_c.c_int, [_p, _c.c_char_p, _c.POINTER(_p), _c.c_int, _c.POINTER(_p), _c.c_int]),
    "dl_instance_tensor": (_c.c_int, [_p, _c.c_char_p, _c.POINTER(_p), _c.POINTER(_c.POINTER(dl_tensor_info))]),
    "dl_instance_save": (_c.c_int, [_p, _c.c_char_p]),
    "dl_instance_load": (_c.c_int, [_p, _c.c_char_p]),
    "dl_instance_step": (_c.c_uint64, [_p]),
    "dl_instance_set_metadata": (_c.c_int, [_p, _c.c_char_p, _c.c_char_p]),
    "dl_instance_metadata": (_c.c_char_p, [_p, _c.c_char_p]),
    "dl_instance_last_error": (_c.c_char_p, [_p]),
    "dl_instance_gradients": (_c.c_int, [_p, _c.c_char_p, _c.POINTER(_c.POINTER(_c.c_float)), _c.POINTER(_c.c_size_t)]),
    # dl_instance_set_communicator is left out: a communicator's functions are C callbacks that
    # Python would have to implement and keep alive; use dl-run under mpirun, or C.
}


def loader_candidates():
    """The paths tried for libdlrt_loader, in order: DLC_LOADER alone when it is set."""
    override = os.environ.get("DLC_LOADER")
    if override:
        return [Path(override)]
    lib = Path(__file__).resolve().parents[3]  # P/lib from P/lib/python3/dist-packages/dlc
    return [lib / "libdlrt_loader.so.0", lib / "libdlrt_loader.so"]


_api = None
_api_lock = threading.Lock()


def api():
    """The loader library with every function of runtime.h declared; loaded on first use."""
    global _api
    with _api_lock:
        if _api is None:
            _api = _open_loader()
        return _api


def _open_loader():
    candidates = loader_candidates()
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        tried = ", ".join(str(p) for p in candidates)
        hint = "" if os.environ.get("DLC_LOADER") else " (set DLC_LOADER to the loader's path)"
        raise errors.Error(f"cannot find the dlc runtime loader libdlrt_loader: tried {tried}{hint}")
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as e:
        raise errors.Error(f"cannot load the dlc runtime loader {path}: {e}") from None
    for name, (restype, argtypes) in _SIGNATURES.items():
        try:
            function = getattr(lib, name)
        except AttributeError:
            raise errors.Error(f"{path} is no dlc runtime loader: it lacks {name}") from None
        function.restype = restype
        function.argtypes = argtypes
    lib.path = path
    return lib


def text(c_string):
    """A C string from the runtime as str (None stays None); bytes that are not UTF-8 are escaped."""
    return None if c_string is None else c_string.decode("utf-8", "backslashreplace")

"""dlc from Python: compile a .dl network, then train and run it on NumPy arrays.

    import dlc, numpy as np
    lib = dlc.compile("examples/xor.dl")               # or dlc.load("xor.so")
    with lib.instance(seed=0) as m:
        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
        y = np.array([[0], [1], [1], [0]], np.float32)
        for _ in range(300):
            loss = m.train_step(x=x, y=y)              # every train entry by its name
        p = m.forward(x=x)["p"]                        # outputs by name
        m.params["hidden.W"]                           # the model's memory, no copy
        m.save("xor.ckpt")

Pure Python over ctypes and NumPy: the C API of dl/runtime.h, through libdlrt_loader. Modules:
_capi (the ctypes declarations), library (dlc.load, Library), compiler (dlc.compile), instance
(Instance), state (params, buffers, metadata), _inputs (checking inputs), info (ModelInfo),
errors (the exceptions), _util (checks of paths, integers and statuses).
"""

from .compiler import compile, compiler_path
from .errors import ClosedError, CompileError, Error, InputError, RuntimeError
from .info import EntryInfo, ModelInfo, TensorInfo
from .instance import Instance
from .library import Library, load

__all__ = [
    "compile", "load", "compiler_path", "Library", "Instance", "ModelInfo", "EntryInfo", "TensorInfo",
    "Error", "CompileError", "InputError", "RuntimeError", "ClosedError",
]

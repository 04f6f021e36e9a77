"""What a compiled model holds: its entries, parameters and buffers, as plain Python values.

`Library.info` is a ModelInfo, copied out of the library's dl_model_info once when it is opened, so
it stays valid after the library is closed. Shapes are tuples of ints, dtypes NumPy dtypes
(float32, int32, bool: the runtime's f32, i32 and one-byte bool), sizes in bytes.
"""

from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np

from . import _capi, errors

FORWARD = "forward"
EVAL = "eval"
TRAIN = "train"
GRAD = "grad"
APPLY = "apply"

_KINDS = {_capi.DL_ENTRY_FORWARD: FORWARD, _capi.DL_ENTRY_EVAL: EVAL, _capi.DL_ENTRY_TRAIN: TRAIN,
          _capi.DL_ENTRY_GRAD: GRAD, _capi.DL_ENTRY_APPLY: APPLY}
_DTYPES = {_capi.DL_F32: np.dtype(np.float32), _capi.DL_I32: np.dtype(np.int32), _capi.DL_BOOL: np.dtype(np.bool_)}
_DTYPE_NAMES = {np.dtype(np.float32): "f32", np.dtype(np.int32): "i32", np.dtype(np.bool_): "bool"}


@dataclass(frozen=True)
class TensorInfo:
    """An input, output, parameter or buffer: its name, dtype, shape and size in bytes."""

    name: str
    dtype: np.dtype
    shape: Tuple[int, ...]
    nbytes: int

    @property
    def type_string(self):
        """The runtime's spelling of the type: f32[4, 2]."""
        return f"{_DTYPE_NAMES[self.dtype]}[{', '.join(str(d) for d in self.shape)}]"

    def __str__(self):
        return f"{self.name} {self.type_string}"


@dataclass(frozen=True)
class EntryInfo:
    """An entry point: its name, its kind ("forward", "eval", "train", "grad" or "apply"), inputs and
    outputs by name, in the order the C API takes them. A train, grad or apply entry's one output is
    its loss; an eval entry's outputs are its losses, then the model's outputs."""

    name: str
    kind: str
    inputs: Dict[str, TensorInfo]
    outputs: Dict[str, TensorInfo]


@dataclass(frozen=True)
class ModelInfo:
    """A compiled model: its name, target ("cpu", "cuda" or "cpu,cuda"), entries, parameters and
    buffers (model buffers and optimizer state) by name, and the memory plan's byte counts."""

    name: str
    target: str
    entries: Dict[str, EntryInfo]
    params: Dict[str, TensorInfo]
    buffers: Dict[str, TensorInfo]
    param_bytes: int
    state_bytes: int
    workspace_bytes: int

    def __str__(self):
        """The listing `dl-run info` prints."""
        lines = [f"model {self.name} (target {self.target})", "entries:"]
        for entry in self.entries.values():
            lines.append(f"  {entry.name} ({entry.kind})")
            for heading, tensors in (("inputs", entry.inputs), ("outputs", entry.outputs)):
                lines.append(f"    {heading}:" + ("" if tensors else " none"))
                lines += [f"      {t}" for t in tensors.values()]
        for heading, tensors in (("params", self.params), ("buffers", self.buffers)):
            total = sum(t.nbytes for t in tensors.values())
            lines.append(f"{heading} ({len(tensors)}, {total} bytes):")
            lines += [f"  {t}  {t.nbytes} bytes" for t in tensors.values()]
        lines.append(f"memory: params {self.param_bytes} bytes, state {self.state_bytes} bytes, "
                     f"workspace {self.workspace_bytes} bytes")
        return "\n".join(lines)


def tensor_info(c_tensor):
    """A TensorInfo copied from a dl_tensor_info."""
    dtype = _DTYPES.get(c_tensor.dtype)
    name = _capi.text(c_tensor.name)
    if dtype is None:
        raise _unknown(f"tensor '{name}' has dtype {c_tensor.dtype}")
    shape = tuple(int(c_tensor.shape[d]) for d in range(c_tensor.rank))
    return TensorInfo(name, dtype, shape, int(c_tensor.bytes))


def _tensors(array, count):
    result = {}
    for i in range(count):
        t = tensor_info(array[i])
        result[t.name] = t
    return result


def model_info(c_model):
    """A ModelInfo copied from a dl_model_info."""
    entries = {}
    for i in range(c_model.n_entries):
        e = c_model.entries[i]
        name = _capi.text(e.name)
        kind = _KINDS.get(e.kind)
        if kind is None:
            raise _unknown(f"entry '{name}' has kind {e.kind}")
        entries[name] = EntryInfo(name, kind, _tensors(e.inputs, e.n_inputs), _tensors(e.outputs, e.n_outputs))
    return ModelInfo(
        name=_capi.text(c_model.name),
        target=_capi.text(c_model.target),
        entries=entries,
        params=_tensors(c_model.params, c_model.n_params),
        buffers=_tensors(c_model.buffers, c_model.n_buffers),
        param_bytes=int(c_model.param_bytes),
        state_bytes=int(c_model.state_bytes),
        workspace_bytes=int(c_model.workspace_bytes),
    )


def _unknown(what):
    return errors.Error(f"this dlc package does not know the model's description: {what}")


def dtype_name(dtype):
    """The runtime's name of a dtype (f32, i32, bool), else NumPy's."""
    return _DTYPE_NAMES.get(np.dtype(dtype), np.dtype(dtype).name)

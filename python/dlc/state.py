"""An instance's parameters, buffers and checkpoint metadata, seen from Python.

`m.params` and `m.buffers` map names to NumPy arrays that view the instance's own memory
(dl_instance_tensor): no copy is made, and writing into an array changes the model. Each array keeps
the instance's memory alive, even past `m.close()`, so a view never dangles. On a CUDA instance the
state lives on the GPU: looking a tensor up brings it to the host, and the array is current until
the next call of an entry, after which it must be looked up again (m.params[name]).

`m.metadata` holds the string pairs saved with checkpoints (dl_instance_set_metadata).
"""

from collections.abc import Mapping

import numpy as np

from ._inputs import checked_array


class _Memory:
    """Hands NumPy a pointer into an instance's state, and keeps that state alive (`owner`) for as
    long as any array made from it exists."""

    def __init__(self, address, dtype, shape, owner):
        self.__array_interface__ = {
            "data": (address, False),
            "shape": shape,
            "typestr": dtype.str,
            "version": 3,
        }
        self._owner = owner


def view(address, tensor, owner):
    """A writable array of `tensor` (a TensorInfo) at `address`, keeping `owner` alive."""
    if tensor.nbytes == 0 or not address:
        return np.zeros(tensor.shape, tensor.dtype)
    return np.asarray(_Memory(address, tensor.dtype, tensor.shape, owner))


class TensorMap(Mapping):
    """Parameters or buffers by name, each a view of the instance's memory. Assigning an array to a
    name copies it in (same checks as an entry's input: dtype, shape, no value changed)."""

    def __init__(self, instance, tensors, kind):
        self._instance = instance
        self._tensors = tensors
        self._kind = kind

    def __getitem__(self, name):
        if name not in self._tensors:
            raise KeyError(f"model '{self._instance.info.name}' has no {self._kind} {name!r}")
        return self._instance._tensor(name)

    def __setitem__(self, name, value):
        target = self[name]
        target[...] = checked_array(f"{self._kind} '{name}'", self._tensors[name], value)

    def __iter__(self):
        return iter(self._tensors)

    def __len__(self):
        return len(self._tensors)

    def __contains__(self, name):
        return name in self._tensors

    def info(self, name):
        """The TensorInfo of `name`: dtype, shape, bytes."""
        return self._tensors[name]

    def __repr__(self):
        items = ", ".join(str(t) for t in self._tensors.values())
        return f"<{self._kind}s of {self._instance.info.name!r}: {items}>"


class Metadata:
    """The instance's checkpoint metadata: string keys to string values, saved by m.save() and
    replaced by m.load(). The runtime's own keys (format, model, step) cannot be set. The C API
    cannot list the keys, so this is no full mapping: get, set, delete and `in` by key."""

    def __init__(self, instance):
        self._instance = instance

    def __getitem__(self, key):
        value = self._instance._metadata(_text(key, "a metadata key"))
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key, default=None):
        value = self._instance._metadata(_text(key, "a metadata key"))
        return default if value is None else value

    def __contains__(self, key):
        return self.get(key) is not None

    def __setitem__(self, key, value):
        self._instance._set_metadata(_text(key, "a metadata key"), _text(value, "a metadata value"))

    def __delitem__(self, key):
        if key not in self:
            raise KeyError(key)
        self._instance._set_metadata(_text(key, "a metadata key"), None)


def _text(value, what):
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{what} contains a NUL character: {value!r}")
    return value

"""Checks shared by the package's modules: paths, integers, and the runtime's statuses."""

import operator
import os

from . import _capi, errors


def fspath_bytes(path, what):
    """A path (str, bytes or os.PathLike) as the bytes the C API takes; no NUL may be inside."""
    try:
        raw = os.fsencode(path)
    except TypeError:
        raise TypeError(f"{what} must be a path (str, bytes or os.PathLike), not {type(path).__name__}") from None
    if b"\0" in raw:
        raise ValueError(f"{what} contains a NUL character: {path!r}")
    return raw


def check_status(status, message):
    """Raises dlc.RuntimeError for an error status, with `message` (the runtime's) and its name."""
    if status != _capi.DL_OK:
        name = _capi.text(_capi.api().dl_status_name(status))
        raise errors.RuntimeError(message or f"dlc runtime error ({name})", name, status)


def check_integer(value, what, lo, hi):
    """`value` as an int in [lo, hi]; a bool or a float is a mistake, not a number."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, not a bool")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, not {type(value).__name__}") from None
    if not lo <= number <= hi:
        raise ValueError(f"{what} must be in [{lo}, {hi}], not {number}")
    return number

"""Checking an entry's inputs before the call, so that the runtime only ever sees dense host arrays
of the exact dtype and shape it was compiled for.

Each input must be named once; it may be a NumPy array or anything np.asarray takes (a list, a
number). Its shape must equal the input's. An array of another dtype is converted only when no
value changes (2.5 is no i32, 0.1 no f32, 2 no bool); a NumPy array that is not C-contiguous or not
aligned is refused rather than copied behind the caller's back. Every refusal is a dlc.InputError
that names the entry, the input and both types.
"""

import numpy as np

from . import errors
from .info import dtype_name


def _type_string(dtype, shape):
    return f"{dtype_name(dtype)}[{', '.join(str(d) for d in shape)}]"


def _changed_element(original, converted):
    """The index of the first element whose value the conversion changed, or None."""
    with np.errstate(invalid="ignore", over="ignore"):
        back = converted.astype(original.dtype)
    same = back == original
    if original.dtype.kind == "f":
        same |= np.isnan(back) & np.isnan(original)
    if same.all():
        return None
    flat = int(np.argmin(same.reshape(-1)))
    return np.unravel_index(flat, original.shape) if original.ndim else ()


def check_input(entry, spec, value):
    """`value` as an array the runtime may read for input `spec` of `entry` (an EntryInfo)."""
    return checked_array(f"input '{spec.name}' of entry '{entry.name}'", spec, value)


def checked_array(where, spec, value):
    """`value` as a C-contiguous, aligned array of `spec`'s dtype and shape, converted only when no
    value changes; `where` names it in the InputError raised otherwise."""
    wanted = spec.type_string
    if isinstance(value, np.ndarray):
        array = value
    else:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as e:
            raise errors.InputError(f"{where} ({wanted}) is no array: {e}") from None
    if array.dtype.kind in "biuf":
        given = _type_string(array.dtype, array.shape)
    else:
        given = f"{array.dtype}{list(array.shape)}"
    if array.shape != spec.shape:
        raise errors.InputError(f"{where} must have shape {spec.shape} ({wanted}); the array given has "
                                f"shape {array.shape} ({given})")
    if not array.flags.c_contiguous or not array.flags.aligned:
        layout = "C-contiguous" if not array.flags.c_contiguous else "aligned"
        raise errors.InputError(f"{where} ({wanted}) is not {layout}; pass np.ascontiguousarray(...) of it")
    if array.dtype == spec.dtype:
        return array
    if array.dtype.kind not in "biuf":
        raise errors.InputError(f"{where} must be {wanted}; the array given has dtype {array.dtype}, "
                                f"which does not convert")
    with np.errstate(invalid="ignore", over="ignore"):
        converted = array.astype(spec.dtype)
    index = _changed_element(array, converted)
    if index is not None:
        element = (array[index] if array.ndim else array[()]).item()
        position = f" [{', '.join(str(int(i)) for i in index)}]" if array.ndim else ""
        raise errors.InputError(
            f"{where} must be {wanted}; the array given is {given}, and its element{position} = {element!r} "
            f"would change as {dtype_name(spec.dtype)} (arrays are converted only when every value stays "
            f"the same; .astype(np.{spec.dtype.name}) converts anyway)")
    return converted


def bind_inputs(entry, args, kwargs):
    """The entry's inputs in the order the C API takes them, from positional values (in that order)
    and values by name; each checked by check_input."""
    names = list(entry.inputs)
    if len(args) > len(names):
        raise errors.InputError(f"entry '{entry.name}' takes {len(names)} input{'s' if len(names) != 1 else ''} "
                                f"({_list(entry)}), got {len(args)} positional values")
    values = dict(zip(names, args))
    for name, value in kwargs.items():
        if name not in entry.inputs:
            raise errors.InputError(f"entry '{entry.name}' has no input '{name}' (its inputs: {_list(entry)})")
        if name in values:
            raise errors.InputError(f"input '{name}' of entry '{entry.name}' is given twice, by position and by name")
        values[name] = value
    missing = [str(spec) for name, spec in entry.inputs.items() if name not in values]
    if missing:
        raise errors.InputError(f"entry '{entry.name}' also needs {', '.join(missing)}")
    return [check_input(entry, spec, values[name]) for name, spec in entry.inputs.items()]


def _list(entry):
    return ", ".join(str(spec) for spec in entry.inputs.values()) or "none"

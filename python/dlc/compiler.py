"""dlc.compile: running the dlc compiler and opening what it wrote.

The compiler is the file DLC_COMPILER names, else the dlc installed with this package
(P/bin/dlc for P/lib/python3/dist-packages/dlc). Its error messages become dlc.CompileError as dlc
printed them (file:line:col: error: ..., the source line and a caret).
"""

import os
import subprocess
import tempfile
from pathlib import Path

from . import errors
from .library import Library

_TARGETS = ("cpu", "cuda", "cpu,cuda")


def compiler_path():
    """The dlc executable to run; raises dlc.Error saying where it looked when there is none."""
    override = os.environ.get("DLC_COMPILER")
    candidates = [Path(override)] if override else [Path(__file__).resolve().parents[4] / "bin" / "dlc"]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    hint = "" if override else " (set DLC_COMPILER to the compiler's path)"
    raise errors.Error(f"cannot find the dlc compiler: tried {', '.join(str(p) for p in candidates)}{hint}")


def _define(name, value):
    """One -D argument: NAME=VALUE for an int, a float or a bool (true/false)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a define's name must be an identifier, not {name!r}")
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    else:
        raise TypeError(f"define {name} must be an int, a float or a bool, not {type(value).__name__}")
    return f"{name}={text}"


def compile(path, defines=None, target="cpu", output=None):
    """Compiles a .dl file with dlc and opens the library. `defines` overrides the file's consts
    ({"B": 32}, dlc -D); `target` is "cpu", "cuda" or "cpu,cuda"; `output` is where to write the
    library (by default a temporary file, removed once opened: the open library needs no file)."""
    if target not in _TARGETS:
        raise ValueError(f"target must be one of {', '.join(_TARGETS)}, not {target!r}")
    source = os.fspath(path)
    arguments = []
    for name, value in (defines or {}).items():
        arguments += ["-D", _define(name, value)]
    dlc = compiler_path()
    with tempfile.TemporaryDirectory(prefix="dlc-python-") as folder:
        library = os.fspath(output) if output is not None else os.path.join(folder, "model.so")
        command = [str(dlc), source, "-o", library, f"--target={target}"] + arguments
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
        if result.returncode != 0:
            message = result.stderr.strip() or result.stdout.strip() or f"dlc exited with status {result.returncode}"
            raise errors.CompileError(message, result.returncode, command)
        opened = Library(library)
        if output is None:
            opened.path = None
        return opened

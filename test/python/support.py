"""What the Python tests share: the examples' folder, a scratch folder, and compiling a model once.

The tests import `dlc` from PYTHONPATH (ctest points it at the installed package,
<build>/test/install/prefix/lib/python3/dist-packages) and so use the dlc compiler and loader
installed beside it, or those DLC_COMPILER and DLC_LOADER name.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

import dlc

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

_scratch = None
_compiled = {}


def scratch():
    """A folder of this test process, removed at its end."""
    global _scratch
    if _scratch is None:
        _scratch = Path(tempfile.mkdtemp(prefix="dlc-python-test-"))
        atexit.register(shutil.rmtree, _scratch, True)
    return _scratch


def compiled(example, **defines):
    """The path of examples/<example>.dl compiled with `defines`, compiled once per process."""
    key = (example, tuple(sorted(defines.items())))
    if key not in _compiled:
        suffix = "".join(f"-{k}{v}" for k, v in key[1])
        output = scratch() / f"{example}{suffix}.so"
        dlc.compile(EXAMPLES / f"{example}.dl", defines=defines, output=output).close()
        _compiled[key] = output
    return _compiled[key]


XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_Y = [[0], [1], [1], [0]]

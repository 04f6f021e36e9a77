"""The exceptions of the dlc package.

Every exception the package raises on purpose derives from `dlc.Error`. Each also derives from the
built-in exception a NumPy or PyTorch user would catch for the same mistake, so `except ValueError`
and `except RuntimeError` keep working:

    Error               anything from dlc
    CompileError        dlc refused the program or its command line; the message is dlc's own
    InputError          an input of an entry is unknown, missing, or of the wrong dtype or shape
                        (a ValueError and a TypeError, as NumPy's AxisError is a ValueError and an
                        IndexError)
    RuntimeError        the runtime returned an error status: its message, and .status (the
                        dl_status name: "i/o error", "format error", ...) and .code (its number)
    ClosedError         a library or instance used after close() (a ValueError, as a closed file)
"""

import builtins


class Error(Exception):
    """Base of every exception the dlc package raises."""


class CompileError(Error):
    """dlc failed; `message` is what it printed (file:line:col: error: ..., with the source line)."""

    def __init__(self, message, returncode=None, command=None):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.command = command


class InputError(Error, ValueError, TypeError):
    """An entry's input is unknown, missing, or of the wrong dtype, shape or layout."""


class RuntimeError(Error, builtins.RuntimeError):
    """The runtime (libdlrt_loader or the model) returned an error status."""

    def __init__(self, message, status, code):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class ClosedError(Error, ValueError):
    """A library or instance was used after close()."""

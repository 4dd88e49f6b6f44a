"""The library's log (never holds secrets).

Until the program says otherwise, warnings and errors go to the :mod:`logging` logger
``"authtoken"`` (so that, with logging left unconfigured, Python prints them on stderr): a
session logout that could not revoke the grant, a token file that cannot be used, a refresh
that failed while the current token is still good. :func:`set_log_callback` or :func:`log_to`
replace that; ``set_log_callback(None)`` turns the log off.
"""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Any, Callable, List, Optional

from . import _native
from ._native import lib, text

ERROR, WARNING, INFO, DEBUG = 1, 2, 3, 4
_LEVELS = {ERROR: logging.ERROR, WARNING: logging.WARNING, INFO: logging.INFO, DEBUG: logging.DEBUG}

#: The logger the library's log goes to by default.
LOGGER = logging.getLogger("authtoken")

# The C callbacks installed so far: a replaced one may still be running on another thread, so
# none is ever released (one small object per call of set_log_callback).
_installed: List[Any] = []
# The calling thread's own callback, kept alive while it is installed.
_thread = threading.local()

LogCallback = Callable[[int, str], None]


def _c_callback(callback: LogCallback) -> Any:
    def trampoline(_user_data: Any, level: int, message: bytes) -> None:
        try:
            callback(int(level), text(message))
        except BaseException:
            pass

    return _native.LOG_FN(trampoline)


def set_log_callback(callback: Optional[LogCallback], max_level: int = INFO) -> None:
    """Sends the library's log lines up to ``max_level`` (1 error ... 4 debug) to
    ``callback(level, message)``, in place of the default (warnings and errors to the logger
    ``"authtoken"``); ``None`` turns logging off. It may be called from any thread; exceptions
    it raises are ignored."""
    if callback is None:
        lib.auth_set_log_callback(_native.LOG_FN(), None, 0)
        return
    c_fn = _c_callback(callback)
    _installed.append(c_fn)
    lib.auth_set_log_callback(c_fn, None, int(max_level))


def set_thread_log_callback(callback: Optional[LogCallback], max_level: int = INFO) -> None:
    """Sends what the library logs on the calling thread (and on it only) to
    ``callback(level, message)`` instead of to the process's callback, up to ``max_level``;
    ``None`` removes it (``auth_set_thread_log_callback``). E.g. to show the warnings of one
    call to the user who made it."""
    if callback is None:
        lib.auth_set_thread_log_callback(_native.LOG_FN(), None, 0)
        _thread.callback = None
        return
    c_fn = _c_callback(callback)
    _thread.callback = c_fn
    lib.auth_set_thread_log_callback(c_fn, None, int(max_level))


def log_to(logger: logging.Logger, max_level: int = INFO) -> None:
    """Sends the library's log to a :mod:`logging` logger."""
    set_log_callback(lambda level, msg: logger.log(_LEVELS.get(level, logging.DEBUG), msg), max_level)


def _install_default() -> None:
    log_to(LOGGER, WARNING)
    # No Python callback may run once the interpreter is being torn down.
    atexit.register(lambda: lib.auth_set_log_callback(_native.LOG_FN(), None, 0))


# When the library is first used (importing the package does not load it).
lib.on_load.append(_install_default)

"""The library's log (off by default; never holds secrets)."""

from __future__ import annotations

import logging
from typing import Any, Callable, List, Optional

from . import _native
from ._native import lib, text

ERROR, WARNING, INFO, DEBUG = 1, 2, 3, 4
_LEVELS = {ERROR: logging.ERROR, WARNING: logging.WARNING, INFO: logging.INFO, DEBUG: logging.DEBUG}

# The C callbacks installed so far: a replaced one may still be running on another thread, so
# none is ever released (one small object per call of set_log_callback).
_installed: List[Any] = []


def set_log_callback(callback: Optional[Callable[[int, str], None]], max_level: int = INFO) -> None:
    """Sends the library's log lines up to ``max_level`` (1 error ... 4 debug) to
    ``callback(level, message)``; ``None`` turns logging off. It may be called from any
    thread; exceptions it raises are ignored."""
    if callback is None:
        lib.auth_set_log_callback(_native.LOG_FN(), None, 0)
        return

    def trampoline(_user_data: Any, level: int, message: bytes) -> None:
        try:
            callback(int(level), text(message))
        except BaseException:
            pass

    c_fn = _native.LOG_FN(trampoline)
    _installed.append(c_fn)
    lib.auth_set_log_callback(c_fn, None, int(max_level))


def log_to(logger: logging.Logger, max_level: int = INFO) -> None:
    """Sends the library's log to a :mod:`logging` logger."""
    set_log_callback(lambda level, msg: logger.log(_LEVELS.get(level, logging.DEBUG), msg), max_level)

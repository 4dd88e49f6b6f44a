"""Result codes and the exception hierarchy: one class per code of the C API (generated from
the header in ``_error_classes.py``, re-exported here)."""

from __future__ import annotations

from . import _error_classes
from ._auth_error import AuthError
from ._error_classes import *  # noqa: F403 (every class, listed in its __all__)
from ._error_classes import BY_CODE
from ._native import lib, text
from ._tables import Result

__all__ = ["AuthError", "Result", "error_from_last", "check", "result_name"]
__all__ += _error_classes.__all__


def error_from_last(code: int) -> AuthError:
    """The exception for ``code``, with this thread's last error details (read at once)."""
    message = text(lib.auth_last_error())
    oauth_error = text(lib.auth_last_oauth_error())
    http_status = int(lib.auth_last_http_status())
    cls = BY_CODE.get(code, AuthError)
    return cls(message or text(lib.auth_result_name(code)), code, oauth_error, http_status)


def check(code: int) -> None:
    """Raises the matching :class:`AuthError` unless ``code`` is ``AUTH_OK``."""
    if code != 0:
        raise error_from_last(code)


def result_name(code: int) -> str:
    """``auth_result_name``: e.g. ``"AUTH_ERROR_INVALID_GRANT"``."""
    return text(lib.auth_result_name(int(code)))

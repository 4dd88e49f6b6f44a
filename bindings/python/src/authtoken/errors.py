"""Result codes and the exception hierarchy (one class per code of the C API)."""

from __future__ import annotations

import enum
from typing import Dict, Optional, Type

from ._native import lib, text


class Result(enum.IntEnum):
    """``auth_result``: the values are fixed by the C contract."""

    OK = 0
    INVALID_ARGUMENT = 1
    NOT_REFRESHABLE = 2
    NETWORK = 3
    TIMEOUT = 4
    PROTOCOL = 5
    OAUTH = 6
    INVALID_GRANT = 7
    INVALID_CLIENT = 8
    ACCESS_DENIED = 9
    CANCELLED = 10
    STATE_MISMATCH = 11
    ID_TOKEN = 12
    REDIRECT = 13
    BROWSER = 14
    FORMAT = 15
    IO = 16
    UNSUPPORTED = 17
    INTERNAL = 99


class AuthError(Exception):
    """A failure of the library.

    ``code`` is the :class:`Result`, ``oauth_error`` the server's OAuth ``error`` (``""`` if
    none), ``http_status`` the HTTP status of the answer (0 if none), ``message`` the text.
    """

    code: Result = Result.INTERNAL

    def __init__(
        self, message: str, code: Optional[int] = None, oauth_error: str = "", http_status: int = 0
    ) -> None:
        super().__init__(message)
        if code is not None:
            try:
                self.code = Result(code)
            except ValueError:
                self.code = Result.INTERNAL
        self.message = message
        self.oauth_error = oauth_error
        self.http_status = http_status

    def __str__(self) -> str:
        extra = []
        if self.oauth_error:
            extra.append(f"oauth_error={self.oauth_error}")
        if self.http_status:
            extra.append(f"http_status={self.http_status}")
        tail = f" ({', '.join(extra)})" if extra else ""
        return f"{self.code.name}: {self.message}{tail}"


class InvalidArgument(AuthError, ValueError):
    code = Result.INVALID_ARGUMENT


class NotRefreshable(AuthError):
    code = Result.NOT_REFRESHABLE


class Network(AuthError):
    code = Result.NETWORK


class Timeout(AuthError):
    code = Result.TIMEOUT


class Protocol(AuthError):
    code = Result.PROTOCOL


class OAuth(AuthError):
    code = Result.OAUTH


class InvalidGrant(AuthError):
    code = Result.INVALID_GRANT


class InvalidClient(AuthError):
    code = Result.INVALID_CLIENT


class AccessDenied(AuthError):
    code = Result.ACCESS_DENIED


class Cancelled(AuthError):
    code = Result.CANCELLED


class StateMismatch(AuthError):
    code = Result.STATE_MISMATCH


class IdToken(AuthError):
    code = Result.ID_TOKEN


class Redirect(AuthError):
    code = Result.REDIRECT


class Browser(AuthError):
    code = Result.BROWSER


class Format(AuthError):
    code = Result.FORMAT


class IO(AuthError):
    code = Result.IO


class Unsupported(AuthError):
    code = Result.UNSUPPORTED


class Internal(AuthError):
    code = Result.INTERNAL


_BY_CODE: Dict[int, Type[AuthError]] = {
    cls.code.value: cls
    for cls in (
        InvalidArgument, NotRefreshable, Network, Timeout, Protocol, OAuth, InvalidGrant,
        InvalidClient, AccessDenied, Cancelled, StateMismatch, IdToken, Redirect, Browser,
        Format, IO, Unsupported, Internal,
    )
}


def error_from_last(code: int) -> AuthError:
    """The exception for ``code``, with this thread's last error details (read at once)."""
    message = text(lib.auth_last_error())
    oauth_error = text(lib.auth_last_oauth_error())
    http_status = int(lib.auth_last_http_status())
    cls = _BY_CODE.get(code, AuthError)
    return cls(message or text(lib.auth_result_name(code)), code, oauth_error, http_status)


def check(code: int) -> None:
    """Raises the matching :class:`AuthError` unless ``code`` is ``AUTH_OK``."""
    if code != 0:
        raise error_from_last(code)


def result_name(code: int) -> str:
    """``auth_result_name``: e.g. ``"AUTH_ERROR_INVALID_GRANT"``."""
    return text(lib.auth_result_name(int(code)))

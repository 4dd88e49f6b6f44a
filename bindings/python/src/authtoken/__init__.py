"""authtoken: OAuth 2.0 and OpenID Connect for Python, over the libauthtoken C library.

    params = OpenIDParameters(client_id="my-app", configuration_url="https://id.example.com",
                              scope="openid profile offline_access")
    token = identify(params)          # the browser opens; the user signs in
    print(read_identity(token).source)

Every blocking call releases the GIL. Failures raise :class:`AuthError` subclasses that
mirror the C result codes (``InvalidGrant``, ``Network``, ...).
"""

from __future__ import annotations

from ._native import FunctionUnavailable, lib as _lib, text as _text
from . import _error_classes
from ._error_classes import *  # noqa: F403 (one exception class per result code: InvalidGrant, ...)
from .errors import AuthError, Result, result_name
from .flows import (
    create_jwt_assertion,
    exchange_token,
    get_user_info,
    identify,
    import_token,
    introspect_token,
    logout,
    parse_challenge,
    read_identity,
    refresh_token,
    revoke_token,
    step_up,
    verify_authentication,
)
from .identity import Identity
from .log import log_to, set_log_callback, set_thread_log_callback
from .login import Login
from ._tables import Kind, Option
from .params import (
    DevicePrompt,
    JWTParameters,
    OAuth2Parameters,
    OpenIDParameters,
    Parameters,
)
from .session import Session, open_session
from .token import Token


def version() -> str:
    """The version of the loaded libauthtoken."""
    return _text(_lib.auth_version())


def library_path() -> str:
    """Where the loaded libauthtoken was found."""
    _lib.auth_version()
    return _lib.path or ""


def has_function(name: str) -> bool:
    """Whether the loaded library exports ``name`` (e.g. ``"auth_identify"``)."""
    return _lib.has(name)


__all__ = [
    "AuthError", "DevicePrompt",
    "FunctionUnavailable", "Identity",
    "JWTParameters", "Kind", "Login",
    "OAuth2Parameters", "OpenIDParameters", "Option", "Parameters",
    "Result", "Session", "Token",
    "create_jwt_assertion", "exchange_token", "get_user_info", "has_function", "identify",
    "import_token", "introspect_token", "library_path", "log_to", "logout", "open_session",
    "parse_challenge", "read_identity", "refresh_token", "result_name", "revoke_token",
    "set_log_callback", "set_thread_log_callback", "step_up",
    "verify_authentication", "version",
]
__all__ += [name for name in _error_classes.__all__ if name != "BY_CODE"]

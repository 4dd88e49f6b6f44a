"""The C library, loaded with ctypes, and its function signatures.

Functions are looked up on first use, so the package loads against a library that lacks some
(an older build): calling a missing one raises :class:`FunctionUnavailable`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

c_int = ctypes.c_int
c_bool = ctypes.c_bool
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
c_int64 = ctypes.c_int64
c_size_t = ctypes.c_size_t
P = ctypes.POINTER
c_byte_p = P(ctypes.c_uint8)
c_char_buf = P(ctypes.c_char)  # a returned string we must free (not converted to bytes)

# Callback types of the C API.
OPEN_URL_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_char_p)
DEVICE_PROMPT_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, c_char_p, c_int64)
TOKEN_CHANGED_FN = ctypes.CFUNCTYPE(None, c_void_p, c_void_p)
LOG_FN = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_char_p)

H = c_void_p  # every handle is an opaque pointer
OUT = P(c_void_p)

# name: (restype, argtypes)
SIGNATURES: Dict[str, Tuple[Any, List[Any]]] = {
    # errors, logging, memory
    "auth_last_error": (c_char_p, []),
    "auth_last_oauth_error": (c_char_p, []),
    "auth_last_http_status": (c_int, []),
    "auth_result_name": (c_char_p, [c_int]),
    "auth_version": (c_char_p, []),
    "auth_set_log_callback": (None, [LOG_FN, c_void_p, c_int]),
    "auth_set_thread_log_callback": (None, [LOG_FN, c_void_p, c_int]),
    "auth_string_free": (None, [c_char_buf]),
    "auth_bytes_free": (None, [c_byte_p, c_size_t]),
    # params
    "auth_params_new": (c_int, [c_int, OUT]),
    "auth_params_set": (c_int, [H, c_int, c_char_p]),
    "auth_params_set_open_url": (c_int, [H, OPEN_URL_FN, c_void_p]),
    "auth_params_set_device_prompt": (c_int, [H, DEVICE_PROMPT_FN, c_void_p]),
    "auth_params_cancel": (c_int, [H]),
    "auth_params_free": (None, [H]),
    # token flows
    "auth_identify": (c_int, [H, OUT]),
    "auth_refresh_token": (c_int, [H, OUT]),
    "auth_verify_authentication": (c_int, [H, OUT]),
    "auth_revoke_token": (c_int, [H]),
    "auth_introspect_token": (c_int, [H, P(c_char_buf)]),
    "auth_logout": (c_int, [H]),
    "auth_logout_with_params": (c_int, [H, H]),
    "auth_import_token": (c_int, [H, c_char_p, OUT]),
    "auth_create_jwt_assertion": (c_int, [H, P(c_char_buf)]),
    "auth_exchange_token": (c_int, [H, c_char_p, c_char_p, OUT]),
    "auth_step_up": (c_int, [H, c_char_p, OUT]),
    "auth_parse_challenge": (c_int, [c_char_p, P(c_char_buf)]),
    # token getters and persistence
    "auth_token_value": (c_char_p, [H]),
    "auth_token_refresh_token": (c_char_p, [H]),
    "auth_token_expiration": (c_int64, [H]),
    "auth_token_is_valid": (c_bool, [H]),
    "auth_token_type": (c_char_p, [H]),
    "auth_token_scope": (c_char_p, [H]),
    "auth_token_id_token": (c_char_p, [H]),
    "auth_token_server_response": (c_char_p, [H]),
    "auth_token_authorization_header": (c_char_p, [H]),
    "auth_token_dpop_jkt": (c_char_p, [H]),
    "auth_token_authorization_details": (c_char_p, [H]),
    "auth_token_dpop_proof": (c_int, [H, c_char_p, c_char_p, c_char_p, P(c_char_buf)]),
    "auth_token_issued_token_type": (c_char_p, [H]),
    "auth_token_serialize": (c_int, [H, P(c_byte_p), P(c_size_t)]),
    "auth_token_deserialize": (c_int, [c_char_p, c_size_t, OUT]),
    "auth_token_save": (c_int, [H, c_char_p]),
    "auth_token_load": (c_int, [c_char_p, OUT]),
    "auth_token_free": (None, [H]),
    # identity
    "auth_read_identity": (c_int, [H, OUT]),
    "auth_get_user_info": (c_int, [H, OUT]),
    "auth_identity_is_valid": (c_bool, [H]),
    "auth_identity_source": (c_char_p, [H]),
    "auth_identity_claim": (c_char_p, [H, c_char_p]),
    "auth_identity_subject": (c_char_p, [H]),
    "auth_identity_email": (c_char_p, [H]),
    "auth_identity_first_name": (c_char_p, [H]),
    "auth_identity_last_name": (c_char_p, [H]),
    "auth_identity_name": (c_char_p, [H]),
    "auth_identity_id_token": (c_char_p, [H]),
    "auth_identity_free": (None, [H]),
    # two-step login
    "auth_login_begin": (c_int, [H, OUT]),
    "auth_login_url": (c_char_p, [H]),
    "auth_login_complete": (c_int, [H, c_char_p, OUT]),
    "auth_login_free": (None, [H]),
    # sessions
    "auth_session_new": (c_int, [H, c_char_p, OUT]),
    "auth_session_set_token_changed": (c_int, [H, TOKEN_CHANGED_FN, c_void_p]),
    "auth_session_token": (c_int, [H, c_int64, OUT]),
    "auth_session_logout": (c_int, [H]),
    "auth_session_free": (None, [H]),
    "auth_session_open": (c_int, [H, c_char_p, OUT]),
}


class FunctionUnavailable(NotImplementedError):
    """The loaded libauthtoken lacks this function (it is older than this binding)."""


def _library_names() -> List[str]:
    if sys.platform == "darwin":
        return ["libauthtoken.dylib"]
    if sys.platform == "win32":
        return ["authtoken.dll"]
    return ["libauthtoken.so", "libauthtoken.so.0.1"]


def _candidates() -> List[str]:
    env = os.environ.get("AUTHTOKEN_LIBRARY")
    if env:
        # Explicit choice: no fallback, so a wrong path is an error, not a silent surprise.
        return [env]
    here = Path(__file__).resolve().parent
    found: List[str] = []
    for name in _library_names():
        found.append(str(here / "lib" / name))  # copied in by `pip install`
    # A checkout: bindings/python/src/authtoken -> repo root target/{release,debug}.
    root = here.parents[3] if len(here.parents) > 3 else None
    if root is not None and (root / "Cargo.toml").is_file():
        for profile in ("release", "debug"):
            for name in _library_names():
                found.append(str(root / "target" / profile / name))
    system = ctypes.util.find_library("authtoken")
    if system:
        found.append(system)
    found.extend(_library_names())  # the loader's own search (LD_LIBRARY_PATH, ...)
    return found


class _Library:
    """The loaded library; attribute access binds a function on first use."""

    def __init__(self) -> None:
        self._cdll: Optional[ctypes.CDLL] = None
        self._lock = threading.Lock()
        self.path: Optional[str] = None
        #: Called once, right after the library is loaded (outside the lock: they may call it).
        self.on_load: List[Callable[[], None]] = []

    def _load(self) -> ctypes.CDLL:
        if self._cdll is not None:
            return self._cdll
        cdll = self._open()
        hooks, self.on_load = self.on_load, []
        for hook in hooks:
            hook()
        return cdll

    def _open(self) -> ctypes.CDLL:
        with self._lock:
            if self._cdll is not None:
                return self._cdll
            errors = []
            for candidate in _candidates():
                if os.sep in candidate and not os.path.exists(candidate):
                    continue
                try:
                    self._cdll = ctypes.CDLL(candidate)
                    self.path = candidate
                    return self._cdll
                except OSError as e:
                    errors.append(f"{candidate}: {e}")
            raise OSError(
                "libauthtoken not found (set AUTHTOKEN_LIBRARY to its path, or install the "
                "package with pip so that it is built): " + "; ".join(errors or _candidates())
            )

    def has(self, name: str) -> bool:
        return hasattr(self._load(), name)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if not name.startswith("auth_"):
            raise AttributeError(name)
        cdll = self._load()
        try:
            fn: Callable[..., Any] = getattr(cdll, name)
        except AttributeError:
            raise FunctionUnavailable(
                f"{name} is not in the loaded libauthtoken ({self.path}): it is older than "
                "this binding"
            ) from None
        restype, argtypes = SIGNATURES[name]
        fn.restype = restype  # type: ignore[attr-defined]
        fn.argtypes = argtypes  # type: ignore[attr-defined]
        setattr(self, name, fn)  # later lookups skip __getattr__
        return fn


lib = _Library()


def text(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


def arg(value: Any) -> Optional[bytes]:
    """A str, bytes or path as the NUL-terminated UTF-8 the C API takes (None stays NULL)."""
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")

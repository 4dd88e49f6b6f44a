"""``Token`` (WLanguage ``AuthToken``): an immutable access token with its refresh token, ID
token and what refreshing it needs."""

from __future__ import annotations

import ctypes
import datetime as _dt
import json
import os
import time
from typing import Any, Dict, Optional, Union

from ._handle import NativeHandle
from ._native import arg, lib, text
from .errors import check

PathLike = Union[str, "os.PathLike[str]"]


class Token(NativeHandle):
    _free_function = "auth_token_free"
    _what = "token"
    """Owns one ``auth_token``. Tokens are immutable: refreshing gives a new one. Freed by
    :meth:`close` (or a ``with`` block), or when collected."""

    __slots__ = ()

    def __init__(self, handle: int) -> None:
        if not handle:
            raise ValueError("NULL token handle")
        self._handle = handle

    # -- handle ---------------------------------------------------------------------------


    def __repr__(self) -> str:
        if not self._handle:
            return "Token(closed)"
        exp = self.expiration
        return (
            f"Token(type={self.token_type!r}, valid={self.is_valid}, "
            f"expiration={exp.isoformat() if exp else None}, "
            f"refreshable={bool(self.refresh_token)}, scope={self.scope!r})"
        )

    # -- getters (secrets are returned as they are: keep them out of logs) ----------------
    @property
    def value(self) -> str:
        """The access token (``Value``)."""
        return text(lib.auth_token_value(self.handle))

    @property
    def refresh_token(self) -> str:
        """The refresh token (``Refresh``), ``""`` if none."""
        return text(lib.auth_token_refresh_token(self.handle))

    @property
    def expiration_timestamp(self) -> int:
        """Seconds since the Unix epoch when the access token expires; 0 if unknown."""
        return int(lib.auth_token_expiration(self.handle))

    @property
    def expiration(self) -> Optional[_dt.datetime]:
        """When the access token expires (UTC, ``ExpirationDate``); ``None`` if unknown."""
        ts = self.expiration_timestamp
        return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc) if ts else None

    def expires_within(self, seconds: float) -> bool:
        """True when the token expires in less than ``seconds`` (False if unknown)."""
        ts = self.expiration_timestamp
        return ts != 0 and ts - seconds < time.time()

    @property
    def is_valid(self) -> bool:
        """Has an access token that has not expired (``Valid``)."""
        return bool(lib.auth_token_is_valid(self.handle))

    def __bool__(self) -> bool:
        return self._handle is not None and self.is_valid

    @property
    def token_type(self) -> str:
        return text(lib.auth_token_type(self.handle))

    @property
    def scope(self) -> str:
        return text(lib.auth_token_scope(self.handle))

    @property
    def id_token(self) -> str:
        return text(lib.auth_token_id_token(self.handle))

    @property
    def server_response(self) -> str:
        """The raw body of the last token answer (``ServerResponse``)."""
        return text(lib.auth_token_server_response(self.handle))

    @property
    def authorization_header(self) -> str:
        """``"Bearer <value>"`` (``"DPoP <value>"`` for a DPoP-bound token), for an
        ``Authorization`` header."""
        return text(lib.auth_token_authorization_header(self.handle))

    @property
    def dpop_jkt(self) -> str:
        """The RFC 7638 thumbprint of the DPoP key the token is bound to; ``""`` if none."""
        return text(lib.auth_token_dpop_jkt(self.handle))

    @property
    def authorization_details(self) -> Optional[Any]:
        """The RFC 9396 authorization details granted (parsed JSON array), ``None`` if none."""
        details = text(lib.auth_token_authorization_details(self.handle))
        return json.loads(details) if details else None

    def dpop_proof(self, method: str, url: str, nonce: Optional[str] = None) -> str:
        """A DPoP proof (RFC 9449) for your own request ``method`` ``url`` with this token:
        send it as the ``DPoP`` header beside :attr:`authorization_header`. ``nonce``: the
        resource server's ``DPoP-Nonce``. Not DPoP-bound: :class:`InvalidArgument`."""
        out = ctypes.POINTER(ctypes.c_char)()
        check(
            lib.auth_token_dpop_proof(
                self.handle, arg(method), arg(url), arg(nonce) if nonce else None, ctypes.byref(out)
            )
        )
        try:
            return ctypes.string_at(out).decode("utf-8")
        finally:
            lib.auth_string_free(out)

    @property
    def issued_token_type(self) -> str:
        """What a token exchange issued (a token type URI such as
        ``urn:ietf:params:oauth:token-type:access_token``), ``""`` if the answer named none."""
        return text(lib.auth_token_issued_token_type(self.handle))

    # -- persistence ----------------------------------------------------------------------
    def serialize(self) -> bytes:
        """The token in the library's versioned binary format (holds secrets)."""
        buf = ctypes.POINTER(ctypes.c_uint8)()
        size = ctypes.c_size_t()
        check(lib.auth_token_serialize(self.handle, ctypes.byref(buf), ctypes.byref(size)))
        try:
            return ctypes.string_at(buf, size.value)
        finally:
            lib.auth_bytes_free(buf, size)

    @classmethod
    def deserialize(cls, data: bytes) -> "Token":
        """Reads bytes made by :meth:`serialize`; corrupt ones raise :class:`Format`."""
        data = bytes(data)
        out = ctypes.c_void_p()
        check(lib.auth_token_deserialize(data, len(data), ctypes.byref(out)))
        return cls(out.value or 0)

    def save(self, path: PathLike) -> None:
        """Writes the token to ``path`` atomically, mode 0600."""
        check(lib.auth_token_save(self.handle, arg(path)))

    @classmethod
    def load(cls, path: PathLike) -> "Token":
        """Reads a file written by :meth:`save` (:class:`IO` if missing, :class:`Format`
        if corrupt)."""
        out = ctypes.c_void_p()
        check(lib.auth_token_load(arg(path), ctypes.byref(out)))
        return cls(out.value or 0)

    # -- flows on a token -----------------------------------------------------------------
    def refresh(self) -> "Token":
        """``refresh_token(self)``: a new token; this one stays valid as an object."""
        from .flows import refresh_token

        return refresh_token(self)

    def server_response_json(self) -> Dict[str, Any]:
        """:attr:`server_response` parsed (an empty dict if it is not JSON)."""
        try:
            value = json.loads(self.server_response)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def borrowed_copy(handle: int) -> Token:
    """An owned copy of a token the library lends during a callback."""
    buf = ctypes.POINTER(ctypes.c_uint8)()
    size = ctypes.c_size_t()
    check(lib.auth_token_serialize(handle, ctypes.byref(buf), ctypes.byref(size)))
    try:
        data = ctypes.string_at(buf, size.value)
    finally:
        lib.auth_bytes_free(buf, size)
    return Token.deserialize(data)

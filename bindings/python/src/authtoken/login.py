"""Two-step login for hosts that receive the redirect themselves (web servers, custom URL
schemes)."""

from __future__ import annotations

import ctypes
from typing import Optional

from ._handle import NativeHandle
from ._native import arg, lib, text
from .errors import check
from .params import Parameters
from .token import Token


class Login(NativeHandle):
    _free_function = "auth_login_free"
    _what = "login"
    """``auth_login_begin``: makes ``state``, ``nonce`` and the PKCE verifier. Send the user to
    :attr:`url`, then give :meth:`complete` the URL the browser was redirected to."""

    def __init__(self, params: Parameters) -> None:
        self._handle = None
        out = ctypes.c_void_p()
        check(lib.auth_login_begin(params.handle, ctypes.byref(out)))
        self._handle = out.value


    @property
    def url(self) -> str:
        """The authorization URL to send the user to."""
        return text(lib.auth_login_url(self.handle))

    def complete(self, redirect_url: str) -> Token:
        """Checks ``state`` and ``iss``, exchanges the code, validates the ID token."""
        out = ctypes.c_void_p()
        check(lib.auth_login_complete(self.handle, arg(redirect_url), ctypes.byref(out)))
        return Token(out.value or 0)


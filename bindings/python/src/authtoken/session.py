"""``Session``: a token that stays fresh (the whole WLanguage example in one object)."""

from __future__ import annotations

import ctypes
import os
from typing import Any, Callable, Optional, Union

from . import _native
from ._handle import NativeHandle
from ._native import arg, lib
from .errors import check
from .params import Parameters, call_with_params
from .token import Token, borrowed_copy

TokenChanged = Callable[[Token], None]


class Session(NativeHandle):
    _free_function = "auth_session_free"
    _what = "session"
    """``auth_session``: keeps a token (in memory, and in the file at ``path`` if given) and
    gives one valid long enough, refreshing or logging in as needed. Use it in a ``with``
    block, or call :meth:`close`.

    ``on_token_changed`` is called with a copy of every new token (login or refresh);
    exceptions it raises are ignored (it runs inside the library)."""

    def __init__(
        self,
        params: Parameters,
        path: Union[str, "os.PathLike[str]", None] = None,
        *,
        on_token_changed: Optional[TokenChanged] = None,
    ) -> None:
        self._handle = None
        self._params = params  # the session uses them: keep them (and callbacks) alive
        self._changed_c: Any = None
        out = ctypes.c_void_p()
        check(lib.auth_session_new(params.handle, arg(path), ctypes.byref(out)))
        self._handle = out.value
        if on_token_changed is not None:
            self.on_token_changed(on_token_changed)


    def on_token_changed(self, callback: Optional[TokenChanged]) -> None:
        if callback is None:
            check(lib.auth_session_set_token_changed(self.handle, _native.TOKEN_CHANGED_FN(), None))
            self._changed_c = None
            return

        def trampoline(_user_data: Any, token: int) -> None:
            try:
                callback(borrowed_copy(token))
            except BaseException:
                pass  # nothing may unwind into C

        c_fn = _native.TOKEN_CHANGED_FN(trampoline)
        check(lib.auth_session_set_token_changed(self.handle, c_fn, None))
        self._changed_c = c_fn

    def token(self, min_valid_seconds: int = 60) -> Token:
        """A token valid for at least ``min_valid_seconds``: the current one, else a refresh,
        else a login with the session's parameters."""
        out = ctypes.c_void_p()
        call_with_params(
            self._params,
            lambda: lib.auth_session_token(self.handle, int(min_valid_seconds), ctypes.byref(out)),
        )
        return Token(out.value or 0)

    def logout(self) -> None:
        """Revokes what can be revoked and deletes the file."""
        check(lib.auth_session_logout(self.handle))



def open_session(params: Parameters, path: Union[str, "os.PathLike[str]", None] = None) -> Token:
    """``auth_session_open``: a token valid for at least a minute, from the file at ``path``
    (refreshed if needed) or from a login; the file is kept up to date."""
    out = ctypes.c_void_p()
    call_with_params(
        params, lambda: lib.auth_session_open(params.handle, arg(path), ctypes.byref(out))
    )
    return Token(out.value or 0)

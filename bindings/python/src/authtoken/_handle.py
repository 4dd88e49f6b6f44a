"""The ownership every handle class shares: one native handle, freed exactly once by
:meth:`close`, a ``with`` block, or when the object is collected."""

from __future__ import annotations

from typing import Optional, TypeVar

from ._native import lib

_H = TypeVar("_H", bound="NativeHandle")


class NativeHandle:
    """Owns one handle of the C library. Subclasses name the C function that frees it."""

    __slots__ = ("_handle", "__weakref__")

    #: The C function that frees the handle, e.g. ``"auth_token_free"``.
    _free_function = ""
    #: What the handle is, for messages ("the token is closed").
    _what = "handle"

    def __init__(self, handle: Optional[int] = None) -> None:
        self._handle: Optional[int] = handle or None

    @property
    def handle(self) -> int:
        if not self._handle:
            raise ValueError(f"the {self._what} is closed")
        return self._handle

    @property
    def closed(self) -> bool:
        return not self._handle

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle:
            getattr(lib, self._free_function)(handle)

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

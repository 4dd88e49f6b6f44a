"""The base of every exception of the library (its subclasses, one per result code, are
generated in ``_error_classes.py``)."""

from __future__ import annotations

from typing import Optional

from ._tables import Result


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

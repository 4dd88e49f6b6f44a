"""``Identity`` (WLanguage ``OpenIDIdentity``): the claims about the signed-in user."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, Mapping, Optional

from ._handle import NativeHandle
from ._native import arg, lib, text


class Identity(Mapping[str, Any], NativeHandle):
    _free_function = "auth_identity_free"
    _what = "identity"
    """Owns one ``auth_identity``; also a read-only mapping of the claims (parsed JSON)."""

    def __init__(self, handle: int) -> None:
        if not handle:
            raise ValueError("NULL identity handle")
        self._handle = handle
        self._claims: Optional[Dict[str, Any]] = None



    def __repr__(self) -> str:
        if not self._handle:
            return "Identity(closed)"
        return f"Identity(subject={self.subject!r}, name={self.name!r}, email={self.email!r})"

    @property
    def is_valid(self) -> bool:
        """Holds claims about someone (``Valid``)."""
        return bool(lib.auth_identity_is_valid(self.handle))

    @property
    def source(self) -> str:
        """Every claim as JSON text (``Source``)."""
        return text(lib.auth_identity_source(self.handle))

    @property
    def claims(self) -> Dict[str, Any]:
        """Every claim, parsed."""
        if self._claims is None:
            src = self.source
            self._claims = json.loads(src) if src else {}
        return self._claims

    def claim(self, name: str) -> Optional[str]:
        """The claim in string form (JSON text for non-strings); ``None`` if absent."""
        raw = lib.auth_identity_claim(self.handle, arg(name))
        return None if raw is None else text(raw)

    @property
    def subject(self) -> str:
        return text(lib.auth_identity_subject(self.handle))

    @property
    def email(self) -> str:
        return text(lib.auth_identity_email(self.handle))

    @property
    def first_name(self) -> str:
        """``given_name``."""
        return text(lib.auth_identity_first_name(self.handle))

    @property
    def last_name(self) -> str:
        """``family_name``."""
        return text(lib.auth_identity_last_name(self.handle))

    @property
    def name(self) -> str:
        return text(lib.auth_identity_name(self.handle))

    @property
    def id_token(self) -> str:
        """The raw ID token the claims came from, ``""`` if none."""
        return text(lib.auth_identity_id_token(self.handle))

    # Mapping over the claims
    def __getitem__(self, key: str) -> Any:
        return self.claims[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.claims)

    def __len__(self) -> int:
        return len(self.claims)

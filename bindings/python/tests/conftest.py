from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import authtoken  # noqa: E402
from provider import Provider  # noqa: E402


def needs(*names: str):  # type: ignore[no-untyped-def]
    """Skips a test until the library exports ``names`` (they land in main one by one)."""
    missing = [n for n in names if not authtoken.has_function(n)]
    return pytest.mark.skipif(bool(missing), reason=f"not in libauthtoken yet: {', '.join(missing)}")


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with Provider() as p:
        yield p


@pytest.fixture
def fresh_provider() -> Iterator[Provider]:
    with Provider() as p:
        yield p

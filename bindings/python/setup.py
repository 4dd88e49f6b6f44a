"""Builds libauthtoken with cargo and ships it inside the package (authtoken/lib/).

    pip install ./bindings/python            # cargo build --release at the repo root
    pip install -v ./bindings/python         # the same, showing cargo's progress

The wheel is tagged py3-none-<platform>: the library is loaded with ctypes, so one wheel
serves every Python 3 of a platform (scripts/release then tags it manylinux with auditwheel).

Environment:
    AUTHTOKEN_CARGO_PROFILE   cargo profile to build (default "release"; "debug" for tests)
    AUTHTOKEN_PREBUILT_LIBRARY  path of an already built libauthtoken to ship instead
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent


def library_file_name() -> str:
    if sys.platform == "darwin":
        return "libauthtoken.dylib"
    if sys.platform == "win32":
        return "authtoken.dll"
    return "libauthtoken.so"


def repo_root() -> Path:
    for folder in [HERE, *HERE.parents]:
        if (folder / "Cargo.toml").is_file() and (folder / "src" / "lib.rs").is_file():
            return folder
    raise SystemExit(
        "authtoken: the Rust sources are not above bindings/python; install from a checkout "
        "of the repository, or set AUTHTOKEN_PREBUILT_LIBRARY"
    )


def built_library() -> Path:
    prebuilt = os.environ.get("AUTHTOKEN_PREBUILT_LIBRARY")
    if prebuilt:
        return Path(prebuilt)
    root = repo_root()
    profile = os.environ.get("AUTHTOKEN_CARGO_PROFILE", "release")
    if shutil.which("cargo") is None:
        raise SystemExit("authtoken: cargo is needed to build libauthtoken (https://rustup.rs)")
    command = ["cargo", "build", "--lib"] + ([] if profile == "debug" else ["--profile", profile])
    print("authtoken:", " ".join(command), "in", root, "(a few minutes the first time)", flush=True)
    subprocess.run(command, cwd=root, check=True)
    folder = "debug" if profile == "debug" else profile
    return root / "target" / folder / library_file_name()


class BuildWithLibrary(build_py):
    def run(self) -> None:
        super().run()
        library = built_library()
        if not library.is_file():
            raise SystemExit(f"authtoken: {library} was not built")
        target = Path(self.build_lib) / "authtoken" / "lib"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, target / library_file_name())


class BinaryDistribution(Distribution):
    """The wheel holds a native library: tag it for this platform."""

    def has_ext_modules(self) -> bool:
        return True


class PlatformWheel(bdist_wheel):
    """Any Python 3, this platform: no extension module, only the library ctypes loads."""

    def get_tag(self) -> tuple:
        return ("py3", "none", super().get_tag()[2])


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel}, distclass=BinaryDistribution)

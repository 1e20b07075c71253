"""Fixtures for framework tests: a private HMIP_HOME and a CSV writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hmip_desktop import paths
from hmip_desktop.storage.framework_registry import FrameworkRegistry

HEADER = "test,area,sub-area,number,title,outcome,indicators\n"


@pytest.fixture
def hmip_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder for this test (paths reads HMIP_HOME on every call)."""
    home = tmp_path / "home"
    monkeypatch.setenv("HMIP_HOME", str(home))
    return home


@pytest.fixture
def registry(hmip_home: Path) -> FrameworkRegistry:
    """A registry over the shipped frameworks and this test's user folder."""
    return FrameworkRegistry()


@pytest.fixture
def user_dir(hmip_home: Path) -> Path:
    """The user frameworks folder of this test."""
    return paths.user_frameworks_dir()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file under tmp_path and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a folder with its bytes, to prove nothing was written."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

"""Test-wide set-up: offscreen Qt, a private data dir and an in-memory keyring for every test.

Nothing here imports Qt. Tests never touch the real home directory or the OS keyring.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import keyring.errors  # noqa: E402
import pytest  # noqa: E402

from tests.factories import minimal_framework  # noqa: E402


class InMemoryKeyring(keyring.backend.KeyringBackend):
    """A secure-looking keyring that lives in memory for one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HMIP_HOME and keyring per test (cheap: no app, no database)."""
    home = tmp_path / "hmip-home"
    home.mkdir()
    monkeypatch.setenv("HMIP_HOME", str(home))
    monkeypatch.delenv("HMIP_PASSPHRASE", raising=False)
    monkeypatch.delenv("HMIP_KEY_SOURCE", raising=False)
    backend = InMemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield home
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> InMemoryKeyring:
    """The in-memory keyring installed for this test."""
    kr = keyring.get_keyring()
    assert isinstance(kr, InMemoryKeyring)
    return kr


@pytest.fixture
def store(tmp_path: Path):
    """A new encrypted inspection file, open, on a minimal framework."""
    from hmip_desktop.services.inspections import create_inspection

    s = create_inspection(tmp_path / "insp.hmip", establishment_name="HMP Testfield",
                          establishment_type="mens_prison", framework=minimal_framework(),
                          start_date="2026-11-16", end_date="2026-11-27")
    yield s
    s.close()

"""A keyring backend for the start-up benchmark's keyring path only: it keeps secrets in a JSON
file named by HMIP_BENCH_KEYRING (plaintext; bench use only), so a fresh `python -m
hmip_desktop` process finds the key its parent stored. Selected with
PYTHON_KEYRING_BACKEND=bench.keyring_file.BenchFileKeyring."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend


class BenchFileKeyring(keyring.backend.KeyringBackend):
    """Secrets in one JSON file; the app sees an ordinary (secure-looking) backend."""

    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ["HMIP_BENCH_KEYRING"])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text()) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\0{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}\0{username}", None)
        self._path().write_text(json.dumps(data))

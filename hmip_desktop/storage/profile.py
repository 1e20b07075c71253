"""This installation's identity and settings, kept in the data directory.

`device.json` is created on first run: a device id (UUIDv7) and the author profile (id, name,
role). It holds no secret. `settings.json` holds preferences: the organisation recovery
recipient (public), recent files, the key-source preference.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hmip_desktop import paths
from hmip_desktop.domain.ids import new_id
from hmip_desktop.private_files import write_private_text


@dataclass
class DeviceProfile:
    """Who is writing on this laptop."""

    device_id: str
    author_id: str
    author_name: str
    role: str = "inspector"


@dataclass
class Settings:
    """User preferences."""

    recovery_recipient: str | None = None
    recent_files: list[str] = field(default_factory=list)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".part")
    write_private_text(tmp, json.dumps(data, indent=1))
    os.replace(tmp, path)


def load_device() -> DeviceProfile:
    """The device profile, created on first run."""
    path = paths.data_dir() / "device.json"
    if path.exists():
        return DeviceProfile(**json.loads(path.read_text(encoding="utf-8")))
    profile = DeviceProfile(device_id=new_id(), author_id=new_id(),
                            author_name=os.environ.get("HMIP_AUTHOR_NAME", "Inspector"))
    _write_json(path, asdict(profile))
    return profile


def save_device(profile: DeviceProfile) -> None:
    """Persist the device profile (name and role are editable)."""
    _write_json(paths.data_dir() / "device.json", asdict(profile))


def load_settings() -> Settings:
    """User preferences (defaults when none saved)."""
    path = paths.data_dir() / "settings.json"
    if not path.exists():
        return Settings()
    data = json.loads(path.read_text(encoding="utf-8"))
    return Settings(recovery_recipient=data.get("recovery_recipient"),
                    recent_files=list(data.get("recent_files", [])))


def save_settings(settings: Settings) -> None:
    """Persist preferences."""
    _write_json(paths.data_dir() / "settings.json", asdict(settings))


def remember_recent(file_path: Path, limit: int = 10) -> None:
    """Put a file at the top of the recent list."""
    settings = load_settings()
    entry = str(file_path.resolve())
    recent = ([entry] + [f for f in settings.recent_files if f != entry])[:limit]
    if recent == settings.recent_files:
        return  # already on top (the usual reopen): no write on the open's path
    settings.recent_files = recent
    save_settings(settings)

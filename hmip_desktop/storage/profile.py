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
from hmip_desktop.domain.errors import UserError
from hmip_desktop.domain.ids import new_id
from hmip_desktop.private_files import write_private_text
from hmip_desktop.storage.json_file import DamagedJson, read_json

# Both files are a few hundred bytes; a crash or a hand edit can still leave them damaged,
# and then the app says so with advice instead of failing (or regenerating an identity).
MAX_FILE_BYTES = 64 * 1024
MAX_TEXT_CHARS = 4096  # an id, a name, a recipient or a file path
MAX_RECENT = 100  # remember_recent keeps 10
_DEVICE_ADVICE = ("Restore it from your backup, or move it out of the data folder to start "
                  "with a new identity (the team leader must then add this device again).")
_SETTINGS_ADVICE = ("Restore it from your backup, or move it out of the data folder to start "
                    "with default settings (then set the organisation recovery key again).")


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
        data = _read(path, _DEVICE_ADVICE)
        fields = {name: data.get(name) for name in ("device_id", "author_id", "author_name")}
        fields["role"] = data.get("role", "inspector")
        if not all(_text(v, empty=name == "author_name") for name, v in fields.items()):
            raise _damaged(path, "a field is missing or not text", _DEVICE_ADVICE)
        return DeviceProfile(**fields)
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
    data = _read(path, _SETTINGS_ADVICE)
    recipient, recent = data.get("recovery_recipient"), data.get("recent_files", [])
    if recipient is not None and not _text(recipient):
        raise _damaged(path, "its recovery key is not text", _SETTINGS_ADVICE)
    if not isinstance(recent, list) or len(recent) > MAX_RECENT \
            or not all(_text(f) for f in recent):
        raise _damaged(path, f"its recent files are not a list of at most {MAX_RECENT} "
                       "file names", _SETTINGS_ADVICE)
    return Settings(recovery_recipient=recipient, recent_files=list(recent))


def _read(path: Path, advice: str) -> dict:
    try:
        data = read_json(path, max_bytes=MAX_FILE_BYTES)
    except DamagedJson as exc:
        raise _damaged(path, str(exc), advice) from None
    if not isinstance(data, dict):
        raise _damaged(path, "it does not hold the expected fields", advice)
    return data


def _text(value: object, *, empty: bool = False) -> bool:
    return isinstance(value, str) and (empty or bool(value)) and len(value) <= MAX_TEXT_CHARS


def _damaged(path: Path, what: str, advice: str) -> UserError:
    return UserError(f"The file '{path.name}' in the data folder is damaged ({what}). {advice}")


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

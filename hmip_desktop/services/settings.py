"""User settings the GUI and command line change: the organisation recovery recipient."""

from __future__ import annotations

from pathlib import Path

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.storage import keys, profile

# An age identity file (age-keygen's output) is under 1 KiB: a bigger file is the wrong one,
# refused before it is read into memory.
MAX_IDENTITY_FILE_BYTES = 64 * 1024


def recovery_recipient() -> str | None:
    """The organisation recovery recipient (an age X25519 public key), if set."""
    return profile.load_settings().recovery_recipient


def set_recovery_recipient(recipient: str | None) -> None:
    """Set or clear the recovery recipient; new inspection files wrap their key to it."""
    value = (recipient or "").strip() or None
    if value is not None:
        keys.wrap_to_recovery(b"\0" * 32, value)  # raises ValidationError when not age X25519
    settings = profile.load_settings()
    settings.recovery_recipient = value
    profile.save_settings(settings)


def restore_access(path: Path, identity_file: Path,
                   provider: keys.PassphraseProvider | None) -> str:
    """Store a file's key on this computer again from the recovery wrap; returns its source."""
    try:
        with Path(identity_file).open("rb") as handle:
            raw = handle.read(MAX_IDENTITY_FILE_BYTES + 1)
    except OSError:
        raise ValidationError("The recovery identity file cannot be read.") from None
    if len(raw) > MAX_IDENTITY_FILE_BYTES:
        raise ValidationError("The recovery identity file is larger than one can be (limit: "
                              f"{MAX_IDENTITY_FILE_BYTES // 1024} KiB): choose the file "
                              "'age-keygen' wrote.")
    try:
        identity = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("The recovery identity file cannot be read.") from None
    lines = [ln.strip() for ln in identity.splitlines()
             if ln.strip().startswith("AGE-SECRET-KEY-")]
    if not lines:
        raise ValidationError("The recovery identity file holds no AGE-SECRET-KEY line.")
    return keys.restore_with_recovery(Path(path), lines[0], provider=provider)

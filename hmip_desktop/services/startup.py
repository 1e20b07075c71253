"""What the first-run welcome and the About dialog say: where data lives, where keys live (and
why), who this laptop's author is, what build this is; and the light checks and first reads of
a GUI start. No Qt here.

Start-up (issue 11): the GUI imports this module before its window is shown, so it imports no
SQLAlchemy and no store at module level; those load on the DB lane when the file opens.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hmip_desktop import PASSPHRASE_VARIABLE, __version__, paths
from hmip_desktop.storage import profile

# services.bundle_export.BUNDLE_SUFFIX and inspection_store.FILE_SUFFIX (those modules load
# the store; a test keeps them equal).
BUNDLE_SUFFIX = ".hmipbundle"
FILE_SUFFIX = ".hmip"
# The author name a new device profile gets (storage/profile.py) until the person sets theirs;
# the welcome is shown while the name is still this placeholder.
PLACEHOLDER_AUTHOR_NAME = "Inspector"


@dataclass(frozen=True)
class KeyStorage:
    """Whether inspection keys go to the OS keyring, and why a passphrase is needed if not."""

    keyring_in_use: bool
    backend: str
    explanation: str


@dataclass(frozen=True)
class AboutFacts:
    """Everything the About dialog shows."""

    version: str
    build: str
    python: str
    data_dir: Path
    inspections_dir: Path
    log_file: Path
    licenses_dir: Path | None
    key_storage: KeyStorage


def key_storage() -> KeyStorage:
    """Where new inspection keys will be kept on this computer, in words."""
    from hmip_desktop.storage import keys

    try:
        backend = keys.keyring_backend_name()
    except Exception as exc:  # noqa: BLE001 - a broken keyring reads as "no keyring"
        backend = f"unavailable ({type(exc).__name__})"
    if keys.secure_keyring_available():
        return KeyStorage(True, backend, (
            "Inspection keys are kept in this computer's keyring (Secret Service / GNOME "
            "Keyring or KWallet on Linux, Windows Credential Manager, macOS Keychain), so you "
            "are not asked for a passphrase."))
    if os.environ.get("HMIP_KEY_SOURCE") == keys.KEY_SOURCE_PASSPHRASE:
        why = "This installation is set to use a passphrase instead of the keyring."
    elif "plaintext" in backend.lower() or "keyrings.alt" in backend:
        why = ("The only keyring available would store keys in plain text, which is not safe "
               "for evidence.")
    else:
        why = ("No secure keyring is running on this computer (for example no GNOME Keyring "
               "or KWallet in this session).")
    return KeyStorage(False, backend, (
        f"{why} Each inspection's key is therefore protected by a passphrase you choose "
        f"(at least {keys.MIN_PASSPHRASE} characters) and kept, wrapped, in the key file "
        "beside the inspection. You will be asked for it when you create or open an "
        "inspection."))


def needs_welcome() -> bool:
    """True until the person has told the app their name (first run)."""
    name = profile.load_device().author_name.strip()
    return not name or name == PLACEHOLDER_AUTHOR_NAME


def author() -> tuple[str, str]:
    """This device's author name (empty while it is the placeholder) and role code."""
    device = profile.load_device()
    name = "" if device.author_name.strip() == PLACEHOLDER_AUTHOR_NAME else device.author_name
    return name, device.role


def roles() -> dict[str, str]:
    """Role codes and their labels, for the identity card."""
    from hmip_desktop.domain.roster import ROLES

    return dict(ROLES)


def build_description() -> str:
    """"0.1.0, built 2026-12-03 14:00 UTC" for a package, "run from source" otherwise."""
    info_file = paths.build_info_file()
    if info_file is None:
        return "run from source (not a packaged build)"
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
        return f"packaged build of {info['built']}"
    except (OSError, ValueError, KeyError):
        return "packaged build (build date unknown)"


def about_facts() -> AboutFacts:
    """Version, build, data locations, licences and key storage."""
    return AboutFacts(
        version=__version__, build=build_description(), python=sys.version.split()[0],
        data_dir=paths.data_dir(), inspections_dir=paths.inspections_dir(),
        log_file=paths.log_dir() / "hmip.log", licenses_dir=paths.licenses_dir(),
        key_storage=key_storage())


def licence_index() -> str:
    """The package's list of bundled components and their licences (empty from source)."""
    folder = paths.licenses_dir()
    index = folder / "INDEX.txt" if folder is not None else None
    if index is None or not index.is_file():
        return ""
    return index.read_text(encoding="utf-8")


def passphrase_from_environment() -> str | None:
    """HMIP_PASSPHRASE, which the command line honours too (scripted and smoke-test starts)."""
    return os.environ.get(PASSPHRASE_VARIABLE) or None


def is_bundle(path: Path) -> bool:
    """True for a sync bundle (opened into the import preview rather than as a file)."""
    return Path(path).suffix.lower() == BUNDLE_SUFFIX


def needs_passphrase_to_open(path: Path) -> bool:
    """True when this file's key is passphrase-wrapped (asked before opening); reads only the
    key record, so the GUI thread can ask it before the store is imported."""
    from hmip_desktop.storage import keys

    try:
        return keys.KeyRecord.load(Path(path)).source == keys.KEY_SOURCE_PASSPHRASE
    except Exception:  # noqa: BLE001 - opening will report the real problem
        return False


def begin_unlock(path: Path | None, passphrase: str | None = None, *,
                 child: Callable[[], bytes | None] | None = None) -> None:
    """Start finding the key of the file the GUI was asked to open, as the process starts:
    the keyring look-up, or the Argon2id derivation when a passphrase is known (`passphrase`,
    typed in the dialog, else HMIP_PASSPHRASE), on a helper thread. `child` is the answer
    of a child process the entry point forked to find it (storage.key_child.find_file_key),
    which the helper thread then waits for instead. The first screen's read on the DB lane
    takes the result (storage.keys.begin_unlock). The store's modules are NOT loaded here: a
    start shows the file's first screen before them (services.first_screen), and their
    imports would hold the GIL the window needs. No effect for a bundle or no file; a file
    that needs a typed passphrase only has its key record read early."""
    if path is None or is_bundle(path):
        if child is not None:
            from hmip_desktop.storage import keys

            keys.discard_child(child)  # it can find nothing for a bundle
        return
    from hmip_desktop.storage import keys

    keys.begin_unlock(Path(path), passphrase or passphrase_from_environment(), child=child)


def begin_unlock_for_command(words: Sequence[str]) -> None:
    """`hmip`: begin finding the key of the one inspection file a command names (a word
    ending in .hmip that is a file), in a child process (storage/key_child.py), while the
    command loads the store: `import keyring` alone is 80-100 ms, Argon2id with
    HMIP_PASSPHRASE ~170 ms, both on the other core then. The command's open takes the key
    when it is for the same file, key record and passphrase; otherwise (a guess that was
    wrong, a file the command replaces) the child's answer is simply not used. Nothing where
    no child can be forked: a thread would only compete with the command for the GIL."""
    from hmip_desktop.storage import key_child

    named = [Path(word) for word in words
             if word.endswith(FILE_SUFFIX) and not word.startswith("-")]
    if len(named) == 1 and key_child.available() and named[0].is_file():
        _fork_key_child(named[0], passphrase_from_environment())


def _fork_key_child(path: Path, passphrase: str | None) -> None:
    from hmip_desktop.storage import key_child, keys

    child = key_child.find_file_key(path, passphrase, first_screen=False)
    if child is not None:
        keys.begin_unlock(path, passphrase, child=child)


_preload_started = False


def preload_store() -> None:
    """Import the store (SQLAlchemy, storage, the open's services: ~250 ms of imports) on a
    helper thread, once: while a passphrase dialog waits for the person, so the open finds
    them imported (Python's per-module import locks make the two safe)."""
    global _preload_started
    if _preload_started:
        return
    _preload_started = True
    import threading

    def load() -> None:
        try:
            import hmip_desktop.services.inspections
            import hmip_desktop.services.mending  # noqa: F401 - the open's next import
        except Exception:  # noqa: BLE001 - only a head start; the open imports and reports
            pass

    threading.Thread(target=load, name="store-import", daemon=True).start()

"""Opening a file in the GUI, in two steps: its first screen, then its store (issue 11).

Step one (`Opening.first_screen`) finds the file's key and reads what the window shows first —
the Overview's facts and the newest notes — with sqlcipher3 alone (storage/first_screen.py),
so a start shows the file before SQLAlchemy and the store's ~300 ms of imports. Step two
(`Opening.open_store`) opens the store with the same key (no second keyring look-up or
Argon2id derivation): migrations, mending and every later read and write go through it as
always. The Overview's facts are built the same way in both (services/overview_facts.py).

The key is held by the Opening between the two steps only, and dropped once the store has it.
No Qt, and no SQLAlchemy imported at module level.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.storage import keys
from hmip_desktop.storage.open_lock import OpenLock

if TYPE_CHECKING:
    from hmip_desktop.domain.records import NoteView
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.services.overview_facts import InspectionFacts
    from hmip_desktop.storage.first_screen import FirstScreenRows


@dataclass(frozen=True)
class FirstScreen:
    """What the window shows of a file before its store is open."""

    path: Path
    facts: InspectionFacts
    notes: tuple[NoteView, ...]


class Opening:
    """One file being opened: `first_screen()`, then `open_store()`, on the DB lane in that
    order. `cancel()` (the window closed, another file chosen) makes `open_store` close what
    it opened and raise Cancelled."""

    def __init__(self, path: Path, provider: keys.PassphraseProvider | None) -> None:
        self.path = Path(path)
        self._provider = provider
        self._key: tuple[bytes, str] | None = None
        self._failed = False
        self._cancelled = threading.Event()
        self._hold: OpenLock | None = None  # the window's lock on the file (storage/open_lock)
        self._hold_lock = threading.Lock()  # cancel (GUI thread) vs open_store (DB lane)

    def first_screen(self) -> FirstScreen | None:
        """Find the key and read the first screen; None when the file must first be
        migrated, or is from a newer version (the store opens it and says so). Raises what
        opening would raise (wrong passphrase, no key, not an inspection file)."""
        # Imported here, on the DB lane, not by the GUI thread that makes the Opening: they
        # load while the window paints (~15 ms of a start).
        from hmip_desktop.services.notes import note_view
        from hmip_desktop.services.overview_facts import facts_from
        from hmip_desktop.storage.first_screen import FIRST_NOTES, read_first_screen

        try:
            if not self.path.exists():
                from hmip_desktop.domain.errors import NotFoundError

                raise NotFoundError(f"There is no inspection file at '{self.path.name}'.")
            # Before the key is looked for: another instance holding the file is told at once.
            hold = OpenLock.take(self.path)
            with self._hold_lock:
                self._hold = hold
            if self._cancelled.is_set():  # cancelled while it was taken: cancel let go of none
                raise Cancelled()
            if keys.early_key_pending(self.path):
                # A key still being found (Argon2id) comes without the first screen: what
                # reading it needs loads while we wait, not after.
                preload_reading()
            key, source, file_id = keys.load_file_key(self.path, provider=self._provider)
            rows = _rows_read_early(self.path, file_id)
            if rows is None:
                rows = read_first_screen(self.path, key, notes=FIRST_NOTES)
            self._key = (key, source)
        except BaseException:
            self._failed = True  # said once, by this step: open_store stays quiet
            self._let_go()
            raise
        if rows is None:
            return None
        facts = facts_from(rows.overview, inspection_id=rows.inspection_id, key_source=source,
                           schema_revision=rows.schema_revision, read_only=False)
        return FirstScreen(self.path, facts, tuple(note_view(e) for e in rows.notes))

    def open_store(self) -> InspectionStore:
        """Open the store with the key the first step found (migrating, mending as always).
        Raises `Abandoned` when the first step failed (it said why) and Cancelled when the
        opening was cancelled."""
        found, self._key = self._key, None
        if self._cancelled.is_set():
            self._let_go()
            raise Cancelled()
        if self._failed or found is None:
            self._let_go()
            raise Abandoned()
        from hmip_desktop.services import inspections  # the store: SQLAlchemy loads here

        try:
            store = inspections.open_inspection(self.path, provider=self._provider,
                                                found_key=found)
        except BaseException:
            self._let_go()
            raise
        with self._hold_lock:
            if not self._cancelled.is_set():
                store.open_lock, self._hold = self._hold, None  # released when it closes
                return store
        store.close()
        self._let_go()
        raise Cancelled()

    def cancel(self) -> None:
        """Do not keep the store open when it arrives (the window closed meanwhile); a key
        the store has not taken yet is dropped now (`open_store` then does nothing)."""
        self._cancelled.set()
        self._key = None
        # The store step may never run now (the window moved on before it began): the lock
        # goes with the opening, unless the store has already taken it.
        self._let_go()

    def _let_go(self) -> None:
        with self._hold_lock:
            hold, self._hold = self._hold, None
        if hold is not None:
            hold.release()


def preload_reading() -> None:
    """Import what reading a first screen needs beyond its modules: sqlcipher3 (~7 ms), and
    uuid and hashlib (the pinned framework's record id is a UUIDv5)."""
    import hashlib  # noqa: F401 - loaded now, used by the read
    import uuid  # noqa: F401

    from hmip_desktop.storage import connection  # noqa: F401


def _rows_read_early(path: Path, file_id: str) -> FirstScreenRows | None:
    """The first screen the key child read with the key just taken (None: read it here)."""
    from hmip_desktop.storage.first_screen import rows_from_wire

    wire = keys.take_early_extra(path, file_id)
    if wire is None:
        return None
    try:
        return rows_from_wire(wire)
    except ValueError:
        return None


class Abandoned(Exception):  # noqa: N818 - not an error: its cause was already reported
    """`open_store` after a first step that failed: nothing to say twice."""

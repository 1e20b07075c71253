"""Attachments of a bundle import, copied on a helper thread while the revisions are read,
checked and appended (issue 11 §3).

Copying attachments as stored is disk work plus hashlib over 1 MiB buffers, both of which
release the GIL; the revision work is Python and SQLite. Run one after the other they add
up; on two cores they overlap. What makes that safe:
- nothing is committed before `join()` has returned, and `join()` raises the first failure
  of a copy (an attachment that does not match its signed listing refuses the import, as
  it did when the copy ran first);
- each file is named in the import's journal before it exists and renamed into place only
  once verified; a failed, refused or cancelled import calls `abandon()`, which stops the
  thread before the caller removes every file it made (`created`);
- Cancel is noticed on the importing thread, which then abandons the import: the helper
  stops at its next chunk. Both threads count their bytes into the one meter; only the
  importing thread reports progress.
Which attachments to copy is decided here, on the importing thread: those the store does
not hold, each once (the first bundle listing it).
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from hmip_desktop.services.bundle_candidates import Candidate, Meter
from hmip_desktop.services.import_journals import ImportJournal

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

Job = tuple[str, Candidate, str]  # (sha256, bundle, member)
Copy = Callable[..., None]  # bundle_candidates.copy_new_blobs (the bench times it)
# The interpreter's switch interval while the helper copies. Each copied chunk hands the GIL
# back a few times (read, hash, CRC, write release it); against the importing thread's
# Python, taking it back waited out the default 5 ms each time, and the copy, 3.8 s alone,
# took 13-17 s and held up the commit (issue 11 §3; 0.2 ms: the merge bench's copies ended
# 2-3 s sooner, with no more CPU).
_SWITCH_S = 0.0002


class _HelperMeter(Meter):
    """The helper thread's view of the import's meter: bytes are counted into it, and the
    copy stops once the import is abandoned (which the user's Cancel leads to)."""

    def __init__(self, main: Meter, abort: threading.Event, go: threading.Event) -> None:
        super().__init__(None, abort, main.total)
        self._main, self._go = main, go

    def add(self, n: int) -> None:
        """Count n more bytes (checked for an abandoned import first); waits while the
        copies are paused."""
        self.check()
        while not self._go.wait(0.05):
            self.check()
        self._main.count(n)


class BlobCopies:
    """The attachment copies of one import, on one helper thread, and the import's journal."""

    def __init__(self, store: InspectionStore, meter: Meter, copy: Copy) -> None:
        self._store, self._meter, self._copy = store, meter, copy
        self._wanted: set[str] = set()
        self.created: list[str] = []  # hashes whose file this import made
        self._held: list[str] = []  # hashes whose file was there already: held till the end
        self._journal: ImportJournal | None = None
        self._abort = threading.Event()
        self._go = threading.Event()  # cleared while paused
        self._go.set()
        self._view = _HelperMeter(meter, self._abort, self._go)
        self._jobs: queue.Queue[list[Job] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._error: list[BaseException] = []
        self._switch: float | None = None  # the interpreter's switch interval, while lowered

    def journal(self) -> ImportJournal:
        """The import's journal, made when the first file of the import is about to be."""
        if self._journal is None:
            self._journal = ImportJournal(self._store)
        return self._journal

    def start(self, cands: list[Candidate]) -> None:
        """Begin copying the attachments of these bundles that are not held or planned."""
        jobs: list[Job] = []
        for c in cands:
            for entry in c.manifest["blobs"]:
                sha = entry["sha256"]
                if sha in self._wanted:
                    continue
                self._wanted.add(sha)
                # A file already there may be an extract import's, not committed yet: held,
                # so that import failing meanwhile leaves it for this one's row.
                if self._store.blobs.hold_if_present(sha):
                    self._held.append(sha)
                else:
                    jobs.append((sha, c, entry["member"]))
        if not jobs:
            return
        journal = self.journal()
        if self._thread is None:
            self._lower_switch_interval()
            self._thread = threading.Thread(target=self._run, args=(journal,),
                                            name="blob-copies", daemon=True)
            self._thread.start()
        self._jobs.put(jobs)

    def _lower_switch_interval(self) -> None:
        """Let the helper take the GIL back quickly while it copies (see _SWITCH_S)."""
        if self._switch is None:
            self._switch = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch, _SWITCH_S))

    def _restore_switch_interval(self) -> None:
        """Back to the interval the process had (the copies are over or abandoned)."""
        if self._switch is not None:
            sys.setswitchinterval(self._switch)
            self._switch = None

    def pause(self) -> None:
        """Hold the copies at their next step (a mebibyte at most) until `resume()`.

        While the revision signatures are verified nothing else can go on (no revision is
        appended before all of them check out), and the verifying threads want every CPU:
        the copying resumes afterwards, alongside the appends."""
        self._go.clear()

    def resume(self) -> None:
        """Let paused copies go on."""
        self._go.set()

    def _run(self, journal: ImportJournal) -> None:
        while (jobs := self._jobs.get()) is not None:
            if self._error or self._abort.is_set():
                continue  # drain: the import is failing
            try:
                self._copy(self._store, jobs, self._view, self.created, journal.blob)
            except BaseException as exc:  # noqa: BLE001 - raised by join() on the importer
                self._error.append(exc)

    def join(self) -> None:
        """Wait for every copy, noticing Cancel meanwhile; raises the first failure."""
        self.resume()
        if self._thread is not None:
            self._jobs.put(None)
            while self._thread.is_alive():
                self._meter.wait_and_report(0.1)  # the helper's bytes, from this thread
                self._meter.check()  # Cancel raises here (the caller abandons)
            self._thread = None
            self._restore_switch_interval()
        if self._error:
            raise self._error[0]

    def abandon(self) -> None:
        """Stop copying (the import failed); afterwards `created` is complete."""
        self._abort.set()
        self._go.set()
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        self._restore_switch_interval()

    def close_journal(self) -> None:
        """The import is over (committed, or its files removed): the journal goes, and the
        files held (found already there) are let go."""
        self._restore_switch_interval()  # whatever path the import took
        for sha in self._held:
            self._store.blobs.release(sha)
        self._held.clear()
        if self._journal is not None:
            self._journal.close()
            self._journal = None

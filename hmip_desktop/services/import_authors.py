"""Pass 1b of a bundle import: who wrote each new revision, with the signatures verified on
other threads while the attachments are copied.

Verifying 40,000 Ed25519 signatures takes seconds of CPU and copying attachments seconds of
disk; libsodium releases the GIL while it verifies (bundle/revision_signatures.py), so
the checks run on both CPUs (the copies are paused meanwhile: see BlobCopies.pause).
Everything that needs no signature is decided first, on the calling thread; when that finds
a refusal, or when refused bundles are skipped (the copy must then know which bundles stay),
the caller waits for the signatures before copying, as before. Either way no revision is
written before every signature has been checked, and the first refusal reported is the one
a bundle-by-bundle, revision-by-revision check would report.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hmip_desktop.bundle.identity_keys import DeviceKeys
from hmip_desktop.bundle.revision_signatures import Job, RevisionVerifier
from hmip_desktop.domain.roster import Roster
from hmip_desktop.services.authorship import AuthorshipCheck, Plan, Sender
from hmip_desktop.services.bundle_candidates import Candidate

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


@dataclass
class _Pending:
    candidate: Candidate
    check: AuthorshipCheck
    plan: Plan
    late: str  # the removal-frontier refusal, '' when none (or when `plan.stop` is set)


class AuthorChecks:
    """The authorship checks of every pending bundle; `settle()` applies their outcome."""

    def __init__(self, store: InspectionStore, cands: list[Candidate], roster: Roster,
                 keys: DeviceKeys) -> None:
        self._pending: list[_Pending] = []
        jobs: list[Job] = []
        for c in cands:
            if c.pending:
                check = _check_for(store, c, roster, keys)
                plan = check.plan(c.claims)
                c.claims = []  # the plan keeps what verifying needs
                late = "" if plan.stop else check.finish()
                self._pending.append(_Pending(c, check, plan, late))
                jobs.extend(plan.jobs)
        self.clean = not any(p.plan.stop or p.late for p in self._pending)
        self._cancel = threading.Event()
        self._results: list[bool] = []
        self._error: list[BaseException] = []
        self._settled = False
        self._thread = threading.Thread(target=self._verify, args=(jobs,),
                                        name="revision-signatures", daemon=True)
        self._thread.start()

    def _verify(self, jobs: list[Job]) -> None:
        try:
            self._results = RevisionVerifier().verify_many(jobs, cancel=self._cancel)
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
            self._error.append(exc)

    def settle(self) -> None:
        """Wait for the signatures; refuse each bundle whose check failed (once)."""
        if self._settled:
            return
        self._thread.join()
        if self._error:
            raise self._error[0]
        self._settled = True
        at = 0
        for p in self._pending:
            verified = self._results[at:at + len(p.plan.jobs)]
            at += len(p.plan.jobs)
            problem = p.plan.outcome(verified) or p.late
            if problem:
                p.candidate.refuse(problem)
            else:
                p.candidate.unsigned = p.check.unsigned_count

    def stop(self) -> None:
        """Abandon the checks (the import failed or was cancelled)."""
        self._cancel.set()
        self._thread.join()


def _check_for(store: InspectionStore, c: Candidate, roster: Roster,
               keys: DeviceKeys) -> AuthorshipCheck:
    assert c.reader is not None
    m = c.manifest
    leader = roster.by_signer(m["signer"])
    c.vouched = m["signer"] == roster.anchor or (leader is not None and leader.is_leader)
    sender = Sender(m["device_id"], m["author"]["id"], m["signer"], c.reader.format, c.vouched)
    return AuthorshipCheck(roster, sender, store.inspection_id,
                           (store.device.device_id, store.device.author_id,
                            keys.public.signer))

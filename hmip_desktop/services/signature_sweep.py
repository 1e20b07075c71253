"""A one-time check of the signatures a file stores for other members' revisions.

Before the release that verifies signatures arriving for revisions already held unsigned
(authorship `Claim.held`), such a signature was stored unchecked. A file used with that
release may therefore hold a garbage or forged signature on a teammate's revision, which
this device would relay in every bundle, and the team would refuse them. So, once per file,
every stored signature of another device's revision is verified as an import would (against
every key the roster ever attested for the device it names, author and demoted-score origin
checked too), and those that fail are cleared: the revision stays, counted as unsigned.

It runs before an export (the first after the upgrade pays for it; later ones read one meta
value) and in `hmip self-check FILE`. The meta value records how many were cleared, so
self-check can say so after an export did the work. Own revisions are not looked at: export
signs them afresh. Threading rule: blocking (a verification per signature); a worker thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hmip_desktop.bundle.revision_signatures import Job, RevisionVerifier
from hmip_desktop.services.authorship import AuthorshipCheck, Claim, Sender
from hmip_desktop.services.roster_access import load_roster

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

SWEEP_KEY = "signature_sweep"  # local meta: signatures cleared by the sweep, once it ran

# No sender: stored signatures are judged against the roster alone.
_NO_SENDER = Sender(device_id="", author_id="", signer="", format=2, vouches=False)


def swept_count(store: InspectionStore) -> int | None:
    """How many stored signatures the sweep cleared in this file; None if it has not run."""
    with store.uow() as tx:
        done = tx.meta.get(SWEEP_KEY)
    return None if done is None else int(done)


def sweep_stored_signatures(store: InspectionStore) -> int | None:
    """Run the sweep unless it ran for this file already; returns how many signatures it
    cleared (now or when it ran), or None when it cannot run yet (read-only file, or no team
    roster to verify against)."""
    done = swept_count(store)
    if done is not None or store.read_only:
        return done
    with store.uow(write=True) as tx:
        if tx.meta.get(SWEEP_KEY) is not None:  # another writer got here first
            return int(tx.meta.get(SWEEP_KEY) or 0)
        bad = _failing(tx, store)
        if bad is None:
            return None
        tx.records.clear_signatures(bad)
        tx.meta.set(SWEEP_KEY, str(len(bad)))
    return len(bad)


def _failing(tx: UnitOfWork, store: InspectionStore) -> list[str] | None:
    """Ids of other devices' revisions whose stored signature does not verify (None when
    the file has no roster yet: nothing could be verified, so nothing is judged)."""
    roster = load_roster(tx, store.inspection_id)
    if not roster.members:
        return None
    own = store.device
    check = AuthorshipCheck(roster, _NO_SENDER, store.inspection_id,
                            (own.device_id, own.author_id, ""))
    bad: list[str] = []
    ids: list[str] = []
    jobs: list[Job] = []
    for rev in tx.records.signed_of_others(except_device=own.device_id):
        job = check.stored_job(Claim.of(rev))
        if job is None:
            bad.append(rev.rev_id)
        else:
            ids.append(rev.rev_id)
            jobs.append(job)
    verified = RevisionVerifier().verify_many(jobs)
    bad.extend(rid for rid, ok in zip(ids, verified, strict=True) if not ok)
    return bad

"""What the Concerns page shows: the concern rules and both registers, in one call.

Qt-free, run on the DB lane, in ONE read transaction: the framework from the per-file cache,
the register records, the inspection record and the evidence on offer (one evidence snapshot
over the evidence_link projection, plus the live notes). The two registers share the sections,
addressees and evidence, which are read once whichever parts are asked for: a change to
notable positive practice only re-reads that register, and evidence changes leave the rules
alone (see ui/concerns/concerns_page.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import concerns as C
from hmip_desktop.domain import records as R
from hmip_desktop.services.concerns import concern_issues, register_views
from hmip_desktop.services.evidence_choices import EvidenceChoice, all_choices
from hmip_desktop.services.evidence_snapshot import evidence_snapshot_in
from hmip_desktop.services.inspection_record import pinned_framework_in

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


@dataclass(frozen=True)
class ConcernRules:
    """The concern rules as they stand, and what is needed to project a draft's effect."""

    issues: tuple[C.RuleIssue, ...]
    limits: C.ConcernLimits | None
    kind: str


@dataclass(frozen=True)
class RegisterSnapshot:
    """The rows of one register and what its editor offers."""

    rows: tuple[Any, ...]
    sections: tuple[tuple[str, str], ...]
    addressees: tuple[tuple[str, str], ...]
    evidence: tuple[EvidenceChoice, ...]

    @property
    def options(self) -> tuple[Any, ...]:
        """What the editor offers, compared to skip rebuilding unchanged lists."""
        return (self.sections, self.addressees, self.evidence)


@dataclass(frozen=True)
class ConcernsScreen:
    """The parts of the page that were read (None: not asked for)."""

    rules: ConcernRules | None
    registers: Mapping[str, RegisterSnapshot]


def concerns_screen(store: InspectionStore, *, rules: bool = True,
                    registers: tuple[str, ...] = (R.CONCERN, R.NPP),
                    evidence: bool = True) -> ConcernsScreen:
    """The rules (when asked) and the registers named by entity type (DB lane); without
    `evidence` (a listing, `hmip concern list`) the editors' evidence on offer is not read."""
    with store.uow() as tx:
        pinned = pinned_framework_in(tx, store)
        view = tx.records.get(store.inspection_id)
        inspection = dict(view.payload) if view is not None else {}
        wanted = set(registers) | ({R.CONCERN} if rules else set())
        records = {t: tx.records.list(t) for t in wanted}
        offered = bool(registers) and evidence
        snap = evidence_snapshot_in(tx, store) if offered else None
        notes = [(e.id, str(e.payload.get("title", ""))) for e in tx.records.list(R.NOTE)] \
            if offered else []
    addressees = tuple((a.key, a.label) for a in C.addressees_from(pinned.data))
    sections = tuple((s.key, s.label) for s in pinned.model.sections)
    evidence = tuple(all_choices(snap, notes)) if snap is not None else ()
    out = {t: RegisterSnapshot(tuple(register_views(t, records[t], dict(addressees))),
                               sections, addressees, evidence) for t in registers}
    limits = C.limits_from(pinned.data)
    found = ConcernRules(tuple(concern_issues(inspection, records[R.CONCERN], limits)), limits,
                         str(inspection.get("kind", "full"))) if rules else None
    return ConcernsScreen(found, out)


def register_snapshot(store: InspectionStore, entity_type: str) -> RegisterSnapshot:
    """One register's rows and editor options (after a write the page did not see)."""
    return concerns_screen(store, rules=False, registers=(entity_type,)).registers[entity_type]

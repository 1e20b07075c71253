"""The inspection's life cycle and the facts recorded beside it, as use cases.

Every change is a revision of the inspection record written through `InspectionStore.put` (so
the published read-only guard applies) and returns the ChangeSet it wrote (empty when nothing
changed). Only the team leader publishes or reopens (roster_access.leads_here; before a team
is set up, the inspection's creator).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import NotFoundError, UserError, ValidationError
from hmip_desktop.domain.framework_nation import DEFAULT_NATION, inspection_nation
from hmip_desktop.domain.review_of_progress import PublicationDue
from hmip_desktop.services import review_process
from hmip_desktop.services.inspection_record import pinned_framework_in
from hmip_desktop.services.inspections import pinned_framework
from hmip_desktop.services.roster_access import leads_here

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

NOT_LEADER_LIFECYCLE = ("Only the team leader can publish or reopen the inspection. Ask the "
                        "team leader to make this change.")


@dataclass(frozen=True)
class LifecycleView:
    """What the Overview's life-cycle controls and `hmip status` show."""

    status: str
    status_label: str
    publication_date: str | None
    action_plan_received_date: str | None
    read_only: bool
    next_statuses: tuple[str, ...]
    reopen_targets: tuple[str, ...]
    leads_here: bool
    reopenings: tuple[Mapping[str, Any], ...] = ()
    nation: str = DEFAULT_NATION
    announced: bool = False
    message: str = ""
    # A review of progress: its report's deadline (services/review_process.py); else None.
    publication_due: PublicationDue | None = None


@dataclass(frozen=True)
class EducationView:
    """The purposeful activity agreed score and the partner inspectorate's own judgement."""

    inspectorate: str
    inspectorate_label: str
    grades: tuple[tuple[str, str], ...]
    verified: bool
    grade: str | None
    grade_label: str | None
    section_label: str | None  # None: the framework has no purposeful activity section
    agreed_label: str | None
    other: Mapping[str, Any] | None = field(default=None)  # a judgement by the other body


# Moves that hand the report on (to the establishment, to the public): readiness must hold.
GATED_STATUSES = (L.FACTUAL_ACCURACY_CHECK, L.PUBLISHED)


class LifecycleService:
    """Status, publication, reopening, nation, notice and the education judgement."""

    def __init__(self, store: InspectionStore,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self._store = store
        self._today = today  # a seam for tests

    # -- reading -----------------------------------------------------------------------------
    def view(self) -> LifecycleView:
        """The status, its dates, where it may move and whether this device leads."""
        with self._store.uow() as tx:
            p = self._payload(tx)
            lead = leads_here(tx, self._store)
        status = str(p.get("status") or L.FIELDWORK)
        read_only = L.is_read_only(p)
        return LifecycleView(
            status=status, status_label=L.status_label(status),
            publication_date=p.get("publication_date"),
            action_plan_received_date=p.get("action_plan_received_date"),
            read_only=read_only, next_statuses=L.next_statuses(status),
            reopen_targets=L.reopen_targets(status), leads_here=lead,
            reopenings=tuple(dict(r) for r in p.get("reopenings") or []
                             if isinstance(r, Mapping)),
            nation=inspection_nation(p), announced=L.announced_of(p),
            message=L.read_only_message(p) if read_only else "",
            publication_due=review_process.publication_due(
                str(p.get("kind") or "full"), p.get("end_date"), p.get("publication_date"),
                self._today()))

    # -- status ------------------------------------------------------------------------------
    def set_status(self, status: str, on: str | dt.date | None = None, *,
                   despite_readiness: bool = False) -> ChangeSet:
        """Move the status forward (published and action plan received carry a date).

        The factual accuracy check and publication hand the report on: while readiness
        reports blocking items (the method's concern limits among them) the move is refused
        with L.NotReadyForStatus, unless `despite_readiness` (the team leader's decision)."""
        target = L.status_key(status)
        day = L.parse_date(on, "The date")
        self._store.ensure_writable()
        with self._store.uow(write=True) as tx:
            current = self._payload(tx)
            if target == L.PUBLISHED and not leads_here(tx, self._store):
                raise UserError(NOT_LEADER_LIFECYCLE)
            if target == current.get("status") and (day is None or target not in
                                                    (L.PUBLISHED, L.ACTION_PLAN_RECEIVED)):
                return ChangeSet()
            move = L.plan_move(current, target, day, today=self._today(), by=self._who())
            if target in GATED_STATUSES and target != current.get("status") \
                    and not despite_readiness:
                blockers = self._blockers(tx, current)
                if blockers:
                    raise L.NotReadyForStatus(target, blockers)
            return self._write(tx, current, move.fields)

    def _blockers(self, tx: UnitOfWork, inspection: Mapping[str, Any]) -> list[str]:
        """What readiness says blocks the report, read in this transaction."""
        from hmip_desktop.services.readiness import readiness_in  # only for gated moves

        report = readiness_in(tx, self._store, pinned_framework_in(tx, self._store),
                              str(inspection.get("kind") or "full"))
        return [i.message for i in report.blockers]

    def reopen(self, reason: str, to: str | None = None) -> ChangeSet:
        """Take the status back (from published, say) with a reason kept in the history."""
        self._store.ensure_writable()
        with self._store.uow(write=True) as tx:
            if not leads_here(tx, self._store):
                raise UserError(NOT_LEADER_LIFECYCLE)
            current = self._payload(tx)
            move = L.plan_reopen(current, reason, to, today=self._today(), by=self._who())
            return self._write(tx, current, move.fields)

    # -- facts -------------------------------------------------------------------------------
    def set_nation(self, nation: str) -> ChangeSet:
        """England or Wales (Ofsted or Estyn inspects education)."""
        key = L.nation_key(nation)
        return self._update({"nation": key})

    def set_announced(self, announced: bool) -> ChangeSet:
        """Record whether the inspection was announced (most are not)."""
        return self._update({"announced": bool(announced)})

    def set_facts(self, *, nation: str | None = None,
                  announced: bool | None = None) -> ChangeSet:
        """Nation and notice in one revision (the Overview saves both together)."""
        changes: dict[str, Any] = {}
        if nation is not None:
            changes["nation"] = L.nation_key(nation)
        if announced is not None:
            changes["announced"] = bool(announced)
        return self._update(changes) if changes else ChangeSet()

    # -- education judgement -----------------------------------------------------------------
    def education(self) -> EducationView:
        """The inspectorate for the nation, its grades, the judgement and the agreed score."""
        framework = pinned_framework(self._store)
        sec = next((s for s in framework.sections if s.key == L.EDUCATION_SECTION), None)
        with self._store.uow() as tx:
            p = self._payload(tx)
            agreed = tx.records.get(S.agreed_score_id(self._store.inspection_id,
                                                      L.EDUCATION_SECTION))
        scale = L.education_scale(p)
        judgement = L.education_judgement(p)
        mine = judgement if judgement and judgement.get("inspectorate") == scale.inspectorate \
            else None
        agreed_label = None
        if agreed is not None and not agreed.deleted:
            agreed_label = str(agreed.payload.get("level_label") or "") or None
        return EducationView(
            inspectorate=scale.inspectorate, inspectorate_label=scale.label,
            grades=tuple((g.key, g.label) for g in scale.grades), verified=scale.verified,
            grade=str(mine["grade"]) if mine else None,
            grade_label=str(mine.get("label")) if mine else None,
            section_label=sec.label if sec else None,
            agreed_label=agreed_label,
            other=judgement if judgement and mine is None else None)

    def set_education_judgement(self, grade: str | None) -> ChangeSet:
        """Record (or with None clear) Ofsted's or Estyn's judgement of education, skills and
        work, with the purposeful activity section; the nation decides which inspectorate."""
        framework = pinned_framework(self._store)
        if grade is not None and not any(s.key == L.EDUCATION_SECTION
                                         for s in framework.sections):
            raise ValidationError("This inspection's framework has no purposeful activity "
                                  "section to record an education judgement with.")
        with self._store.uow() as tx:
            scale = L.education_scale(self._payload(tx))
        if grade is None or not str(grade).strip():
            return self._update({"education_judgement": None})
        g = scale.resolve(grade)
        return self._update({"education_judgement": {
            "inspectorate": scale.inspectorate, "grade": g.key, "label": g.label,
            "section_key": L.EDUCATION_SECTION}})

    # -- helpers -----------------------------------------------------------------------------
    def _payload(self, tx: UnitOfWork) -> dict[str, Any]:
        record = tx.records.get(self._store.inspection_id)
        if record is None:
            raise NotFoundError("This file holds no inspection record.")
        return dict(record.payload)

    def _who(self) -> str:
        device = self._store.device
        return str(device.author_name or device.author_id)

    def _update(self, changes: Mapping[str, Any]) -> ChangeSet:
        self._store.ensure_writable()
        with self._store.uow(write=True) as tx:
            return self._write(tx, self._payload(tx), changes)

    def _write(self, tx: UnitOfWork, current: Mapping[str, Any],
               changes: Mapping[str, Any]) -> ChangeSet:
        payload = {**current, **changes}
        payload = {k: v for k, v in payload.items()
                   if not (v is None and k in ("education_judgement", "publication_date",
                                               "action_plan_received_date"))}
        if payload == dict(current):
            return ChangeSet()
        R.validate_inspection(payload)
        self._store.put(tx, R.INSPECTION, self._store.inspection_id, payload)
        return ChangeSet.of(R.INSPECTION, self._store.inspection_id)


def leads(store: InspectionStore) -> bool:
    """Does this device act as team leader (publishes, reopens, resolves conflicts)?"""
    with store.uow() as tx:
        return leads_here(tx, store)

"""Read everything a report needs in one read transaction (see domain.report_snapshot)."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from typing import TYPE_CHECKING

from hmip_desktop.domain import records as R
from hmip_desktop.domain import roster as RS
from hmip_desktop.domain import urgent_notification as U
from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.domain.report_snapshot import InspectionSnapshot, TeamMemberFact, UnFact
from hmip_desktop.domain.steps import Steps
from hmip_desktop.paths import resource_path
from hmip_desktop.services.inspection_record import pinned_framework_in
from hmip_desktop.services.labels import people_words
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.services.readiness import readiness_in
from hmip_desktop.services.roster_access import load_roster
from hmip_desktop.services.urgent_notification import UrgentNotificationService, load_process

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

# Types a report reads; evidence types are read whole because the evidence index cites them.
_REPORT_TYPES = (R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE, R.LINK, R.SCORE, R.FINDINGS,
                 R.CONCERN, R.NPP, R.PREVIOUS_ITEM, R.PROGRESS, R.REPORT_TEXT,
                 R.DISCLOSURE_TERM)


@lru_cache(maxsize=1)
def _type_labels() -> dict[str, str]:
    data = json.loads(resource_path("frameworks", "establishment_types.json")
                      .read_text(encoding="utf-8"))
    return {t["key"]: t["label"] for t in data["establishment_types"]}


def read_snapshot(store: InspectionStore, *, today: dt.date | None = None,
                  steps: Steps | None = None) -> InspectionSnapshot:
    """One frozen snapshot of the open inspection for the report builder; `steps` moves
    through the record types read (Cancel is checked between them)."""
    steps = steps or Steps()
    progress_id = PreviousService(store).progress_id
    un_id = UrgentNotificationService(store).record_id
    with store.uow() as tx:
        insp = tx.records.get(store.inspection_id)
        if insp is None:
            raise NotFoundError("This file holds no inspection record.")
        try:
            pinned = pinned_framework_in(tx, store)
        except NotFoundError:
            raise NotFoundError("This file holds no inspection record.") from None
        inspection = dict(insp.payload)
        records = {}
        # One more step for readiness, which reads the links and evidence again.
        for n, t in enumerate(_REPORT_TYPES):
            steps.at(n, len(_REPORT_TYPES) + 1)
            records[t] = tuple(tx.records.list(t))
        steps.at(len(_REPORT_TYPES), len(_REPORT_TYPES) + 1)
        readiness = readiness_in(tx, store, pinned, str(inspection.get("kind", "full")))
        roster = load_roster(tx, store.inspection_id)
        un = tx.records.get(un_id)
    steps.done()
    progress = {e.id: e for e in records[R.PROGRESS]}
    by_item = {item.id: progress[progress_id(item.id)] for item in records[R.PREVIOUS_ITEM]
               if progress_id(item.id) in progress}
    team = tuple(TeamMemberFact(m.name, RS.ROLES.get(m.role, m.role), m.active, m.author_id)
                 for m in sorted(roster.members, key=lambda m: (m.role != RS.TEAM_LEADER,
                                                                m.name.casefold())))
    return InspectionSnapshot(
        inspection=inspection, framework=pinned.model, framework_data=pinned.data,
        records=records, readiness=readiness,
        team=team,
        establishment_type_label=_type_labels().get(str(inspection.get("establishment_type")),
                                                    str(inspection.get("establishment_type"))),
        people=people_words(str(inspection.get("establishment_type") or "")),
        urgent_notification=_un_fact(un, inspection.get("end_date"), today or dt.date.today(),
                                     str(inspection.get("establishment_type") or "")),
        progress_by_item=by_item)


def _un_fact(un, end_date, today: dt.date,  # type: ignore[no-untyped-def]
             establishment_type: str = "") -> UnFact | None:
    if un is None or un.deleted:
        return None
    process = load_process()
    p = un.payload
    # The criteria as the letter words them for this establishment ("the prisoners").
    labels = {c.key: c.label for c in process.criteria_for(people_words(establishment_type))}
    dates = U.due_dates(process, end_date, p.get("letter_date"), today)
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    scope = process.scope_for(establishment_type)
    return UnFact(tuple(str(r) for r in p.get("reasons") or []),
                  tuple(labels.get(k, k) for k in p.get("criteria") or []),
                  p.get("letter_date"), iso(dates.letter_due), iso(dates.response_due),
                  scope.addressee if scope else None)

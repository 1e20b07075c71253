"""The action plan: export the concerns for the establishment to answer, import the answers.

Concerns are named exactly as the report names them (`domain.concerns.report_order`:
"1", "2", … priority concerns first). An import is checked whole against the live concerns
before anything is written; then, in one write transaction, each answered concern gets a new
revision whose payload gains `action_plan` = {response, action, owner, target_date, status}.
Rows that change nothing write nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop.domain import concerns as C
from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import Cancelled, ConflictError, ValidationError
from hmip_desktop.services.concerns import ConcernService, ConcernView
from hmip_desktop.services.inspection_record import inspection_payload, pinned_framework_data
from hmip_desktop.services.report import DisclosureBlocked, disclosure_rules

# The text of each row that goes out and could carry a name or a number.
_TEXT_FIELDS = ("title", "body", "action", "owner", "status")
Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

if TYPE_CHECKING:
    from hmip_desktop.report.action_plan_xlsx import ActionPlanDocument
    from hmip_desktop.services.inspection_store import InspectionStore


def references(concerns: list[tuple[str, bool, int]]) -> dict[str, str]:
    """reference -> concern id, as the report numbers them."""
    return {ref: cid for cid, ref in C.report_order(concerns)}


def _live_references(views: list[EntityView]) -> dict[str, str]:
    def order(e: EntityView) -> int:
        value = e.payload.get("order")
        return value if isinstance(value, int) else 0

    return references([(e.id, bool(e.payload.get("priority", False)), order(e)) for e in views])


class ActionPlanService:
    """Export and import the action plan of one open inspection."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    def ordered(self) -> list[tuple[str, ConcernView]]:
        """(reference, concern) in report order."""
        concerns = ConcernService(self._store).list()
        by_id = {c.id: c for c in concerns}
        order = C.report_order([(c.id, c.priority, c.order) for c in concerns])
        return [(ref, by_id[cid]) for cid, ref in order]

    def document(self) -> ActionPlanDocument:
        """The plan as the workbook shows it."""
        from hmip_desktop.report.action_plan_xlsx import ActionPlanDocument, ActionPlanRow

        inspection = inspection_payload(self._store)
        # The raw record: the concern addressees' defaults are read from it (domain.concerns).
        framework = pinned_framework_data(self._store)
        rm = framework.get("report_model")
        owner_key = rm.get("action_plan_owner") if isinstance(rm, Mapping) else None
        labels = {a.key: a.label for a in C.addressees_from(framework)}
        rows = []
        for ref, c in self.ordered():
            plan = c.action_plan or {}
            rows.append(ActionPlanRow(
                reference=ref, priority=c.priority, title=c.title, body=c.body,
                addressee_label=c.addressee_label, record_id=c.id,
                response=plan.get("response"), action=str(plan.get("action") or ""),
                owner=str(plan.get("owner") or ""), target_date=plan.get("target_date"),
                status=str(plan.get("status") or "")))
        return ActionPlanDocument(
            establishment_name=str(inspection.get("establishment_name", "")),
            start_date=inspection.get("start_date"), end_date=inspection.get("end_date"),
            owner_label=labels.get(owner_key, "") if owner_key else "", rows=rows)

    def export(self, path: Path, *, redact: bool = False, allow_disclosure: bool = False,
               progress: Progress | None = None, cancel: CancelCheck | None = None) -> int:
        """Write the plan workbook (mode 0600); returns how many concerns it lists.

        The plan leaves the inspection like the report does, so the same disclosure check
        runs first: hits stop it (DisclosureBlocked) unless redact or allow_disclosure.
        Cancel (`cancel()` true) raises Cancelled with nothing written at `path`.
        """
        from hmip_desktop.report.action_plan_xlsx import write_action_plan

        if Path(path).suffix.lower() != ".xlsx":
            # Excel refuses a workbook whose name says it is something else.
            raise ValidationError("Export the action plan to a file ending in .xlsx.")
        doc = self.document()
        rules = disclosure_rules(self._store)
        hits = [hit for row in doc.rows for field in _TEXT_FIELDS
                for hit in rules.find(f"Action plan › concern {row.reference} › {field}",
                                      str(getattr(row, field)))]
        if hits and not (redact or allow_disclosure):
            raise DisclosureBlocked(hits)
        if hits and redact:
            doc = replace(doc, rows=[replace(row, **{f: rules.redact(str(getattr(row, f)))
                                                     for f in _TEXT_FIELDS})
                                     for row in doc.rows])
        write_action_plan(doc, Path(path), progress=progress, cancel=cancel)
        return len(doc.rows)

    def import_(self, path: Path, *, progress: Progress | None = None,
                cancel: CancelCheck | None = None) -> ChangeSet:
        """Check a returned plan against the live concerns, then store every response.

        Raises ActionPlanRowsError (a ValidationError) listing every bad row; then nothing
        is stored. Cancel while the workbook is read raises Cancelled, nothing stored.
        """
        from hmip_desktop.report.action_plan_read import read_action_plan

        self._store.ensure_writable()
        with self._store.uow() as tx:
            known = _live_references(tx.records.list(R.CONCERN))
        rows = read_action_plan(Path(path), known)
        if progress is not None:
            progress(1, 2)  # read and checked; storing is the second half
        if cancel is not None and cancel():  # the last moment before anything is stored
            raise Cancelled("action plan import cancelled")
        touched = []
        with self._store.uow(write=True) as tx:
            live = {e.id: e for e in tx.records.list(R.CONCERN)}
            if _live_references(list(live.values())) != known:
                raise ConflictError("The concerns changed while the action plan was read; "
                                    "import it again.")
            for row in rows:
                current = live[known[row.reference]]
                plan = row.action_plan()
                if current.payload.get("action_plan") == plan:
                    continue
                self._store.put(tx, R.CONCERN, current.id,
                                {**current.payload, "action_plan": plan})
                touched.append(current.id)
        if progress is not None:
            progress(2, 2)
        return ChangeSet.of(R.CONCERN, *touched) if touched else ChangeSet()

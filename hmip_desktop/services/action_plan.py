"""The action plan: export the concerns for the establishment to answer, import the answers.

Concerns are named exactly as the report names them (`domain.concerns.report_order`:
"1", "2", … priority concerns first). An import is checked whole against the live concerns
before anything is written; then, in one write transaction, each answered concern gets a new
revision whose payload gains `action_plan` (domain.action_plan: response, part agreed or
reasons, steps), and the inspection record the date the plan was submitted. Rows that
change nothing write nothing.

An answer that is incomplete by the method (agreed with no step that has an owner and a
target date, partly agreed without the part, not agreed without reasons) is stored as the
establishment sent it and listed in the result, so the team leader can chase it: the plan
is the establishment's document, and refusing it would leave the team leader nothing to
record but their own edits of it. `strict` refuses such a plan instead (nothing stored).

The returned plan is what moves a published inspection to "action plan received"
(domain.plan_received says when, and on which date). The import does not move it unless asked
(`mark_received`, in the same transaction); its result says whether the move is open, so the
CLI can hint and the Reports page can ask, then `mark_received()` makes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import concerns as C
from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import plan_received as PR
from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import Cancelled, ConflictError, NotFoundError, ValidationError
from hmip_desktop.services.concerns import ConcernService, ConcernView
from hmip_desktop.services.inspection_record import inspection_payload, pinned_framework_data
from hmip_desktop.services.report import DisclosureBlocked, disclosure_rules

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

if TYPE_CHECKING:
    from hmip_desktop.report.action_plan_xlsx import ActionPlanDocument, ActionPlanRow
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

SUBMITTED_KEY = PR.SUBMITTED_KEY  # on the inspection record


@dataclass(frozen=True)
class ActionPlanImport:
    """What an import stored: `changes` for the views, how many concerns' responses changed,
    the date submitted it read (None when the cell was empty), the incomplete answers, one
    line each naming the row, and the status after it (moved, or whether it may be)."""

    changes: ChangeSet
    stored: int
    submitted_date: str | None
    incomplete: tuple[str, ...]
    received: PR.ReceivedStatus


@dataclass(frozen=True)
class MarkedReceived:
    """What `mark_received` changed (empty when the move was not open) and the status now."""

    changes: ChangeSet
    received: PR.ReceivedStatus


def _texts(row: ActionPlanRow) -> Iterator[tuple[str, str]]:
    """(field, text) of each text of a row that goes out and could carry a name or a number."""
    yield "title", row.title
    yield "body", row.body
    if row.response is not None:
        yield "part agreed or reasons", row.response.explanation
        for n, step in enumerate(row.response.steps, start=1):
            for name in ("action", "owner", "status"):
                yield f"step {n} {name}", getattr(step, name)


def _redacted(row: ActionPlanRow, redact: Callable[[str], str]) -> ActionPlanRow:
    answer = row.response
    if answer is not None:
        answer = replace(answer, explanation=redact(answer.explanation), steps=tuple(
            replace(s, action=redact(s.action), owner=redact(s.owner), status=redact(s.status))
            for s in answer.steps))
    return replace(row, title=redact(row.title), body=redact(row.body), response=answer)


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

    def __init__(self, store: InspectionStore,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self._store = store
        self._today = today  # a seam for tests

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
        rows = [ActionPlanRow(
            reference=ref, priority=c.priority, title=c.title, body=c.body,
            addressee_label=c.addressee_label, record_id=c.id,
            response=AP.read(c.action_plan)) for ref, c in self.ordered()]
        return ActionPlanDocument(
            establishment_name=str(inspection.get("establishment_name", "")),
            start_date=inspection.get("start_date"), end_date=inspection.get("end_date"),
            owner_label=labels.get(owner_key, "") if owner_key else "", rows=rows,
            publication_date=_date_or_none(inspection.get("publication_date")),
            submitted_date=_date_or_none(inspection.get(SUBMITTED_KEY)))

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
        hits = [hit for row in doc.rows for field, text in _texts(row)
                for hit in rules.find(f"Action plan › concern {row.reference} › {field}", text)]
        if hits and not (redact or allow_disclosure):
            raise DisclosureBlocked(hits)
        if hits and redact:
            doc = replace(doc, rows=[_redacted(row, rules.redact) for row in doc.rows])
        write_action_plan(doc, Path(path), progress=progress, cancel=cancel)
        return len(doc.rows)

    def import_(self, path: Path, *, strict: bool = False, mark_received: bool = False,
                progress: Progress | None = None,
                cancel: CancelCheck | None = None) -> ActionPlanImport:
        """Check a returned plan against the live concerns, then store every response and
        the date submitted; with `mark_received`, in the same transaction, move a published
        inspection to action plan received (`received` says what happened or is open).

        Raises ActionPlanRowsError (a ValidationError) listing every bad row, and with
        `strict` every incomplete answer too; then nothing is stored. Cancel while the
        workbook is read raises Cancelled, nothing stored.
        """
        from hmip_desktop.report.action_plan_read import read_action_plan
        from hmip_desktop.report.action_plan_xlsx import ActionPlanRowsError

        self._store.ensure_writable()
        with self._store.uow() as tx:
            known = _live_references(tx.records.list(R.CONCERN))
        plan = read_action_plan(Path(path), known, cancel=cancel)
        incomplete = tuple(plan.incomplete())
        if strict and incomplete:
            raise ActionPlanRowsError(incomplete)
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
            for answer in plan.answers:
                current = live[known[answer.reference]]
                if AP.read(current.payload.get("action_plan")) == answer.response:
                    continue  # the same answer (perhaps stored in the older shape)
                self._store.put(tx, R.CONCERN, current.id,
                                {**current.payload, "action_plan": answer.response.payload()})
                touched.append(current.id)
            changes = ChangeSet.of(R.CONCERN, *touched) if touched else ChangeSet()
            stored = self._inspection(tx)
            payload = dict(stored)
            if plan.submitted_date:
                # An empty cell keeps the date stored: a re-exported plan pre-fills it.
                payload[SUBMITTED_KEY] = plan.submitted_date
            # Read after the date submitted is set: it is the date received.
            marked, received = self._received_in(payload, answered=bool(plan.answers),
                                                 mark=mark_received)
            if marked is not None:
                payload = marked
            if payload != stored:
                # One revision for the date submitted and the status (both are allowed on a
                # published inspection: lifecycle.guard_write).
                self._store.put(tx, R.INSPECTION, self._store.inspection_id, payload)
                changes |= ChangeSet.of(R.INSPECTION, self._store.inspection_id)
        if progress is not None:
            progress(2, 2)
        return ActionPlanImport(changes, len(touched), plan.submitted_date, incomplete,
                                received)

    def mark_received(self, on: str | dt.date | None = None) -> MarkedReceived:
        """Move a published inspection whose plan was imported to action plan received, on
        `on` or the date domain.plan_received chooses (the one the import's result gave).

        Nothing changes when the move is not open (not published, already received, no
        response imported): `received.reason` says why. Anyone who may import the plan may
        mark it received; only publishing and reopening are the team leader's.
        """
        day = L.parse_date(on, "The date")
        self._store.ensure_writable()
        with self._store.uow(write=True) as tx:
            answered = any(AP.read(c.payload.get("action_plan")) is not None
                           for c in tx.records.list(R.CONCERN) if not c.deleted)
            current = self._inspection(tx)
            payload, received = self._received_in(dict(current), answered=answered,
                                                  mark=True, on=day)
            if payload is None or payload == current:
                return MarkedReceived(ChangeSet(), received)
            self._store.put(tx, R.INSPECTION, self._store.inspection_id, payload)
            return MarkedReceived(ChangeSet.of(R.INSPECTION, self._store.inspection_id),
                                  received)

    def _inspection(self, tx: UnitOfWork) -> dict[str, Any]:
        record = tx.records.get(self._store.inspection_id)
        if record is None:
            raise NotFoundError("This file holds no inspection record.")
        return dict(record.payload)

    def _received_in(self, payload: dict[str, Any], *, answered: bool,
                     mark: bool, on: dt.date | None = None,
                     ) -> tuple[dict[str, Any] | None, PR.ReceivedStatus]:
        """The inspection payload with the status moved (None when not moved) and the status
        after; the move only with `mark`."""
        device = self._store.device
        move, received = PR.plan_received(payload, answered=answered, today=self._today(),
                                          on=on, by=str(device.author_name or device.author_id))
        if move is None or not mark:
            return None, received
        moved = {**payload, **move.fields}
        R.validate_inspection(moved)
        return moved, replace(received, status=L.ACTION_PLAN_RECEIVED, moved=True)


def _date_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None

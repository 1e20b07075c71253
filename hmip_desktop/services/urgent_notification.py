"""The Urgent Notification flag of an inspection: reasons, criteria ticked, letter date, and
the due dates that follow from the inspection's end date.

The criteria checklist and the day counts are data in resources/process/urgent_notification.json
(hmip-method.md §10), and so is where a UN may be used: the file's "establishment_types"
names the types (prisons, YOIs, STCs), the addressee and whose agreement is needed, and its
"inspection_kinds" the kinds of file (a full inspection, not a review of progress); elsewhere
`set` refuses. The flag is one record per inspection (a deterministic id); clearing it writes a
tombstone, so its history stays. The payload holds reasons, criteria, letter_date and
response_date (when the Secretary of State's response and action plan arrived; absent in
records written before it existed).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hmip_desktop import paths
from hmip_desktop.domain import records as R
from hmip_desktop.domain import urgent_notification as U
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.ids import deterministic_id
from hmip_desktop.services.inspection_record import inspection_payload
from hmip_desktop.services.labels import people_words

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

PROCESS_FILE = ("process", "urgent_notification.json")
TYPES_FILE = ("frameworks", "establishment_types.json")

_UNSET: Any = object()


@lru_cache(maxsize=1)
def load_process() -> U.UnProcess:
    """The Urgent Notification protocol data shipped with the app."""
    path = paths.resource_path(*PROCESS_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValidationError("The Urgent Notification process data cannot be read.") from None
    return U.parse_process(data)


@lru_cache(maxsize=1)
def establishment_type_labels() -> dict[str, str]:
    """Establishment type key -> label, from the frameworks' establishment_types.json."""
    try:
        data = json.loads(paths.resource_path(*TYPES_FILE).read_text(encoding="utf-8"))
        return {str(t["key"]): str(t["label"]) for t in data["establishment_types"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


@dataclass(frozen=True)
class UnStatus:
    """What the Overview page shows about the Urgent Notification."""

    active: bool
    reasons: tuple[str, ...]
    criteria: tuple[U.Criterion, ...]
    ticked: tuple[str, ...]
    end_date: str | None
    dates: U.UnDates | None
    conflicted: bool
    letter_label: str
    response_label: str
    late: bool = False  # the letter is dated after its due date
    establishment_type: str = ""
    establishment_type_label: str = ""
    allowed: bool = True  # a UN may be set: the file's kind and establishment type allow one
    addressee: str | None = None
    needs_agreement_of: tuple[str, ...] = ()
    refusal: str = ""  # why `set` refuses here (empty where a UN may be set)


class UrgentNotificationService:
    """Set, clear and show the Urgent Notification of one open inspection."""

    def __init__(self, store: InspectionStore, process: U.UnProcess | None = None) -> None:
        self._store = store
        self._process = process or load_process()

    @property
    def record_id(self) -> str:
        """The deterministic id of this inspection's Urgent Notification record."""
        return deterministic_id(R.URGENT_NOTIFICATION, self._store.inspection_id)

    def criteria(self) -> list[U.Criterion]:
        """The checklist of criteria, in order, in the words of the inspection's type."""
        etype = str(inspection_payload(self._store).get("establishment_type") or "")
        return list(self._process.criteria_for(people_words(etype)))

    def set(self, *, reasons: Iterable[str] | None = None,
            criteria: Iterable[str] | None = None,
            letter_date: str | dt.date | None = _UNSET,
            response_date: str | dt.date | None = _UNSET) -> ChangeSet:
        """Flag the inspection (or change the flag); None/unset keeps the current value.

        Refused where the data does not allow a UN for the establishment type. A new flag
        needs at least one reason. The letter cannot be dated before the inspection's start,
        nor the response before the letter. letter_date/response_date=None removes a
        recorded date.
        """
        inspection = inspection_payload(self._store)
        refusal = self._refusal(inspection)
        if refusal:
            raise ValidationError(refusal)
        start = inspection.get("start_date") or None
        with self._store.uow(write=True) as tx:
            current = tx.records.get(self.record_id)
            old = dict(current.payload) if current is not None and not current.deleted else {}
            payload = {
                "reasons": U.check_reasons(reasons if reasons is not None
                                           else old.get("reasons") or []),
                "criteria": U.check_criteria(self._process, criteria if criteria is not None
                                             else old.get("criteria") or []),
                "letter_date": old.get("letter_date"),
            }
            if old.get("response_date") is not None:  # older records have no such field
                payload["response_date"] = old["response_date"]
            if letter_date is not _UNSET:
                parsed = U.parse_date(letter_date, "Letter date")
                U.check_letter_date(parsed, start)
                payload["letter_date"] = parsed.isoformat() if parsed else None
            if response_date is not _UNSET:
                received = U.parse_date(response_date, "Response date")
                if received is None:
                    payload.pop("response_date", None)
                else:
                    payload["response_date"] = received.isoformat()
            if letter_date is not _UNSET or response_date is not _UNSET:
                U.check_response_date(U.parse_date(payload.get("response_date"), "Response date"),
                                      payload["letter_date"], start)
            if old == payload:
                return ChangeSet()
            self._store.put(tx, R.URGENT_NOTIFICATION, self.record_id, payload)
        return ChangeSet.of(R.URGENT_NOTIFICATION, self.record_id)

    def _refusal(self, inspection: dict[str, Any]) -> str:
        """Why no UN may be set on this file ('' where one may): a review of progress is not
        an inspection; some types of establishment are never followed by one."""
        proc = self._process
        kind = str(inspection.get("kind") or "full")
        if not proc.allows_kind(kind):
            return proc.kind_refusal or (f"Urgent Notifications are not used after a "
                                         f"{R.INSPECTION_KINDS.get(kind, kind).lower()}.")
        etype = str(inspection.get("establishment_type") or "")
        if proc.scope_for(etype) is None:
            label = establishment_type_labels().get(etype) or etype
            where = f"; they follow inspections of {proc.used_after}" if proc.used_after else ""
            return (f"Urgent Notifications are not used after inspections of this type of "
                    f"establishment ({label}){where}.")
        return ""

    def clear(self) -> ChangeSet:
        """Remove the flag (a tombstone; history keeps what it was)."""
        with self._store.uow(write=True) as tx:
            current = tx.records.get(self.record_id)
            if current is None or current.deleted:
                return ChangeSet()
            self._store.put(tx, R.URGENT_NOTIFICATION, self.record_id, dict(current.payload),
                            deleted=True)
        return ChangeSet.of(R.URGENT_NOTIFICATION, self.record_id)

    def status(self, today: dt.date | None = None) -> UnStatus:
        """The flag, its reasons and criteria, and the due dates with days remaining."""
        today = today or dt.date.today()
        inspection = inspection_payload(self._store)
        end = inspection.get("end_date") or None
        etype = str(inspection.get("establishment_type") or "")
        with self._store.uow() as tx:
            current = tx.records.get(self.record_id)
        proc = self._process
        scope = proc.scope_for(etype)
        refusal = self._refusal(inspection)
        criteria = proc.criteria_for(people_words(etype))  # "the prisoners", "the children"
        where = {"establishment_type": etype,
                 "establishment_type_label": establishment_type_labels().get(etype) or etype,
                 "allowed": not refusal, "refusal": refusal,
                 "addressee": scope.addressee if scope else None,
                 "needs_agreement_of": scope.needs_agreement_of if scope else ()}
        if current is None or current.deleted:
            return UnStatus(False, (), criteria, (), end, None, False, proc.letter_label,
                            proc.response_label, **where)
        p = current.payload
        dates = U.due_dates(proc, end, p.get("letter_date"), today, p.get("response_date"))
        return UnStatus(True, tuple(p.get("reasons") or []), criteria,
                        tuple(p.get("criteria") or []), end, dates, current.conflicted,
                        proc.letter_label, proc.response_label, late=dates.letter_late,
                        **where)

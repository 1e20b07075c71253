"""The Urgent Notification flag of an inspection: reasons, criteria ticked, letter date, and
the due dates that follow from the inspection's end date.

The criteria checklist and the day counts are data in resources/process/urgent_notification.json
(hmip-method.md §10). The flag is one record per inspection (a deterministic id); clearing it
writes a tombstone, so its history stays.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hmip_desktop import paths
from hmip_desktop.domain import records as R
from hmip_desktop.domain import urgent_notification as U
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.ids import deterministic_id
from hmip_desktop.services.inspections import inspection_payload
from hmip_desktop.services.store import InspectionStore

PROCESS_FILE = ("process", "urgent_notification.json")

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

    def to_json(self) -> dict[str, Any]:
        """Plain data for --json output."""
        return {"active": self.active, "reasons": list(self.reasons),
                "criteria": [{"key": c.key, "label": c.label, "ticked": c.key in self.ticked}
                             for c in self.criteria],
                "end_date": self.end_date,
                "dates": self.dates.to_json() if self.dates else None,
                "conflicted": self.conflicted, "letter_label": self.letter_label,
                "response_label": self.response_label}


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
        """The checklist of criteria, in order."""
        return list(self._process.criteria)

    def set(self, *, reasons: Iterable[str] | None = None,
            criteria: Iterable[str] | None = None,
            letter_date: str | dt.date | None = _UNSET) -> ChangeSet:
        """Flag the inspection (or change the flag); None/unset keeps the current value.

        A new flag needs at least one reason. letter_date=None removes a recorded date.
        """
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
            if letter_date is not _UNSET:
                parsed = U.parse_date(letter_date, "Letter date")
                payload["letter_date"] = parsed.isoformat() if parsed else None
            if old == payload:
                return ChangeSet()
            self._store.put(tx, R.URGENT_NOTIFICATION, self.record_id, payload)
        return ChangeSet.of(R.URGENT_NOTIFICATION, self.record_id)

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
        end = inspection_payload(self._store).get("end_date") or None
        with self._store.uow() as tx:
            current = tx.records.get(self.record_id)
        proc = self._process
        if current is None or current.deleted:
            return UnStatus(False, (), proc.criteria, (), end, None, False, proc.letter_label,
                            proc.response_label)
        p = current.payload
        dates = U.due_dates(proc, end, p.get("letter_date"), today)
        return UnStatus(True, tuple(p.get("reasons") or []), proc.criteria,
                        tuple(p.get("criteria") or []), end, dates, current.conflicted,
                        proc.letter_label, proc.response_label)

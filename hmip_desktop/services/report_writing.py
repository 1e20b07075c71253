"""What the team leader writes for the report besides findings: text parts, the protective
marking, and the names and terms the disclosure check looks for.

Text parts and terms are revisions under deterministic ids (one per part, one per term), so
two people writing the introduction offline meet as a conflict, and a term added on two
laptops merges into one record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.ids import deterministic_id
from hmip_desktop.paths import resource_path
from hmip_desktop.services.inspections import inspection_payload, update_inspection
from hmip_desktop.services.scoring import write_if_changed

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

MAX_TERM_LENGTH = 200
MAX_TEXT_PART_CHARS = 200_000


@lru_cache(maxsize=1)
def report_layouts() -> dict[str, Any]:
    """resources/reports/outlines.json: outlines, text parts, glossary, letter wording."""
    return json.loads(resource_path("reports", "outlines.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class TextPartView:
    """One report text part: its key, label, hint and the current text."""

    key: str
    label: str
    hint: str
    text: str
    conflicted: bool


def text_part_id(inspection_id: str, part: str) -> str:
    """Deterministic id of a report text part of an inspection."""
    return deterministic_id(R.REPORT_TEXT, f"{inspection_id}:{part}")


def term_id(inspection_id: str, term: str) -> str:
    """Deterministic id of a disclosure term (case-insensitive: one record per term)."""
    return deterministic_id(R.DISCLOSURE_TERM, f"{inspection_id}:{term.casefold()}")


def part_keys() -> dict[str, dict[str, str]]:
    """The text parts the report model knows, by key."""
    return {p["key"]: p for p in report_layouts()["text_parts"]}


def default_marking() -> str:
    """The protective marking used when an inspection sets none."""
    return str(report_layouts()["default_marking"])


def marking_of(inspection: Mapping[str, Any]) -> str:
    """The protective marking of an inspection record's payload (the default when unset)."""
    value = inspection.get("protective_marking")
    return str(value).strip() if value else default_marking()


class ReportWritingService:
    """Edit the report's text parts, marking and disclosure terms of one open inspection."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    # -- text parts --------------------------------------------------------------------------
    def text_parts(self) -> list[TextPartView]:
        """Every text part the report model names, with its current text ('' when none)."""
        iid = self._store.inspection_id
        with self._store.uow() as tx:
            out = []
            for key, meta in part_keys().items():
                e = tx.records.get(text_part_id(iid, key))
                live = e is not None and not e.deleted
                out.append(TextPartView(key, str(meta.get("label", key)),
                                        str(meta.get("hint", "")),
                                        str(e.payload.get("text", "")) if live and e else "",
                                        bool(live and e and e.conflicted)))
        return out

    def set_text(self, part: str, text: str) -> ChangeSet:
        """Save a text part (an unchanged save writes nothing)."""
        if part not in part_keys():
            raise NotFoundError(f"Unknown report part '{part}'; use one of: "
                                f"{', '.join(part_keys())}.")
        if not isinstance(text, str):
            raise ValidationError("Report text must be text.")
        if len(text) > MAX_TEXT_PART_CHARS:
            raise ValidationError(f"A report part holds at most {MAX_TEXT_PART_CHARS:,} "
                                  "characters.")
        rid = text_part_id(self._store.inspection_id, part)
        with self._store.uow(write=True) as tx:
            changed = write_if_changed(self._store, tx, R.REPORT_TEXT, rid,
                                       {"part": part, "text": text})
        return ChangeSet.of(R.REPORT_TEXT, rid) if changed else ChangeSet()

    # -- marking -----------------------------------------------------------------------------
    def marking(self) -> str:
        """The protective marking printed on every page of this inspection's exports."""
        return marking_of(inspection_payload(self._store))

    def set_marking(self, marking: str) -> ChangeSet:
        """Set the protective marking ('' restores the default)."""
        marking = " ".join(str(marking).split())
        if len(marking) > 80:
            raise ValidationError("A protective marking is at most 80 characters.")
        update_inspection(self._store, protective_marking=marking or None)
        return ChangeSet.of(R.INSPECTION, self._store.inspection_id)

    # -- disclosure terms --------------------------------------------------------------------
    def terms(self) -> list[str]:
        """Names and terms the disclosure check looks for, sorted."""
        with self._store.uow() as tx:
            views = tx.records.list(R.DISCLOSURE_TERM)
        return sorted({str(e.payload.get("term", "")) for e in views} - {""},
                      key=str.casefold)

    def add_terms(self, terms: list[str]) -> ChangeSet:
        """Add terms (blank ones are ignored; re-adding one writes nothing)."""
        cleaned = [" ".join(t.split()) for t in terms]
        cleaned = [t for t in cleaned if t]
        if not cleaned:
            raise ValidationError("Give at least one name or term.")
        for t in cleaned:
            if len(t) > MAX_TERM_LENGTH:
                raise ValidationError(f"A term is at most {MAX_TERM_LENGTH} characters.")
        ids = []
        with self._store.uow(write=True) as tx:
            for t in cleaned:
                rid = term_id(self._store.inspection_id, t)
                current = tx.records.get(rid)
                if current is not None and not current.deleted:
                    continue  # already listed, perhaps in another case: keep its spelling
                self._store.put(tx, R.DISCLOSURE_TERM, rid, {"term": t})
                ids.append(rid)
        return ChangeSet.of(R.DISCLOSURE_TERM, *ids) if ids else ChangeSet()

    def remove_term(self, term: str) -> ChangeSet:
        """Remove a term (case-insensitive)."""
        rid = term_id(self._store.inspection_id, " ".join(term.split()))
        with self._store.uow(write=True) as tx:
            e = tx.records.get(rid)
            if e is None or e.deleted:
                raise NotFoundError("That term is not on the list.")
            self._store.put(tx, R.DISCLOSURE_TERM, rid, dict(e.payload), deleted=True)
        return ChangeSet.of(R.DISCLOSURE_TERM, rid)

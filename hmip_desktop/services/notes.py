"""Notes: the inspector's main evidence. Every save is a revision; nothing is overwritten."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet, NewId
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.hlc import hlc_millis
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.records import NoteView
from hmip_desktop.services.labels import source_kind_label, source_kind_labels

if TYPE_CHECKING:  # the store loads SQLAlchemy: a GUI start shows notes before it (issue 11)
    from hmip_desktop.services.inspection_store import InspectionStore


def note_view(e: EntityView) -> NoteView:
    """A stored note as the notes list and editor show it."""
    import datetime as dt

    updated = dt.datetime.fromtimestamp(hlc_millis(e.updated_hlc) / 1000, dt.UTC)
    return NoteView.from_payload(e.id, e.payload, author_id=e.created_by,
                                 updated=updated.isoformat(timespec="seconds"),
                                 conflicted=e.conflicted, updated_hlc=e.updated_hlc)


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(R.NOTE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown note {'field' if len(unknown) == 1 else 'fields'}: "
                              f"{', '.join(sorted(unknown))}")
    out = dict(fields)
    if "interpreter_used" in out:
        out["interpreter_used"] = bool(out["interpreter_used"])
    return out


class NotesListing(NamedTuple):
    """Every live note and the inspection's establishment type, read together: the Notes
    list and `hmip note list` name source kinds in the type's words ("Prisoner interview",
    "Detainee interview"). (A named tuple: this module loads on a start's first screen.)"""

    notes: list[NoteView]
    establishment_type: str

    def source_kind_labels(self) -> dict[str, str]:
        """Each source kind's key and label in this inspection's words, in the method's
        order."""
        return source_kind_labels(self.establishment_type)

    def source_kind_label(self, key: str | None) -> str:
        """One source kind in this inspection's words."""
        return source_kind_label(key, self.establishment_type)


class NoteService:
    """Add, edit, delete and list notes of one open inspection."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    def add(self, *, source_kind: str, title: str, body: str = "",
            expectations: list[str] | None = None, **fields: Any) -> NewId:
        """Create a note (and links to expectations); returns its id with the changes."""
        payload = _clean({"source_kind": source_kind, "title": title, "body": body, **fields})
        payload.setdefault("interpreter_used", False)
        R.validate_note(payload)
        note_id = new_id()
        changes = ChangeSet.of(R.NOTE, note_id)
        with self._store.uow(write=True) as tx:
            self._store.put(tx, R.NOTE, note_id, payload)
            for ref in expectations or []:
                link_id = new_id()
                changes |= ChangeSet.of(R.LINK, link_id)
                self._store.put(tx, R.LINK, link_id, {
                    "evidence_id": note_id, "evidence_type": R.NOTE,
                    "expectation_ref": ref, "start": None, "end": None, "page": None,
                })
        return NewId(note_id, changes)

    def edit(self, note_id: str, *, based_on: str | None = None,
             **changes: Any) -> ChangeSet:
        """Change some fields of a note; unchanged saves write nothing. An editor passes
        `based_on`, the note's `updated_hlc` when it loaded it, and gets a `Saved` back
        (services.edit_base: a teammate's change made meanwhile is not overwritten)."""
        # Here, not at module level: the GUI start imports this module to show notes, and
        # the rebase brings the revision model (~7 ms) that an edit needs only later.
        from hmip_desktop.services.edit_base import rebase, saved

        changes = _clean(changes)
        with self._store.uow(write=True) as tx:
            current = tx.records.get(note_id)
            if current is None or current.type != R.NOTE or (current.deleted and not based_on):
                raise NotFoundError("No such note.")
            payload, parents = rebase(tx, current, {**current.payload, **changes}, based_on)
            if current.deleted and parents is None:  # no state to keep the typing beside
                raise NotFoundError("No such note.")
            if payload == dict(current.payload) and parents is None:
                out, now_at = ChangeSet(), current.updated_hlc
            else:
                R.validate_note(payload)
                now_at = self._store.put(tx, R.NOTE, note_id, payload, parents=parents).hlc
                out = ChangeSet.of(R.NOTE, note_id)
        return saved(out, now_at, parents) if based_on is not None else out

    def delete(self, note_id: str) -> ChangeSet:
        """Tombstone a note (its history stays; undo writes a new live revision)."""
        with self._store.uow(write=True) as tx:
            current = tx.records.get(note_id)
            if current is None or current.type != R.NOTE:
                raise NotFoundError("No such note.")
            self._store.put(tx, R.NOTE, note_id, dict(current.payload), deleted=True)
        return ChangeSet.of(R.NOTE, note_id)

    def restore(self, note_id: str, payload: Mapping[str, Any]) -> ChangeSet:
        """Write a live revision with an earlier payload (undo of an edit or a delete)."""
        with self._store.uow(write=True) as tx:
            self._store.put(tx, R.NOTE, note_id, dict(payload))
        return ChangeSet.of(R.NOTE, note_id)

    def get(self, note_id: str) -> NoteView:
        """One live note."""
        with self._store.uow() as tx:
            e = tx.records.get(note_id)
        if e is None or e.type != R.NOTE or e.deleted:
            raise NotFoundError("No such note.")
        return note_view(e)

    def list(self) -> list[NoteView]:
        """Every live note, oldest first."""
        with self._store.uow() as tx:
            return [note_view(e) for e in tx.records.list(R.NOTE)]

    def listing(self) -> NotesListing:
        """Every live note, oldest first, with the inspection's establishment type (one
        read)."""
        with self._store.uow() as tx:
            notes = [note_view(e) for e in tx.records.list(R.NOTE)]
            inspection = tx.records.get(self._store.inspection_id)
        etype = inspection.payload.get("establishment_type") if inspection is not None else ""
        return NotesListing(notes, str(etype or ""))

    def newest(self, limit: int) -> list[NoteView]:
        """The `limit` most recently saved live notes, newest first (one indexed read that
        parses only their payloads: the notes list's first page)."""
        with self._store.uow() as tx:
            return [note_view(e) for e in tx.records.newest(R.NOTE, limit)]

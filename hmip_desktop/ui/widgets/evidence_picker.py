"""Choosing the evidence a judgement or a concern rests on: a checkable list of evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from hmip_desktop.domain import scoring as S
from hmip_desktop.services.evidence_snapshot import EvidenceSnapshot, evidence_snapshot
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.store import InspectionStore

ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1

TYPE_LABELS = {"note": "note", "document": "document", "extract": "data extract",
               "figure": "figure"}


@dataclass(frozen=True)
class EvidenceChoice:
    """One piece of evidence a person can pick, with what it supports."""

    evidence_id: str
    label: str


def linked_evidence(store: InspectionStore, section_keys: Iterable[str] | None = None,
                    snap: EvidenceSnapshot | None = None) -> list[EvidenceChoice]:
    """Evidence linked to expectations of these sections (all sections when None).

    Runs on the DB lane, from one evidence snapshot (the caller's, when it has one). Each
    piece appears once, labelled with the expectations it supports.
    """
    snap = snap or evidence_snapshot(store)
    wanted = None if section_keys is None else set(section_keys)
    titles: dict[str, str] = {}
    supports: dict[str, list[str]] = {}
    for sec in S.sections(snap.framework_data):
        key = str(sec.get("key"))
        if wanted is not None and key not in wanted:
            continue
        for ar in S.areas(sec):
            for exp in snap.area_evidence(key, str(ar.get("key"))):
                for ref in exp.evidence:
                    titles.setdefault(ref.evidence_id, _title(ref.title, ref.evidence_type))
                    refs = supports.setdefault(ref.evidence_id, [])
                    if exp.number not in refs:
                        refs.append(exp.number)
    return [EvidenceChoice(eid, f"{titles[eid]} — expectation "
                                f"{', '.join(supports[eid])}") for eid in titles]


def all_evidence(store: InspectionStore) -> list[EvidenceChoice]:
    """Linked evidence of every section, then notes not yet linked to any expectation."""
    out = linked_evidence(store)
    known = {c.evidence_id for c in out}
    for note in NoteService(store).list():
        if note.id not in known:
            out.append(EvidenceChoice(note.id, f"{_title(note.title, 'note')} — not linked"))
    return out


def _title(title: str, evidence_type: str) -> str:
    kind = TYPE_LABELS.get(evidence_type, evidence_type)
    return f"{title or '(untitled)'} ({kind})"


class CheckList(QListWidget):
    """A checkable list of (id, label) items: Space ticks the current item, arrows move."""

    selection_edited = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setMaximumHeight(120)
        self.itemChanged.connect(self._on_list_item_changed)

    def set_items(self, items: Sequence[tuple[str, str]], selected: Iterable[str] = ()) -> None:
        """Offer these items, ticking `selected`; unknown selected ids are kept, shown by id."""
        chosen = list(selected)
        offered = {key for key, _ in items}
        rows = list(items) + [(i, self.missing_label(i)) for i in chosen if i not in offered]
        current = self.currentRow()
        self.blockSignals(True)
        self.clear()
        for key, label in rows:
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in chosen
                               else Qt.CheckState.Unchecked)
            self.addItem(item)
        if self.count():
            self.setCurrentRow(min(max(current, 0), self.count() - 1))
        self.blockSignals(False)

    def missing_label(self, key: str) -> str:
        """How a ticked id that is no longer offered is shown."""
        return key

    def set_selected(self, ids: Iterable[str]) -> None:
        """Tick exactly these ids."""
        wanted = set(ids)
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in wanted
                               else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def selected_ids(self) -> list[str]:
        """The ticked ids in list order."""
        return [str(self.item(i).data(ID_ROLE)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def _on_list_item_changed(self, _item: QListWidgetItem) -> None:
        self.selection_edited.emit()


class EvidencePicker(CheckList):
    """Pieces of evidence to tick."""

    def set_choices(self, choices: Sequence[EvidenceChoice], selected: Iterable[str] = ()) -> None:
        """Offer these pieces; ticked are `selected`."""
        self.set_items([(c.evidence_id, c.label) for c in choices], selected)

    def missing_label(self, key: str) -> str:
        """Evidence ticked before but no longer linked (or deleted) stays visible."""
        return f"{key} (no longer linked)"

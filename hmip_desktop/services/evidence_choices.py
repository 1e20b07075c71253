"""The evidence a judgement or a concern can rest on, as the pickers list it.

Built from the caller's evidence snapshot and notes, read in the caller's one transaction
(no database here); Qt-free, so the walkthrough, register and previous-items snapshots share
it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hmip_desktop.services.evidence_snapshot import EvidenceSnapshot

TYPE_LABELS = {"note": "note", "document": "document", "extract": "data extract",
               "figure": "figure"}


@dataclass(frozen=True)
class EvidenceChoice:
    """One piece of evidence a person can pick, with what it supports."""

    evidence_id: str
    label: str


def linked_choices(snap: EvidenceSnapshot,
                   section_keys: Iterable[str] | None = None) -> list[EvidenceChoice]:
    """Evidence linked to expectations of these sections (all sections when None), each
    piece once, labelled with the expectations it supports (no database)."""
    wanted = None if section_keys is None else set(section_keys)
    titles: dict[str, str] = {}
    supports: dict[str, list[str]] = {}
    for sec in snap.model.sections:
        if wanted is not None and sec.key not in wanted:
            continue
        for ar in sec.areas:
            for exp in snap.area_evidence(sec.key, ar.key):
                for ref in exp.evidence:
                    titles.setdefault(ref.evidence_id, _title(ref.title, ref.evidence_type))
                    refs = supports.setdefault(ref.evidence_id, [])
                    if exp.number not in refs:
                        refs.append(exp.number)
    return [EvidenceChoice(eid, f"{titles[eid]} — expectation "
                                f"{', '.join(supports[eid])}") for eid in titles]


def all_choices(snap: EvidenceSnapshot,
                notes: Iterable[tuple[str, str]]) -> list[EvidenceChoice]:
    """Linked evidence of every section, then the (id, title) notes not yet linked to any
    expectation, oldest first (no database)."""
    out = linked_choices(snap)
    known = {c.evidence_id for c in out}
    for note_id, title in notes:
        if note_id not in known:
            out.append(EvidenceChoice(note_id, f"{_title(title, 'note')} — not linked"))
    return out


def _title(title: str, evidence_type: str) -> str:
    kind = TYPE_LABELS.get(evidence_type, evidence_type)
    return f"{title or '(untitled)'} ({kind})"


__all__: Sequence[str] = ("EvidenceChoice", "TYPE_LABELS", "all_choices", "linked_choices")

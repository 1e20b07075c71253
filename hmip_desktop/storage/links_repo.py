"""Evidence links read set-based from the `evidence_link` projection.

The projection holds every live link (evidence id, expectation ref, passage offsets, page);
what it lacks (the evidence's type, title and own source kind) comes from the entity table in
the same statement, so a screen of 2,000 linked notes costs one query, not one per record.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hmip_desktop.domain.records import EVIDENCE_TYPES
from hmip_desktop.storage.tables import EntityRow, EvidenceLinkRow

_LINK = EvidenceLinkRow.__table__
_EVIDENCE = EntityRow.__table__.alias("ev")
_LINK_RECORD = EntityRow.__table__.alias("lk")


def _field(name: str):  # type: ignore[no-untyped-def]
    # json_extract reads one field in SQLite: the note body never reaches Python.
    return func.json_extract(_EVIDENCE.c.payload, f"$.{name}")


# Live links whose evidence record is live and of an evidence type, oldest link first (the
# order `records.list(link)` gives, so lists on screen keep their order).
_LINKED_EVIDENCE = (
    select(_LINK.c.id, _LINK.c.evidence_id, _LINK.c.expectation_ref, _LINK.c.start,
           _LINK.c.end, _LINK.c.page, _EVIDENCE.c.type, _field("source_kind"),
           _field("title"), _field("name"), _field("caption"))
    .join(_EVIDENCE, _EVIDENCE.c.id == _LINK.c.evidence_id)
    .join(_LINK_RECORD, _LINK_RECORD.c.id == _LINK.c.id)
    .where(_EVIDENCE.c.deleted.is_(False), _EVIDENCE.c.type.in_(sorted(EVIDENCE_TYPES)))
    .order_by(_LINK_RECORD.c.created_hlc, _LINK_RECORD.c.rid)
)


class LinkedEvidence(NamedTuple):
    """One live link and the facts about its evidence record that screens show (a named
    tuple: thousands are made per read, and a frozen dataclass costs several times more)."""

    link_id: str
    evidence_id: str
    evidence_type: str
    expectation_ref: str
    start: int | None
    end: int | None
    page: int | None
    own_source_kind: object  # the payload's source_kind as stored (checked by the domain rule)
    title: str


class LinksRepository:
    """Read access to the evidence-link projection for one Session."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def linked_evidence(self) -> list[LinkedEvidence]:
        """Every live link to live evidence, with the evidence's type and title (one query)."""
        return [LinkedEvidence(link_id, evidence_id, etype, ref, start, end, page, kind,
                               str(title or name or caption or ""))
                for (link_id, evidence_id, ref, start, end, page, etype, kind, title, name,
                     caption) in self._s.execute(_LINKED_EVIDENCE).all()]

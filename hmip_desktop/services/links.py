"""Evidence links: an evidence item, or a passage or page of it, to an expectation, or to an
area as a whole when the area lists no expectation numbers yet (ref "area:<section>/<area>").

Links are small records of their own (an observed-remove set): adding one never conflicts with
an edit of the note, and removing one writes a tombstone revision, so history keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet, NewId
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.framework_nation import (
    NATION_LABELS,
    area_ref,
    inspection_nation,
    parse_area_ref,
)
from hmip_desktop.domain.ids import new_id

if TYPE_CHECKING:
    from hmip_desktop.domain.framework import Framework
    from hmip_desktop.services.inspection_store import InspectionStore

EVIDENCE_TYPES = frozenset({R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE})


@dataclass(frozen=True)
class LinkView:
    """A live link."""

    id: str
    evidence_id: str
    evidence_type: str
    expectation_ref: str
    start: int | None
    end: int | None
    page: int | None
    quote: str | None
    # What it links to, in words (describe_ref with the pinned framework's labels).
    target: str = ""


class LinkService:
    """Add, remove and list evidence links of one open inspection."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    def add(self, evidence_id: str, expectation_ref: str, *, start: int | None = None,
            end: int | None = None, page: int | None = None,
            known_refs: set[str] | None = None) -> NewId:
        """Link evidence (whole, a passage [start, end) in plain-text characters, or a page);
        returns the link's id with the changes."""
        ref = expectation_ref.strip()
        if not ref:
            raise ValidationError("Choose an expectation to link to.")
        if known_refs is not None and ref not in known_refs:
            raise ValidationError(f"Expectation {ref} is not in this inspection's framework.")
        if (start is None) != (end is None):
            raise ValidationError("A passage needs both a start and an end.")
        if start is not None and end is not None and not 0 <= start < end:
            raise ValidationError("A passage must start before it ends.")
        with self._store.uow(write=True) as tx:
            evidence = tx.records.get(evidence_id)
            if evidence is None or evidence.deleted or evidence.type not in EVIDENCE_TYPES:
                raise NotFoundError("No evidence with that id in this inspection.")
            quote = None
            if start is not None and evidence.type == R.NOTE:
                body = str(evidence.payload.get("body", ""))
                if end > len(body):  # type: ignore[operator]
                    raise ValidationError("The passage runs past the end of the note.")
                quote = body[start:end][:500]  # kept so a later edit cannot lose the context
            link_id = new_id()
            self._store.put(tx, R.LINK, link_id, {
                "evidence_id": evidence_id, "evidence_type": evidence.type,
                "expectation_ref": ref, "start": start, "end": end, "page": page,
                "quote": quote,
            })
        return NewId(link_id, ChangeSet.of(R.LINK, link_id))

    def area_target(self, section_key: str, area_key: str) -> str:
        """The link ref of an area as a whole, checked: the area exists in the pinned
        framework, counts in the inspection's nation and lists no expectation numbers (an
        area with numbers takes links to its expectations)."""
        from hmip_desktop.services.inspection_record import inspection_payload, pinned_framework

        skey = section_key.strip().replace("-", "_")
        akey = area_key.strip().replace("-", "_")
        framework = pinned_framework(self._store)
        nation = inspection_nation(inspection_payload(self._store))
        ar = framework.area(skey, akey)  # NotFoundError names the valid keys
        label = ar.label
        if not ar.applies_in(nation):
            raise ValidationError(f"{label} does not count in an inspection in "
                                  f"{NATION_LABELS.get(nation, nation)}.")
        numbers = [e.number for e in ar.expectations]
        if numbers:
            raise ValidationError(f"{label} lists expectations ({', '.join(numbers[:5])}"
                                  f"{'…' if len(numbers) > 5 else ''}): link the evidence "
                                  "to one of them.")
        return area_ref(skey, akey)

    def add_to_area(self, evidence_id: str, section_key: str, area_key: str) -> NewId:
        """Link evidence (whole) to an area without expectation numbers; returns the link id.
        It then counts as evidence for that area in coverage and the walkthrough."""
        return self.add(evidence_id, self.area_target(section_key, area_key))

    def remove(self, link_id: str) -> ChangeSet:
        """Remove a link (a tombstone revision)."""
        with self._store.uow(write=True) as tx:
            link = tx.records.get(link_id)
            if link is None or link.type != R.LINK or link.deleted:
                raise NotFoundError("No such link.")
            self._store.put(tx, R.LINK, link_id, dict(link.payload), deleted=True)
        return ChangeSet.of(R.LINK, link_id)

    def restore(self, link_id: str) -> ChangeSet:
        """Bring a removed link back (undo of a removal)."""
        with self._store.uow(write=True) as tx:
            link = tx.records.get(link_id)
            if link is None or link.type != R.LINK:
                raise NotFoundError("No such link.")
            self._store.put(tx, R.LINK, link_id, dict(link.payload))
        return ChangeSet.of(R.LINK, link_id)

    def for_evidence(self, evidence_id: str) -> list[LinkView]:
        """Live links of one evidence item."""
        with self._store.uow() as tx:
            views = [v for v in tx.records.list(R.LINK)
                     if v.payload.get("evidence_id") == evidence_id]
        return self._views(views)

    def all(self) -> list[LinkView]:
        """Every live link."""
        with self._store.uow() as tx:
            return self._views(tx.records.list(R.LINK))

    def _views(self, records) -> list[LinkView]:  # type: ignore[no-untyped-def]
        links = [_view(v.id, v.payload) for v in records]
        framework = None
        if any(parse_area_ref(link.expectation_ref) for link in links):
            from hmip_desktop.services.inspection_record import pinned_framework

            framework = pinned_framework(self._store)  # parsed once per file, cached
        return [replace(link, target=describe_ref(link.expectation_ref, framework))
                for link in links]


@dataclass(frozen=True)
class EvidenceItem:
    """One live evidence record a person can link: id, record type and title."""

    id: str
    evidence_type: str
    title: str


def evidence_items(store: InspectionStore) -> list[EvidenceItem]:
    """Every live note, document, extract and figure, by type then title (one read)."""
    out = []
    with store.uow() as tx:
        for kind in (R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE):
            for view in tx.records.list(kind):
                p = view.payload
                title = str(p.get("title") or p.get("name") or p.get("caption") or "")
                out.append(EvidenceItem(view.id, kind, title))
    return out


def describe_ref(ref: str, framework: Framework | None = None) -> str:
    """How a link's ref reads: "Expectation 12", or for an area as a whole its section and
    area by their labels ("Purposeful activity › Time out of cell"; the keys only when the
    framework no longer has them)."""
    area = parse_area_ref(ref)
    if not area:
        return f"Expectation {ref}"
    if framework is not None:
        try:
            return f"{framework.section(area[0]).label} › {framework.area(*area).label}"
        except NotFoundError:
            pass
    return f"Area {area[0]}/{area[1]}"


def _view(link_id: str, p) -> LinkView:  # type: ignore[no-untyped-def]
    return LinkView(link_id, str(p.get("evidence_id", "")), str(p.get("evidence_type", "")),
                    str(p.get("expectation_ref", "")), p.get("start"), p.get("end"),
                    p.get("page"), p.get("quote"))

"""Concerns register and notable positive practice, with the report model's rules shown live.

A concern is a statement of a problem and its effect on prisoners or detainees, tied to one or
more framework sections, addressed to someone, backed by evidence, optionally a priority
concern, and ordered. Rule checks count live concerns; they warn while drafting and block once
the inspection is ready for report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import concerns as C
from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet, NewId
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.ids import new_id
from hmip_desktop.services.edit_base import rebase, saved
from hmip_desktop.services.inspection_record import PinnedFramework, inspection_payload, pinned
from hmip_desktop.services.scoring import check_evidence

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

CONCERN_FIELDS = ("title", "body", "sections", "priority", "addressee", "evidence_ids", "order",
                  "action_plan")
NPP_FIELDS = ("title", "body", "sections", "evidence_ids", "order")


@dataclass(frozen=True)
class ConcernView:
    """A concern as the register shows it."""

    id: str
    title: str
    body: str
    sections: tuple[str, ...]
    priority: bool
    addressee: str | None
    addressee_label: str
    evidence_ids: tuple[str, ...]
    order: int
    author_id: str
    updated_hlc: str
    conflicted: bool
    # The action plan response in its current stored shape (domain.action_plan; payloads of
    # the single-action version read as one step) or None.
    action_plan: dict[str, Any] | None = field(default=None, hash=False)
    # Its number in the report, the action plan and a returned response: priority concerns
    # first (domain.concerns.report_order), so "concern 5" means one concern everywhere.
    ref: str = ""


@dataclass(frozen=True)
class NppView:
    """A notable positive practice entry."""

    id: str
    title: str
    body: str
    sections: tuple[str, ...]
    evidence_ids: tuple[str, ...]
    order: int
    author_id: str
    updated_hlc: str
    conflicted: bool


def _order(e: EntityView) -> int:
    value = e.payload.get("order")
    return value if isinstance(value, int) else 0


def _sorted(views: list[EntityView]) -> list[EntityView]:
    # Two laptops may give the same order number; creation time breaks the tie the same way
    # everywhere.
    return sorted(views, key=lambda e: (_order(e), e.created_hlc, e.id))


def _require_text(payload: Mapping[str, Any], key: str, label: str) -> None:
    value = payload.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{label} is required.")


class _Register:
    """Shared add/edit/delete/reorder of an ordered, evidenced register of one entity type."""

    entity_type = ""
    fields: tuple[str, ...] = ()
    noun = "record"

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    def _validate(self, payload: dict[str, Any], framework: PinnedFramework,
                  tx: UnitOfWork) -> dict[str, Any]:
        _require_text(payload, "title", "Title")
        _require_text(payload, "body", "Description")
        sections = S.distinct_ids(payload.get("sections") or [])
        for key in sections:
            framework.model.section(key)
        payload["sections"] = sections
        payload["evidence_ids"] = check_evidence(tx, payload.get("evidence_ids"))
        order = payload.get("order")
        if isinstance(order, bool) or not isinstance(order, int):
            raise ValidationError("Order must be a whole number.")
        return payload

    def _clean(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(fields) - set(self.fields)
        if unknown:
            raise ValidationError(f"Unknown {self.noun} "
                                  f"{'field' if len(unknown) == 1 else 'fields'}: "
                                  f"{', '.join(sorted(unknown))}")
        return dict(fields)

    def _live(self, tx: UnitOfWork, record_id: str) -> EntityView:
        e = tx.records.get(record_id)
        if e is None or e.type != self.entity_type or e.deleted:
            raise NotFoundError(f"No such {self.noun}.")
        return e

    def _add(self, fields: Mapping[str, Any]) -> NewId:
        framework = pinned(self._store)
        payload = self._clean(fields)
        record_id = new_id()
        with self._store.uow(write=True) as tx:
            views = tx.records.list(self.entity_type)
            payload["order"] = max((_order(e) for e in views), default=0) + 1
            payload = self._validate(payload, framework, tx)
            self._store.put(tx, self.entity_type, record_id, payload)
        return NewId(record_id, ChangeSet.of(self.entity_type, record_id))

    def edit(self, record_id: str, *, based_on: str | None = None,
             **changes: Any) -> ChangeSet:
        """Change some fields; unchanged saves write nothing. An editor passes `based_on`,
        the record's `updated_hlc` when it loaded it, and gets a `Saved` back
        (services.edit_base: a teammate's change made meanwhile is not overwritten)."""
        changes = self._clean(changes)
        framework = pinned(self._store)
        with self._store.uow(write=True) as tx:
            current = tx.records.get(record_id) if based_on else None
            if current is None or current.type != self.entity_type:
                current = self._live(tx, record_id)
            payload, parents = rebase(tx, current, {**current.payload, **changes}, based_on)
            if current.deleted and parents is None:  # no state to keep the edit beside
                raise NotFoundError(f"No such {self.noun}.")
            payload = self._validate(payload, framework, tx)
            if payload == dict(current.payload) and parents is None:
                out, now_at = ChangeSet(), current.updated_hlc
            else:
                now_at = self._store.put(tx, self.entity_type, record_id, payload,
                                         parents=parents).hlc
                out = ChangeSet.of(self.entity_type, record_id)
        return saved(out, now_at, parents) if based_on is not None else out

    def delete(self, record_id: str) -> ChangeSet:
        """Tombstone a record (its history stays)."""
        with self._store.uow(write=True) as tx:
            current = self._live(tx, record_id)
            self._store.put(tx, self.entity_type, record_id, dict(current.payload),
                            deleted=True)
        return ChangeSet.of(self.entity_type, record_id)

    def reorder(self, ordered_ids: Iterable[str]) -> ChangeSet:
        """Put the live records in this order; only records whose number changes are written."""
        wanted = list(ordered_ids)
        with self._store.uow(write=True) as tx:
            live = {e.id: e for e in tx.records.list(self.entity_type)}
            if sorted(wanted) != sorted(live):
                raise ValidationError(f"Reordering needs every {self.noun} exactly once.")
            moved = []
            for position, record_id in enumerate(wanted, start=1):
                e = live[record_id]
                if _order(e) != position:
                    self._store.put(tx, self.entity_type, record_id,
                                    {**e.payload, "order": position})
                    moved.append(record_id)
        return ChangeSet.of(self.entity_type, *moved) if moved else ChangeSet()

    def move(self, record_id: str, position: int) -> ChangeSet:
        """Put one record at a 1-based position; the others keep their order (as a drag in
        the register does: it is written as a reorder)."""
        ids = [e.id for e in self._views()]
        if record_id not in ids:
            raise NotFoundError(f"No such {self.noun}.")
        if isinstance(position, bool) or not isinstance(position, int) \
                or not 1 <= position <= len(ids):
            raise ValidationError(f"The position must be between 1 and {len(ids)}.")
        ids.remove(record_id)
        ids.insert(position - 1, record_id)
        return self.reorder(ids)

    def position(self, record_id: str) -> int:
        """A live record's 1-based place in the register."""
        ids = [e.id for e in self._views()]
        if record_id not in ids:
            raise NotFoundError(f"No such {self.noun}.")
        return ids.index(record_id) + 1

    def count(self) -> int:
        """How many live records the register holds."""
        return len(self._views())

    def _views(self) -> list[EntityView]:
        with self._store.uow() as tx:
            return _sorted(tx.records.list(self.entity_type))


class ConcernService(_Register):
    """The concerns register of one open inspection."""

    entity_type = R.CONCERN
    fields = CONCERN_FIELDS
    noun = "concern"

    def _views(self) -> list[EntityView]:
        """In the order the report lists them: priority concerns first (report_order), so
        positions here are the numbers the report, the action plan and the register show."""
        views = super()._views()
        refs = dict(C.report_order([(e.id, bool(e.payload.get("priority")), _order(e))
                                    for e in views]))
        return sorted(views, key=lambda e: int(refs[e.id]))

    def move(self, record_id: str, position: int) -> ChangeSet:
        """As for any register, within its kind: the report lists priority concerns first
        whatever their order, so a move past the other kind is refused (it would not show)."""
        views = self._views()
        priority = {e.id: bool(e.payload.get("priority")) for e in views}
        if record_id in priority and isinstance(position, int) \
                and not isinstance(position, bool) and 1 <= position <= len(views):
            mine = [i for i, e in enumerate(views, start=1)
                    if priority[e.id] == priority[record_id]]
            if not mine[0] <= position <= mine[-1]:
                kind = "a priority concern" if priority[record_id] else "a key concern"
                raise ValidationError(
                    f"Priority concerns come first in the report: {kind} can be put at places "
                    f"{mine[0]}–{mine[-1]}. To move it between the two, change whether it is "
                    "a priority.")
        return super().move(record_id, position)

    def _validate(self, payload: dict[str, Any], framework: PinnedFramework,
                  tx: UnitOfWork) -> dict[str, Any]:
        payload = super()._validate(payload, framework, tx)
        if not payload["sections"]:
            raise ValidationError("A concern belongs to at least one section.")
        payload["priority"] = bool(payload.get("priority", False))
        addressee = payload.get("addressee") or None
        if addressee is not None:
            keys = [a.key for a in C.addressees_from(framework.data)]
            if addressee not in keys:
                raise ValidationError(f"Unknown addressee; use one of: {', '.join(keys)}")
        payload["addressee"] = addressee
        if payload.get("action_plan") is not None:
            payload["action_plan"] = AP.parse(payload["action_plan"]).payload()
        return payload

    def add(self, *, title: str, body: str, sections: Iterable[str], priority: bool = False,
            addressee: str | None = None, evidence_ids: Iterable[str] | None = None) -> NewId:
        """Add a concern at the end of the register; returns its id (with the changes)."""
        return self._add({"title": title, "body": body, "sections": list(sections),
                          "priority": priority, "addressee": addressee,
                          "evidence_ids": list(evidence_ids or [])})

    def set_priority(self, concern_id: str, priority: bool) -> ChangeSet:
        """Flag or unflag a concern as a priority concern."""
        return self.edit(concern_id, priority=bool(priority))

    def get(self, concern_id: str) -> ConcernView:
        """One live concern."""
        labels = {a.key: a.label for a in self.addressees()}
        with self._store.uow() as tx:
            return self._view(self._live(tx, concern_id), labels)

    def list(self) -> list[ConcernView]:
        """Live concerns in report order (priority first), each with its report number."""
        labels = {a.key: a.label for a in self.addressees()}
        return register_views(R.CONCERN, self._views(), labels)

    @staticmethod
    def _view(e: EntityView, labels: Mapping[str, str]) -> ConcernView:
        p = e.payload
        addressee = p.get("addressee") or None
        return ConcernView(
            e.id, str(p.get("title", "")), str(p.get("body", "")),
            tuple(p.get("sections") or []), bool(p.get("priority", False)), addressee,
            labels.get(addressee, addressee or ""), tuple(p.get("evidence_ids") or []),
            _order(e), e.created_by, e.updated_hlc, e.conflicted,
            AP.normalised(p.get("action_plan")))

    def sections(self) -> list[tuple[str, str]]:
        """(key, label) of the sections a concern can belong to."""
        return [(s.key, s.label) for s in pinned(self._store).model.sections]

    # The report model's addressees and limits keep their own defaults for absent keys
    # (domain.concerns), so they are read from the record's raw data.
    def addressees(self) -> list[C.Addressee]:
        """Who concerns can be addressed to (from the report model)."""
        return C.addressees_from(pinned(self._store).data)

    def limits(self) -> C.ConcernLimits | None:
        """The report model's concern limits (None when it has none)."""
        return C.limits_from(pinned(self._store).data)

    def check(self, *, at_readiness: bool | None = None) -> list[C.RuleIssue]:
        """Broken concern rules: warnings while drafting, blocking at readiness.

        By default the severity follows the inspection status; at_readiness forces it.
        """
        return concern_issues(inspection_payload(self._store), self._views(), self.limits(),
                              at_readiness=at_readiness)


def concern_issues(inspection: Mapping[str, Any], concerns: Iterable[EntityView],
                   limits: C.ConcernLimits | None, *,
                   at_readiness: bool | None = None) -> list[C.RuleIssue]:
    """The concern rules applied to live concern records (no database)."""
    if at_readiness is None:
        severity = C.severity_for_status(inspection.get("status"))
    else:
        severity = C.BLOCKING if at_readiness else C.WARNING
    views = list(concerns)
    priority = sum(1 for e in views if e.payload.get("priority"))
    return C.check_concerns(len(views), priority, limits, severity=severity,
                            kind=str(inspection.get("kind", "full")))


class NppService(_Register):
    """Notable positive practice entries of one open inspection."""

    entity_type = R.NPP
    fields = NPP_FIELDS
    noun = "notable positive practice entry"

    def add(self, *, title: str, body: str, sections: Iterable[str] | None = None,
            evidence_ids: Iterable[str] | None = None) -> NewId:
        """Add an entry at the end of the list; returns its id (with the changes)."""
        return self._add({"title": title, "body": body, "sections": list(sections or []),
                          "evidence_ids": list(evidence_ids or [])})

    def list(self) -> list[NppView]:
        """Live entries in order."""
        return [self._view(e) for e in self._views()]

    @staticmethod
    def _view(e: EntityView, _labels: Mapping[str, str] | None = None) -> NppView:
        p = e.payload
        return NppView(e.id, str(p.get("title", "")), str(p.get("body", "")),
                       tuple(p.get("sections") or []), tuple(p.get("evidence_ids") or []),
                       _order(e), e.created_by, e.updated_hlc, e.conflicted)


def register_views(entity_type: str, entities: Iterable[EntityView],
                   labels: Mapping[str, str]) -> list[Any]:
    """A register's views from its live records, in the order the report lists them (no
    database): concerns priority first, numbered as the report numbers them; notable
    positive practice in register order. `labels` names the concern addressees."""
    ordered = _sorted(list(entities))
    if entity_type != R.CONCERN:
        return [NppService._view(e, labels) for e in ordered]
    refs = dict(C.report_order([(e.id, bool(e.payload.get("priority")), _order(e))
                                for e in ordered]))
    views = [replace(ConcernService._view(e, labels), ref=refs[e.id]) for e in ordered]
    return sorted(views, key=lambda v: int(v.ref))

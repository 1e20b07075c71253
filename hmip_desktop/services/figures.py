"""Pinned figures: a saved filter and grouping of an extract, with its result and a caption.

The result is stored in the FIGURE record, so the report (and a colleague whose snapshot has
not arrived) can show it without recomputing; a figure is evidence and can be linked to
expectations like a note. Numbers are stored as integers or decimal text (payloads hold no
floats).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.ids import new_id
from hmip_desktop.ingest.coltypes import float_to_text
from hmip_desktop.services.extracts import ExtractService, resolve_column

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

CHARTS = ("bar", "line")
MAX_FIGURE_GROUPS = 500


@dataclass(frozen=True)
class FigureSpec:
    """What a figure shows: filters, the grouping column, count or sum, the chart kind."""

    group_by: int
    agg: str = "count"
    value_column: int | None = None
    granularity: str | None = None
    chart: str = "bar"
    filters: tuple[tuple[int, str, str | None], ...] = ()

    def to_payload(self) -> dict[str, Any]:
        """JSON form (filter values as text)."""
        return {"group_by": self.group_by, "agg": self.agg, "value_column": self.value_column,
                "granularity": self.granularity, "chart": self.chart,
                "filters": [list(f) for f in self.filters]}

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> FigureSpec:
        """Parse the JSON form."""
        return cls(int(p.get("group_by") or 0), str(p.get("agg") or "count"),
                   p.get("value_column"), p.get("granularity"), str(p.get("chart") or "bar"),
                   tuple((int(f[0]), str(f[1]), None if f[2] is None else str(f[2]))
                         for f in p.get("filters") or []))


@dataclass(frozen=True)
class FigureView:
    """A pinned figure with its frozen result."""

    id: str
    caption: str
    extract_id: str
    extract_name: str
    spec: FigureSpec
    key_label: str
    value_label: str
    rows: tuple[tuple[Any, Any], ...]
    created_hlc: str
    created_by: str
    conflicted: bool

    @property
    def changes(self) -> ChangeSet:
        """What pinning this figure changed (its FIGURE record)."""
        return ChangeSet.of(R.FIGURE, self.id)

    @property
    def chart(self) -> str:
        """'bar' or 'line'."""
        return self.spec.chart

    def values(self) -> list[float]:
        """The values as numbers, for a chart."""
        return [float(v) for _, v in self.rows]


def _view(e: EntityView) -> FigureView:
    p = e.payload
    result = p.get("result") or {}
    return FigureView(e.id, str(p.get("caption", "")), str(p.get("extract_id", "")),
                      str(p.get("extract_name", "")), FigureSpec.from_payload(p.get("spec") or {}),
                      str(result.get("key_label", "")), str(result.get("value_label", "")),
                      tuple((r[0], r[1]) for r in result.get("rows") or []),
                      e.created_hlc, e.created_by, e.conflicted)


def _stored_number(value: int | float) -> int | str:
    return value if isinstance(value, int) else float_to_text(float(value))


class FigureService:
    """Pin, list, re-caption and delete figures of one open inspection."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store
        self._extracts = ExtractService(store)

    def pin(self, extract_id: str, *, caption: str,
            spec: Mapping[str, Any] | FigureSpec) -> FigureView:
        """Compute the grouping now and save it with the caption (a FIGURE record)."""
        if not caption or not caption.strip():
            raise ValidationError("A figure needs a caption.")
        view = self._extracts.get(extract_id)
        raw = spec.to_payload() if isinstance(spec, FigureSpec) else dict(spec)
        if raw.get("group_by") is None:
            raise ValidationError("Choose the column to group by.")
        chart = str(raw.get("chart") or "bar")
        if chart not in CHARTS:
            raise ValidationError("The chart must be 'bar' or 'line'.")
        agg = str(raw.get("agg") or "count")
        group = resolve_column(view, raw["group_by"])
        value = None if raw.get("value_column") is None else resolve_column(view,
                                                                            raw["value_column"])
        filters = tuple((resolve_column(view, f[0]), str(f[1]), None if f[2] is None else str(f[2]))
                        for f in raw.get("filters") or [])
        fspec = FigureSpec(group, agg, value if agg == "sum" else None, raw.get("granularity"),
                           chart, filters)
        result = self._extracts.group_by(extract_id, group, agg, fspec.value_column,
                                         list(filters), fspec.granularity,
                                         limit=MAX_FIGURE_GROUPS + 1)
        if len(result) > MAX_FIGURE_GROUPS:
            raise ValidationError(f"A figure can show at most {MAX_FIGURE_GROUPS} groups; "
                                  "filter the rows or group dates by month or year.")
        key_label = view.columns[group].name + (f" ({fspec.granularity})"
                                                if fspec.granularity else "")
        value_label = ("Count" if agg == "count"
                       else f"Sum of {view.columns[fspec.value_column or 0].name}")
        rows = [[k if not isinstance(k, float) else float_to_text(k), _stored_number(v)]
                for k, v in result]
        payload = {
            "caption": caption.strip(), "extract_id": view.id, "extract_name": view.name,
            "extract_sha256": view.sha256, "source_kind": "data",
            "spec": fspec.to_payload(),
            "result": {"key_label": key_label, "value_label": value_label, "rows": rows},
        }
        figure_id = new_id()
        with self._store.uow(write=True) as tx:
            self._store.put(tx, R.FIGURE, figure_id, payload)
        return self.get(figure_id)

    def get(self, figure_id: str) -> FigureView:
        """One live figure."""
        with self._store.uow() as tx:
            e = tx.records.get(figure_id)
        if e is None or e.type != R.FIGURE or e.deleted:
            raise NotFoundError("No such figure.")
        return _view(e)

    def list(self, extract_id: str | None = None) -> list[FigureView]:
        """Live figures (of one extract, or all), oldest first."""
        with self._store.uow() as tx:
            views = [_view(e) for e in tx.records.list(R.FIGURE)]
        return [v for v in views if extract_id is None or v.extract_id == extract_id]

    def set_caption(self, figure_id: str, caption: str) -> ChangeSet:
        """Change a figure's caption (a new revision)."""
        if not caption or not caption.strip():
            raise ValidationError("A figure needs a caption.")
        with self._store.uow(write=True) as tx:
            e = tx.records.get(figure_id)
            if e is None or e.type != R.FIGURE or e.deleted:
                raise NotFoundError("No such figure.")
            if e.payload.get("caption") == caption.strip():
                return ChangeSet()
            self._store.put(tx, R.FIGURE, figure_id, {**e.payload, "caption": caption.strip()})
        return ChangeSet.of(R.FIGURE, figure_id)

    def delete(self, figure_id: str) -> ChangeSet:
        """Tombstone a figure (undo writes a live revision again)."""
        with self._store.uow(write=True) as tx:
            e = tx.records.get(figure_id)
            if e is None or e.type != R.FIGURE or e.deleted:
                raise NotFoundError("No such figure.")
            self._store.put(tx, R.FIGURE, figure_id, dict(e.payload), deleted=True)
        return ChangeSet.of(R.FIGURE, figure_id)

    def restore(self, figure_id: str) -> ChangeSet:
        """Bring a deleted figure back (undo of a delete)."""
        with self._store.uow(write=True) as tx:
            e = tx.records.get(figure_id)
            if e is None or e.type != R.FIGURE:
                raise NotFoundError("No such figure.")
            self._store.put(tx, R.FIGURE, figure_id, dict(e.payload))
        return ChangeSet.of(R.FIGURE, figure_id)

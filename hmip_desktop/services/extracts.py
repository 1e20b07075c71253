"""Data extracts: import with progress and cancel, browse lazily in SQL, group.

The EXTRACT record (name, columns, row count, snapshot hash) is what syncs; the rows live in
a local table rebuilt from the snapshot blob when missing (see extract_import). Queries take
column references as 0-based indexes or column names and filter values as text the user typed
(converted here to the column's type); no user text ever reaches SQL except as a parameter.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.date_words import from_hlc, long_date
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.ingest import tabular
from hmip_desktop.ingest.coltypes import (
    ConversionError,
    TableSniff,
    float_to_text,
    str_to_date,
    str_to_decimal,
    str_to_int,
)
from hmip_desktop.services import extract_import as imp
from hmip_desktop.services.extract_import import MaterialiseReport, materialise_missing_extracts
from hmip_desktop.storage import extract_queries as Q
from hmip_desktop.storage import extract_tables as T

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

# TableSniff is re-exported: preview() returns it, and the UI may not import ingest directly.
__all__ = ["ColumnView", "ExtractService", "ExtractView", "MaterialiseReport", "TableSniff",
           "materialise_missing_extracts"]

ColumnRef = int | str
# (column, operator, value): operator one of =, !=, <, <=, >, >=, contains; value as typed.
FilterSpec = tuple[ColumnRef, str, Any]
MAX_PAGE = 10_000


@dataclass(frozen=True)
class ColumnView:
    """One column of an extract."""

    index: int
    name: str
    type: str


@dataclass(frozen=True)
class ExtractView:
    """An extract as the GUI and command line see it."""

    id: str
    name: str
    description: str
    filename: str
    columns: tuple[ColumnView, ...]
    row_count: int
    sha256: str
    size: int
    source_kind: str
    created_hlc: str
    created_by: str
    conflicted: bool
    available: bool  # rows present locally (False until the snapshot of a merge arrives)

    @property
    def changes(self) -> ChangeSet:
        """What writing this extract (an import or rebuild) touched."""
        return ChangeSet.of(R.EXTRACT, self.id)


def extract_view(e: EntityView, available: bool) -> ExtractView:
    """Build a view from a record."""
    p = e.payload
    cols = tuple(ColumnView(i, str(c.get("name", "")), str(c.get("type", "text")))
                 for i, c in enumerate(p.get("columns") or []))
    return ExtractView(e.id, str(p.get("name", "")), str(p.get("description") or ""),
                       str(p.get("filename") or ""), cols, int(p.get("row_count") or 0),
                       str(p.get("sha256", "")), int(p.get("size") or 0),
                       str(p.get("source_kind") or "data"), e.created_hlc, e.created_by,
                       e.conflicted, available)


def same_content_text(earlier: ExtractView) -> str:
    """What a person is told when a file's content was imported before (CLI and dialog)."""
    when = long_date(from_hlc(earlier.created_hlc))
    return (f"an extract with the same content was already imported as '{earlier.name}'"
            + (f" on {when}" if when else ""))


def resolve_column(view: ExtractView, ref: ColumnRef) -> int:
    """A column's index from its index or its name."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        if 0 <= ref < len(view.columns):
            return ref
        raise ValidationError(f"The extract has no column number {ref + 1}.")
    for col in view.columns:
        if col.name == ref:
            return col.index
    folded = [c for c in view.columns if c.name.casefold() == str(ref).casefold()]
    if len(folded) == 1:
        return folded[0].index
    raise ValidationError(f"The extract has no column '{ref}'.")


def typed_value(column: ColumnView, value: Any) -> Any:
    """A filter value converted to the column's stored type (None stays a blank)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    raw = str(value)
    try:
        if column.type == "integer":
            return str_to_int(raw)
        if column.type == "decimal":
            text = str_to_decimal(raw)
            return None if text is None else float(text)
        if column.type == "date":
            return str_to_date(raw)
    except ConversionError:
        raise ValidationError(
            f"The filter value for column '{column.name}' must be a {column.type}.") from None
    return raw


def display_value(column: ColumnView, value: Any) -> Any:
    """A stored value as shown: decimals as plain text ('12.5'), everything else as stored."""
    if column.type == "decimal" and isinstance(value, float):
        return float_to_text(value)
    return value


def _view_in(tx: UnitOfWork, extract_id: str) -> ExtractView:
    """One live extract, read in `tx`."""
    e = tx.records.get(extract_id)
    if e is None or e.type != R.EXTRACT or e.deleted:
        raise NotFoundError("No such extract.")
    return extract_view(e, tx.extract_tables.exists(T.table_name(e.id)))


def _ready_in(tx: UnitOfWork, extract_id: str) -> ExtractView:
    """One live extract whose rows are here, read in `tx` (the rows are then read in it too,
    so a merge removing the extract in between cannot leave a record without its table)."""
    view = _view_in(tx, extract_id)
    if not view.available:
        raise NotFoundError("The rows of this extract are not on this computer yet: its "
                            "snapshot arrives with the colleague's next bundle.")
    return view


class ExtractService:
    """Import, list and query the data extracts of one open inspection.

    Figures are pinned through services.figures.FigureService, the one way (GUI and CLI).
    """

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    # -- importing ---------------------------------------------------------------------------
    def preview(self, path: Path, **overrides: Any) -> TableSniff:
        """Detected kind, encoding, delimiter, header and column types, with sample rows."""
        with imp.gc_paused():
            return tabular.sniff(Path(path), **overrides)

    def sheet_names(self, path: Path) -> list[str]:
        """The sheets of an XLSX workbook, in order, to choose the one holding the data
        ([] for a CSV file)."""
        with imp.gc_paused():
            return tabular.sheet_names(Path(path))

    def import_file(self, path: Path, *, name: str | None = None, description: str = "",
                    column_types: Mapping[str | int, str] | None = None,
                    sniff: TableSniff | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    cancel: threading.Event | None = None,
                    yield_to: Callable[[], bool] | None = None) -> ExtractView:
        """Import a CSV/XLSX file as an immutable snapshot plus its rows, all or nothing.
        While `yield_to()` is true, other writers go first (see services.extract_import)."""
        path = Path(path)
        if path.is_dir():
            raise ValidationError(f"'{path.name}' is a folder, not a CSV or Excel file.")
        if not path.is_file():
            raise NotFoundError(f"There is no file '{path.name}'.")
        found = imp.apply_column_types(sniff or self.preview(path), column_types)
        title = (name if name is not None else path.stem).strip()
        if not title:
            raise ValidationError("An extract needs a name.")
        extract_id = imp.import_extract(self._store, path, found, name=title,
                                        description=description, progress=progress,
                                        cancel=cancel, yield_to=yield_to)
        return self.get(extract_id)

    def same_content(self, sha256: str) -> ExtractView | None:
        """The first live extract imported from a file with this content (its SHA-256), or
        None: a re-import is allowed (an inspector may want it) but is said, never silent."""
        with self._store.uow() as tx:
            e = tx.records.first_with(R.EXTRACT, "sha256", sha256)
            return extract_view(e, tx.extract_tables.exists(T.table_name(e.id))) if e else None

    def imported_before(self, path: Path) -> ExtractView | None:
        """same_content for a file not yet imported (its content hashed here: run it off the
        GUI thread, as the import dialog's preview is)."""
        digest = hashlib.sha256()
        with Path(path).open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return self.same_content(digest.hexdigest())

    def rebuild(self, extract_id: str, *, progress: Callable[[int, int], None] | None = None,
                cancel: threading.Event | None = None) -> bool:
        """Rebuild one extract's rows from its snapshot; False while the snapshot is missing."""
        return imp.rebuild_extract(self._store, self._entity(extract_id), progress=progress,
                                   cancel=cancel)

    # -- records -----------------------------------------------------------------------------
    def _entity(self, extract_id: str) -> EntityView:
        with self._store.uow() as tx:
            e = tx.records.get(extract_id)
        if e is None or e.type != R.EXTRACT or e.deleted:
            raise NotFoundError("No such extract.")
        return e

    def get(self, extract_id: str) -> ExtractView:
        """One live extract."""
        with self._store.uow() as tx:
            return _view_in(tx, extract_id)

    def list(self) -> list[ExtractView]:
        """Every live extract, oldest first."""
        with self._store.uow() as tx:
            present = tx.extract_tables.existing()
            return [extract_view(e, T.table_name(e.id) in present)
                    for e in tx.records.list(R.EXTRACT)]

    def edit(self, extract_id: str, *, name: str | None = None,
             description: str | None = None) -> ChangeSet:
        """Rename or describe an extract (a new revision; the data never changes)."""
        with self._store.uow(write=True) as tx:
            e = tx.records.get(extract_id)
            if e is None or e.type != R.EXTRACT or e.deleted:
                raise NotFoundError("No such extract.")
            payload = dict(e.payload)
            if name is not None:
                if not name.strip():
                    raise ValidationError("An extract needs a name.")
                payload["name"] = name.strip()
            if description is not None:
                payload["description"] = description
            if payload == dict(e.payload):
                return ChangeSet()
            self._store.put(tx, R.EXTRACT, extract_id, payload)
        return ChangeSet.of(R.EXTRACT, extract_id)

    def delete(self, extract_id: str) -> ChangeSet:
        """Tombstone an extract and drop its local rows (the snapshot blob stays)."""
        with self._store.uow(write=True) as tx:
            e = tx.records.get(extract_id)
            if e is None or e.type != R.EXTRACT or e.deleted:
                raise NotFoundError("No such extract.")
            self._store.put(tx, R.EXTRACT, extract_id, dict(e.payload), deleted=True)
            tx.extract_tables.drop(T.table_name(extract_id))
        return ChangeSet.of(R.EXTRACT, extract_id)

    def restore(self, extract_id: str, *,
                progress: Callable[[int, int], None] | None = None) -> ChangeSet:
        """Bring a deleted extract back (undo); its rows are rebuilt from the snapshot, with
        `progress` following the rebuild. Not cancellable: the record is live again before
        the rows are rebuilt, so stopping midway would not leave the file as it was."""
        with self._store.uow(write=True) as tx:
            e = tx.records.get(extract_id)
            if e is None or e.type != R.EXTRACT:
                raise NotFoundError("No such extract.")
            self._store.put(tx, R.EXTRACT, extract_id, dict(e.payload))
        self.rebuild(extract_id, progress=progress)
        return ChangeSet.of(R.EXTRACT, extract_id)

    # -- queries for the lazy table model ----------------------------------------------------

    def _filters(self, view: ExtractView, filters: Sequence[FilterSpec]) -> list[Q.Filter]:
        out: list[Q.Filter] = []
        for ref, op, value in filters:
            index = resolve_column(view, ref)
            if op not in Q.OPERATORS:
                raise ValidationError(f"Filter operator must be one of: {', '.join(Q.OPERATORS)}.")
            col = view.columns[index]
            if op == "contains":
                out.append((index, op, "" if value is None else str(value)))
                continue
            converted = typed_value(col, value)
            if converted is None and op not in ("=", "!="):
                raise ValidationError("Only = and != can compare with a blank value.")
            out.append((index, op, converted))
        return out

    def check_filters(self, view: ExtractView, filters: Sequence[FilterSpec]) -> None:
        """ValidationError when a filter is refused (unknown column or operator, a value of
        the wrong type); reads nothing, so the GUI can ask before counting on the DB lane."""
        self._filters(view, filters)

    def row_count(self, extract_id: str, filters: Sequence[FilterSpec] = ()) -> int:
        """Rows matching the filters."""
        with self._store.uow() as tx:  # one read: the record and the rows it describes
            view = _ready_in(tx, extract_id)
            where = self._filters(view, filters)
            return tx.extract_rows.count(T.table_name(view.id), len(view.columns), where)

    def rows(self, extract_id: str, offset: int = 0, limit: int = 200,
             sort_column: ColumnRef | None = None, descending: bool = False,
             filters: Sequence[FilterSpec] = ()) -> list[tuple[Any, ...]]:
        """One page of rows (decimals as plain text), sorted and filtered in SQL."""
        with self._store.uow() as tx:  # one read: the record and the rows it describes
            view = _ready_in(tx, extract_id)
            where = self._filters(view, filters)
            sort = None if sort_column is None else resolve_column(view, sort_column)
            got = tx.extract_rows.page(T.table_name(view.id), len(view.columns),
                                       offset=offset, limit=min(max(limit, 0), MAX_PAGE),
                                       sort_column=sort, descending=descending, filters=where)
        return [tuple(display_value(c, v) for c, v in zip(view.columns, row, strict=True))
                for row in got]

    def prepare_sort(self, extract_id: str, column: ColumnRef) -> None:
        """Index a column so paging through a sort of a large extract stays fast (optional)."""
        with self._store.uow() as tx:
            view = _ready_in(tx, extract_id)
            index = resolve_column(view, column)
            if tx.extract_tables.has_index(T.table_name(view.id), index):
                return
        with self._store.uow(write=True) as tx:
            _ready_in(tx, extract_id)  # still there: a merge may have removed it meanwhile
            tx.extract_tables.create_index(T.table_name(view.id), index)

    def group_by(self, extract_id: str, column: ColumnRef, agg: str = "count",
                 value_column: ColumnRef | None = None, filters: Sequence[FilterSpec] = (),
                 date_granularity: str | None = None,
                 limit: int | None = None) -> list[tuple[Any, int | float]]:
        """(key, count or sum) per key, keys ascending; dates may group by month or year."""
        with self._store.uow() as tx:  # one read: the record and the rows it describes
            return self._group_by(tx, _ready_in(tx, extract_id), column, agg, value_column,
                                  filters, date_granularity, limit)

    def _group_by(self, tx: UnitOfWork, view: ExtractView, column: ColumnRef, agg: str,
                  value_column: ColumnRef | None, filters: Sequence[FilterSpec],
                  date_granularity: str | None,
                  limit: int | None) -> list[tuple[Any, int | float]]:
        index = resolve_column(view, column)
        col = view.columns[index]
        if date_granularity is not None:
            if date_granularity not in Q.GRANULARITIES:
                raise ValidationError("Group dates by 'month' or 'year'.")
            if col.type != "date":
                raise ValidationError(f"Column '{col.name}' holds no dates to group by "
                                      f"{date_granularity}.")
        value_index = None
        if agg == "sum":
            if value_column is None:
                raise ValidationError("Choose the column to add up.")
            value_index = resolve_column(view, value_column)
            if view.columns[value_index].type not in ("integer", "decimal"):
                raise ValidationError(
                    f"Column '{view.columns[value_index].name}' holds no numbers to add up.")
        elif agg != "count":
            raise ValidationError("The summary must be 'count' or 'sum'.")
        got = tx.extract_rows.group_by(T.table_name(view.id), len(view.columns),
                                       column=index, agg=agg, value_column=value_index,
                                       filters=self._filters(view, filters),
                                       granularity=date_granularity, limit=limit)
        decimal_sum = value_index is not None and view.columns[value_index].type == "decimal"
        key_col = col if date_granularity is None else ColumnView(index, col.name, "text")
        return [(display_value(key_col, k), round(float(v), 9) if decimal_sum else int(v))
                for k, v in got]

"""The previous inspection's concerns or recommendations and progress on each.

Items come from a CSV file (columns ref,title,text and optionally section) or are typed in.
An item's id is derived from the inspection and its reference, so importing the same list on
two laptops gives the same records. Progress is judged on the framework's progress scale with
a rationale and evidence, one judgement per item (a deterministic id: concurrent judgements
of the same item surface as a conflict).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet, NewId
from hmip_desktop.domain.concerns import previous_item_order
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import ImportFormatError, NotFoundError, ValidationError
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.framework_elements import Scale
from hmip_desktop.domain.framework_pinned import read_scale
from hmip_desktop.domain.ids import deterministic_id
from hmip_desktop.services.inspection_record import inspection_payload, pinned_framework
from hmip_desktop.services.scoring import check_evidence, write_if_changed

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

REQUIRED_COLUMNS = ("ref", "title", "text")
OPTIONAL_COLUMNS = ("section",)
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a previous report has tens of items, never megabytes


@dataclass(frozen=True)
class ProgressView:
    """The progress judgement on one previous item."""

    id: str
    previous_item_id: str
    level_key: str
    level_label: str
    value: int | None
    rationale: str
    evidence_ids: tuple[str, ...]
    updated_by: str
    updated_hlc: str
    conflicted: bool

    @property
    def changes(self) -> ChangeSet:
        """What recording this judgement touched."""
        return ChangeSet.of(R.PROGRESS, self.id)


@dataclass(frozen=True)
class PreviousItemView:
    """A previous concern or recommendation with its progress judgement, if any."""

    id: str
    ref: str
    title: str
    text: str
    section: str | None
    source: str
    followed_up: bool
    progress: ProgressView | None
    conflicted: bool
    # The establishment's action plan response to the concern, copied by a review that
    # follows an inspection (domain.action_plan, current shape), or None: what was promised
    # is what progress is judged against.
    action_plan: dict[str, Any] | None = field(default=None, hash=False)


# An item `hmip new --follows` copied from the inspection it follows (with that concern's
# action plan, when one was imported); other items were typed in or came from a CSV file.
FROM_PREVIOUS_INSPECTION = "previous_inspection"
NO_PLAN = "None received"


def plan_summary(item: PreviousItemView, start_date: str | None) -> str:
    """The item's action plan in a few words (domain.action_plan.summary, overdue against
    this visit's first day); 'None received' for a concern copied without one; '' for an item
    typed in or imported, which can hold no plan."""
    answer = AP.read(item.action_plan)
    if answer is not None:
        return AP.summary(answer, start_date)
    return NO_PLAN if item.source == FROM_PREVIOUS_INSPECTION else ""


@dataclass(frozen=True)
class PreviousScores:
    """The previous inspection's agreed scores for the outcomes chart.

    rows: (section key, label, level key or None, level label or None) per judged section;
    levels: (key, label) of the inspection's scale, best first.
    """

    year: str | None
    rows: tuple[tuple[str, str, str | None, str | None], ...]
    levels: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    added: int
    updated: int
    unchanged: int
    ids: tuple[str, ...]

    @property
    def changes(self) -> ChangeSet:
        """The items the import wrote or confirmed."""
        return ChangeSet.of(R.PREVIOUS_ITEM, *self.ids)


@dataclass(frozen=True)
class PreviousScoreSaved:
    """A previous agreed score recorded on the inspection record."""

    label: str
    changes: ChangeSet


def parse_previous_csv(data: bytes, section_keys: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rows {ref, title, text, section} of a previous-items CSV; the first problem is refused.

    `section_keys` maps accepted spellings (keys and labels, case-folded) to section keys.
    Rows are numbered as in a spreadsheet: the header is row 1.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFormatError("The file is not UTF-8 text") from None
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), strict=True):
            records.append(record)
    except csv.Error:
        raise ImportFormatError("The file is not valid CSV", row=len(records) + 1) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportFormatError("The file has no header row", row=1)
    header = [cell.strip().casefold() for cell in records[0]]
    for name in header:
        if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            raise ImportFormatError("Unknown column; expected ref,title,text[,section]",
                                    row=1, column=name)
        if header.count(name) > 1:
            raise ImportFormatError("Column given twice", row=1, column=name)
    for name in REQUIRED_COLUMNS:
        if name not in header:
            raise ImportFormatError("Missing column", row=1, column=name)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are harmless
        if len(cells) != len(header):
            raise ImportFormatError(
                f"Expected {len(header)} fields, found {len(cells)}", row=number)
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        for name in REQUIRED_COLUMNS:
            if not values[name]:
                raise ImportFormatError("Empty value", row=number, column=name)
        if values["ref"] in seen:
            raise ImportFormatError("Reference repeated", row=number, column="ref")
        seen.add(values["ref"])
        section = values.get("section") or None
        if section is not None:
            if section.casefold() not in section_keys:
                raise ImportFormatError("Not a section of this framework", row=number,
                                        column="section")
            section = section_keys[section.casefold()]
        rows.append({"ref": values["ref"], "title": values["title"], "text": values["text"],
                     "section": section})
    if not rows:
        raise ImportFormatError("The file has no data rows", row=2)
    return rows


class PreviousService:
    """Previous concerns or recommendations and the progress judged on each."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    def item_id(self, ref: str) -> str:
        """The deterministic id of the previous item with this reference."""
        return deterministic_id(R.PREVIOUS_ITEM, self._store.inspection_id, ref.strip())

    def progress_id(self, item_id: str) -> str:
        """The deterministic id of the progress judgement on a previous item."""
        return deterministic_id(R.PROGRESS, self._store.inspection_id, item_id)

    def _section_keys(self) -> dict[str, str]:
        out = {}
        for sec in pinned_framework(self._store).sections:
            out[sec.label.casefold()] = sec.key
            out[sec.key.casefold()] = sec.key
        return out

    # -- items -------------------------------------------------------------------------------
    def import_csv(self, path: Path | str) -> ImportResult:
        """Import items from a CSV file; a malformed file is refused and nothing is written."""
        path = Path(path)
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise ImportFormatError("The file is too large for a list of previous items "
                                        f"(limit: {MAX_IMPORT_BYTES // (1024 * 1024)} MiB)")
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"No such file: '{path.name}'.") from None
        except OSError:
            raise ValidationError(f"Cannot read the file '{path.name}'.") from None
        rows = parse_previous_csv(data, self._section_keys())
        added = updated = unchanged = 0
        ids = []
        with self._store.uow(write=True) as tx:
            for row in rows:
                item_id = self.item_id(row["ref"])
                current = tx.records.get(item_id)
                live = current is not None and not current.deleted
                payload = {**(dict(current.payload) if current is not None and live else {}),
                           **row}
                payload.setdefault("followed_up", True)
                payload.setdefault("source", "csv")
                if write_if_changed(self._store, tx, R.PREVIOUS_ITEM, item_id, payload):
                    updated, added = (updated + 1, added) if live else (updated, added + 1)
                else:
                    unchanged += 1
                ids.append(item_id)
        return ImportResult(added, updated, unchanged, tuple(ids))

    def add(self, *, ref: str, title: str, text: str, section: str | None = None) -> NewId:
        """Add one typed-in item (its id with the changes); a reference in use is refused."""
        fields = {"ref": ref.strip(), "title": title.strip(), "text": text.strip()}
        for key, label in (("ref", "Reference"), ("title", "Title"), ("text", "Text")):
            if not fields[key]:
                raise ValidationError(f"{label} is required.")
        if section:
            keys = self._section_keys()
            if section.casefold() not in keys:
                pinned_framework(self._store).section(section)  # names the valid keys
            section = keys[section.casefold()]
        item_id = self.item_id(fields["ref"])
        with self._store.uow(write=True) as tx:
            current = tx.records.get(item_id)
            if current is not None and not current.deleted:
                raise ValidationError("A previous item with that reference already exists.")
            self._store.put(tx, R.PREVIOUS_ITEM, item_id, {
                **fields, "section": section or None, "followed_up": True, "source": "typed"})
        return NewId(item_id, ChangeSet.of(R.PREVIOUS_ITEM, item_id))

    def set_previous_score(self, section_key: str, score: str | int,
                           year: int) -> PreviousScoreSaved:
        """Record the previous inspection's agreed score of a judged section (and its year)
        on the inspection record, for the outcomes chart; returns the level's label."""
        framework = pinned_framework(self._store)
        sec = framework.section(section_key)
        if not framework.is_judged(sec):
            raise ValidationError(f"'{section_key}' is not a scored section.")
        if not 1990 <= int(year) <= 2100:
            raise ValidationError("Give the previous inspection's year, e.g. 2021.")
        level = framework.scale.resolve(score)
        with self._store.uow(write=True) as tx:
            current = tx.records.get(self._store.inspection_id)
            if current is None:
                raise NotFoundError("This file holds no inspection record.")
            payload = dict(current.payload)
            scores = dict(payload.get("previous_scores") or {})
            scores[sec.key] = level.value
            payload.update(previous_scores=scores, previous_year=str(int(year)))
            write_if_changed(self._store, tx, R.INSPECTION, self._store.inspection_id, payload)
        # Named even when the value was already stored: the person saved it.
        return PreviousScoreSaved(level.label,
                                  ChangeSet.of(R.INSPECTION, self._store.inspection_id))

    def previous_scores(self) -> PreviousScores:
        """The previous inspection's agreed scores (per judged section) and their year."""
        framework = pinned_framework(self._store)
        with self._store.uow() as tx:
            current = tx.records.get(self._store.inspection_id)
        return previous_scores_of(framework, current.payload if current is not None else {})

    def visit_start(self) -> str | None:
        """This visit's first day, against which action-plan steps are overdue
        (AP.Step.due_before), or None when it is not recorded."""
        return AP.visit_start(inspection_payload(self._store))

    def set_followed_up(self, item: str, followed_up: bool) -> ChangeSet:
        """Include or leave out an item from the follow-up (a review follows up a selection)."""
        with self._store.uow(write=True) as tx:
            current = self._live(tx, item)
            payload = {**current.payload, "followed_up": bool(followed_up)}
            changed = write_if_changed(self._store, tx, R.PREVIOUS_ITEM, current.id, payload)
        return ChangeSet.of(R.PREVIOUS_ITEM, current.id) if changed else ChangeSet()

    def delete(self, item: str) -> ChangeSet:
        """Tombstone an item (its history and any progress record stay)."""
        with self._store.uow(write=True) as tx:
            current = self._live(tx, item)
            self._store.put(tx, R.PREVIOUS_ITEM, current.id, dict(current.payload),
                            deleted=True)
        return ChangeSet.of(R.PREVIOUS_ITEM, current.id)

    def _live(self, tx: UnitOfWork, item: str) -> EntityView:
        """A live item by id or, failing that, by reference."""
        for candidate in (item, self.item_id(item)):
            e = tx.records.get(candidate)
            if e is not None and e.type == R.PREVIOUS_ITEM and not e.deleted:
                return e
        raise NotFoundError("No previous item with that id or reference.")

    def get(self, item: str) -> PreviousItemView:
        """One live item by id or reference, with its progress."""
        with self._store.uow() as tx:
            e = self._live(tx, item)
            return self._view(e, tx.records.get(self.progress_id(e.id)))

    def list(self) -> list[PreviousItemView]:
        """Live items in the previous report's order (domain.concerns.previous_item_order),
        each with its progress judgement."""
        with self._store.uow() as tx:
            return list(self.list_in(tx))

    def list_in(self, tx: UnitOfWork) -> tuple[PreviousItemView, ...]:
        """list() read inside the caller's transaction."""
        items = sorted(tx.records.list(R.PREVIOUS_ITEM),
                       key=lambda e: (previous_item_order(e.payload), e.id))
        return tuple(self._view(e, tx.records.get(self.progress_id(e.id))) for e in items)

    @staticmethod
    def _view(e: EntityView, progress: EntityView | None) -> PreviousItemView:
        p = e.payload
        return PreviousItemView(
            e.id, str(p.get("ref", "")), str(p.get("title", "")), str(p.get("text", "")),
            p.get("section") or None, str(p.get("source", "")),
            bool(p.get("followed_up", True)),
            _progress_view(progress) if progress is not None and not progress.deleted else None,
            e.conflicted, AP.normalised(p.get("action_plan")))

    # -- progress ----------------------------------------------------------------------------
    def progress_scale(self) -> Scale:
        """The inspection's progress scale, best level first: the pre-2022 recommendations
        scale when the review follows an older report, else the framework's."""
        return progress_scale_of(pinned_framework(self._store), inspection_payload(self._store))

    def set_progress(self, item: str, judgement: str | int, rationale: str,
                     evidence_ids: Iterable[str] | None = None) -> ProgressView:
        """Judge progress on an item (by id or reference) with a rationale and evidence."""
        scale = self.progress_scale()
        if not scale.graded:
            raise ValidationError("This framework's progress scale has no levels.")
        level = scale.resolve(judgement)
        text = S.require_rationale(rationale)
        device = self._store.device
        with self._store.uow(write=True) as tx:
            current = self._live(tx, item)
            pid = self.progress_id(current.id)
            payload = {"previous_item_id": current.id, "ref": current.payload.get("ref"),
                       "scale_key": scale.key, "level_key": level.key,
                       "level_label": level.label, "value": level.value, "rationale": text,
                       "evidence_ids": check_evidence(tx, evidence_ids),
                       "recorded_by": device.author_id, "recorded_by_name": device.author_name}
            write_if_changed(self._store, tx, R.PROGRESS, pid, payload)
            view = tx.records.get(pid)
        assert view is not None
        return _progress_view(view)


FOLLOW_UP_SCALE = "follow_up_scale"  # inspection payload key: a key of follow_up_scales.json
FOLLOW_UP_FILE = ("process", "follow_up_scales.json")


def follow_up_scales() -> dict[str, Any]:
    """The follow-up scales other than the framework's (data: resources/process)."""
    import json

    from hmip_desktop import paths

    return json.loads(paths.resource_path(*FOLLOW_UP_FILE).read_text(encoding="utf-8"))


def follow_up_scale_for(choice: str | None, followed_start: str | None) -> str | None:
    """The follow-up scale key a new review uses: the one chosen ('recommendations', or
    'progress' for the framework's own), else the recommendations scale when the followed
    inspection began before the data's cut-off date, else None (the framework's)."""
    data = follow_up_scales()
    if choice:
        key = choice.strip().casefold().replace("-", "_")
        if key in ("progress", "concerns", "framework"):
            return None
        if key not in data["scales"]:
            raise ValidationError("The follow-up scale must be one of: progress, "
                                  + ", ".join(k.replace("_", "-") for k in data["scales"]) + ".")
        return key
    if followed_start and followed_start <= str(data.get("recommendations_until") or ""):
        return "recommendations"
    return None


def _progress_view(e: EntityView) -> ProgressView:
    p = e.payload
    value = p.get("value")
    return ProgressView(e.id, str(p.get("previous_item_id", "")), str(p.get("level_key", "")),
                        str(p.get("level_label", "")), value if isinstance(value, int) else None,
                        str(p.get("rationale", "")),
                        tuple(str(i) for i in p.get("evidence_ids") or []), e.updated_by,
                        e.updated_hlc, e.conflicted)


def progress_scale_of(framework: Framework, payload: Mapping[str, Any]) -> Scale:
    """The progress scale for an inspection record's payload (no database): the chosen
    follow-up scale, else the framework's."""
    chosen = payload.get(FOLLOW_UP_SCALE)
    if chosen:
        return read_scale(follow_up_scales()["scales"][chosen])
    return framework.follow_up_scale


def previous_scores_of(framework: Framework, payload: Mapping[str, Any]) -> PreviousScores:
    """The previous inspection's agreed scores (per judged section) and their year, from the
    inspection record's payload (no database)."""
    scale = framework.scale
    stored = payload.get("previous_scores") or {}
    by_value = {lv.value: lv for lv in scale.levels if lv.value is not None}
    rows = []
    for sec in framework.judged_sections:
        key = sec.key
        value = stored.get(key) if isinstance(stored, Mapping) else None
        level = by_value.get(value) if isinstance(value, int) else None
        rows.append((key, sec.label, level.key if level else None,
                     level.label if level else None))
    return PreviousScores(
        year=str(payload.get("previous_year") or "") or None, rows=tuple(rows),
        levels=tuple((lv.key, lv.label) for lv in scale.levels))

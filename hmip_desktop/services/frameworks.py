"""Expectation frameworks for the GUI and the command line: list, show, preview an import,
import, export. A thin layer over storage.framework_registry; no Qt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.framework import (
    EstablishmentType,
    Framework,
    FrameworkRef,
    in_force,
    in_force_from,
)
from hmip_desktop.domain.framework_csv import ImportProblem
from hmip_desktop.storage.framework_registry import FrameworkRegistry

ADDED, CHANGED, UNCHANGED = "added", "changed", "unchanged"


@dataclass(frozen=True)
class FrameworkSummary:
    """One framework version as a list row."""

    id: str
    version: str
    title: str
    edition: str
    status: str
    verified: bool
    incomplete: bool
    establishment_types: tuple[str, ...]
    scale: str
    section_keys: tuple[str, ...]
    expectation_count: int
    published: str | None
    effective_date: str | None
    in_force_from: str | None = None
    in_force_from_verified: bool = True

    @classmethod
    def of(cls, fw: Framework) -> FrameworkSummary:
        """Summarise a framework."""
        return cls(
            id=fw.id, version=fw.version, title=fw.title, edition=fw.edition, status=fw.status,
            verified=fw.verified, incomplete=fw.incomplete,
            establishment_types=fw.establishment_types, scale=fw.scale.key,
            section_keys=tuple(s.key for s in fw.sections),
            expectation_count=fw.expectation_count, published=fw.published,
            effective_date=fw.effective_date, in_force_from=in_force_from(fw),
            in_force_from_verified=bool(fw.effective_date) and fw.effective_date_verified,
        )


@dataclass(frozen=True)
class PreviewLine:
    """One section, area or expectation of the framework an import would store, and whether
    it is added, changed or unchanged compared with the existing framework of the same id."""

    kind: str  # "section", "area" or "expectation"
    test: str
    area: str
    number: str
    title: str
    change: str


@dataclass(frozen=True)
class ImportPreview:
    """What importing a file would do, and every bad row, without writing anything."""

    path: Path
    kind: str
    framework: Framework | None
    base: FrameworkRef | None
    requested_version: str | None
    lines: tuple[PreviewLine, ...]
    problems: tuple[ImportProblem, ...]

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it is."""
        return self.framework is not None and not self.problems

    @property
    def bad_rows(self) -> list[tuple[int | None, str | None, str]]:
        """Every problem as (row, column, message); row is None for JSON files."""
        return [(p.row, p.column, p.message) for p in self.problems]

    @property
    def additions(self) -> list[PreviewLine]:
        """The lines that are new compared with the existing framework."""
        return [line for line in self.lines if line.change == ADDED]

    @property
    def renamed(self) -> bool:
        """True when (id, version) was taken, so the import gets a suffixed version."""
        return self.framework is not None and self.framework.version != self.requested_version


def _preview_lines(new: Framework, old: Framework | None) -> tuple[PreviewLine, ...]:
    """Compare the framework to store with the existing one (everything is added if none)."""
    old_sections = {s.key: s for s in old.sections} if old else {}
    old_exps = {e.number: (s.key, a.key, e) for s, a, e in old.iter_expectations()} if old else {}
    lines = []
    for section in new.sections:
        old_section = old_sections.get(section.key)
        lines.append(PreviewLine("section", section.label, "", "", section.label,
                                 UNCHANGED if old_section else ADDED))
        old_areas = {a.key for a in old_section.areas} if old_section else set()
        for area in section.areas:
            lines.append(PreviewLine("area", section.label, area.label, "", area.label,
                                     UNCHANGED if area.key in old_areas else ADDED))
            for exp in area.expectations:
                before = old_exps.get(exp.number)
                if before is None:
                    change = ADDED
                elif before == (section.key, area.key, exp):
                    change = UNCHANGED
                else:
                    change = CHANGED
                lines.append(PreviewLine("expectation", section.label, area.label, exp.number,
                                         exp.title, change))
    return tuple(lines)


class FrameworkService:
    """Use cases on expectation frameworks; every method is safe to call from a worker thread
    (it only reads and writes small files) and raises only hmip_desktop errors for mistakes."""

    def __init__(self, registry: FrameworkRegistry | None = None) -> None:
        self._registry = registry or FrameworkRegistry()

    def establishment_types(self) -> list[tuple[str, str]]:
        """Every establishment type as (key, label), in display order."""
        return [(t.key, t.label) for t in self._registry.establishment_types()]

    def establishment_type_details(self) -> list[EstablishmentType]:
        """Every establishment type with its notes and verified flag, in display order."""
        return self._registry.establishment_types()

    def list_frameworks(self, establishment_type: str | None = None) -> list[FrameworkSummary]:
        """All frameworks (by id, newest version first) or those for one type, newest first."""
        found = (self._registry.for_type(establishment_type) if establishment_type
                 else self._registry.all())
        return [FrameworkSummary.of(f) for f in found]

    def by_establishment_type(self) -> dict[str, list[FrameworkSummary]]:
        """For each establishment type, its frameworks newest first."""
        return {k: [FrameworkSummary.of(f) for f in v]
                for k, v in self._registry.by_establishment_type().items()}

    def show(self, framework_id: str, version: str | None = None) -> Framework:
        """One framework version (newest when `version` is None)."""
        return self._registry.get(framework_id, version)

    def frameworks_for_type(self, establishment_type: str) -> list[FrameworkSummary]:
        """The frameworks that apply to one establishment type, newest first."""
        return [FrameworkSummary.of(f) for f in self._registry.for_type(establishment_type)]

    def newest_for_type(self, establishment_type: str) -> Framework:
        """The framework a new inspection of this type would use by default."""
        return self._registry.newest_for_type(establishment_type)

    def in_force_for_type(self, establishment_type: str,
                          start_date: str | dt.date | None = None) -> Framework:
        """The framework version in force for the type on the inspection's start date (today
        when there is none): what a new inspection uses unless a version is chosen."""
        return self._registry.in_force_for_type(establishment_type, _day(start_date))

    def resolve_for_new(self, establishment_type: str, framework_id: str | None = None,
                        version: str | None = None,
                        start_date: str | dt.date | None = None) -> dict[str, Any]:
        """The framework to pin into a new inspection, as its canonical dict.

        By default the version in force on `start_date` (today when None), not simply the
        newest. `framework_id` and `version` override; `version` may also name the framework
        ("men-prisons--6", "men-prisons@6"), and kebab-case or snake_case both work.
        """
        self._registry.establishment_type(establishment_type)  # unknown key -> NotFoundError
        on = _day(start_date)
        named_id, version = split_version_choice(version)
        framework_id = _norm_id(framework_id) if framework_id else None
        if named_id and framework_id and named_id != framework_id:
            raise ValidationError(f"--framework {framework_id} and --framework-version "
                                  f"{named_id}--{version} name different frameworks.")
        framework_id = framework_id or named_id
        framework = self._choose(establishment_type, framework_id, version, on)
        if establishment_type not in framework.establishment_types:
            raise ValidationError(
                f"{framework.ref} does not apply to {establishment_type!r}; it applies to "
                f"{', '.join(framework.establishment_types)}")
        return framework.to_dict()

    def _choose(self, establishment_type: str, framework_id: str | None, version: str | None,
                on: dt.date | None) -> Framework:
        if framework_id and not version:
            versions = self._registry.versions(framework_id)
            if not versions:
                self._registry.get(framework_id)  # raises NotFoundError naming the ids
            applicable = [f for f in versions
                          if establishment_type in f.establishment_types] or versions
            chosen = in_force(applicable, on or dt.date.today())
            assert chosen is not None
            return chosen
        if framework_id and version:
            return self._registry.get(framework_id, _match_version(
                version, [f.version for f in self._registry.versions(framework_id)]))
        if not version:
            return self._registry.in_force_for_type(establishment_type, on)
        candidates = self._registry.for_type(establishment_type)
        wanted = _match_version(version, [f.version for f in candidates])
        matching = [f for f in candidates if f.version == wanted]
        if not matching:
            known = ", ".join(f"{f.id}--{f.version}" for f in candidates) or "none"
            raise NotFoundError(f"no framework version {version!r} applies to "
                                f"{establishment_type!r}; versions: {known}")
        current = self._registry.in_force_for_type(establishment_type, on)
        return next((f for f in matching if f.id == current.id), matching[0])

    def load_problems(self) -> list[str]:
        """User framework files that could not be read at the last listing."""
        return list(self._registry.load_problems)

    def import_preview(
        self,
        path: Path,
        *,
        framework_id: str | None = None,
        title: str | None = None,
        version: str | None = None,
        establishment_types: Sequence[str] | None = None,
    ) -> ImportPreview:
        """What importing `path` would add, and every bad row; writes nothing."""
        plan = self._registry.plan_import(
            Path(path), framework_id=framework_id, title=title, version=version,
            establishment_types=establishment_types,
        )
        lines = _preview_lines(plan.framework, plan.base) if plan.framework else ()
        return ImportPreview(
            path=Path(path), kind=plan.kind, framework=plan.framework,
            base=plan.base.ref if plan.base else None,
            requested_version=plan.requested_version, lines=lines, problems=plan.problems,
        )

    def import_file(
        self,
        path: Path,
        *,
        framework_id: str | None = None,
        title: str | None = None,
        version: str | None = None,
        establishment_types: Sequence[str] | None = None,
    ) -> Framework:
        """Import a CSV or JSON file as a new user framework version; raises on the first bad
        row (ImportFormatError) or schema fault (ValidationError) and then writes nothing."""
        return self._registry.import_file(
            Path(path), framework_id=framework_id, title=title, version=version,
            establishment_types=establishment_types,
        )

    def export(self, framework_id: str, version: str | None, out_path: Path) -> Path:
        """Write a framework to `out_path`; .json or .csv decides the format."""
        return self._registry.export(framework_id, version, Path(out_path))


def _day(value: str | dt.date | None) -> dt.date | None:
    """A start date as a date (ISO text accepted); None stays None."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError("Dates are written YYYY-MM-DD.") from None


def _norm_id(framework_id: str) -> str:
    """Framework ids are kebab-case; snake_case is accepted too."""
    return framework_id.strip().replace("_", "-")


def split_version_choice(text: str | None) -> tuple[str | None, str | None]:
    """(framework id or None, version) from "6", "men-prisons--6" or "men-prisons@6"."""
    if text is None or not text.strip():
        return None, None
    text = text.strip()
    for sep in ("--", "@"):
        if sep in text:
            framework_id, _, version = text.partition(sep)
            if framework_id and version:
                return _norm_id(framework_id), version
    return None, text


def _match_version(version: str, known: Sequence[str]) -> str:
    """`version` as the registry spells it: exact first, then with '-' and '_' alike."""
    if version in known:
        return version
    folded = version.replace("_", "-").casefold()
    return next((k for k in known if k.replace("_", "-").casefold() == folded), version)

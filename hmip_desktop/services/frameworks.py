"""Expectation frameworks for the GUI and the command line: list, show, preview an import,
import, export. A thin layer over storage.framework_registry; no Qt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework import EstablishmentType, Framework, FrameworkRef
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

    @classmethod
    def of(cls, fw: Framework) -> FrameworkSummary:
        """Summarise a framework."""
        return cls(
            id=fw.id, version=fw.version, title=fw.title, edition=fw.edition, status=fw.status,
            verified=fw.verified, incomplete=fw.incomplete,
            establishment_types=fw.establishment_types, scale=fw.scale.key,
            section_keys=tuple(s.key for s in fw.sections),
            expectation_count=fw.expectation_count, published=fw.published,
            effective_date=fw.effective_date,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for `hmip frameworks list --json`)."""
        return {
            "id": self.id, "version": self.version, "title": self.title,
            "edition": self.edition, "status": self.status, "verified": self.verified,
            "incomplete": self.incomplete, "establishment_types": list(self.establishment_types),
            "scale": self.scale, "section_keys": list(self.section_keys),
            "expectation_count": self.expectation_count, "published": self.published,
            "effective_date": self.effective_date,
        }


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

    def resolve_for_new(self, establishment_type: str, framework_id: str | None = None,
                        version: str | None = None) -> dict[str, Any]:
        """The framework to pin into a new inspection, as its canonical dict: the one asked
        for (newest version when `version` is None) or the newest for the type."""
        if not framework_id:
            return self._registry.newest_for_type(establishment_type).to_dict()
        self._registry.establishment_type(establishment_type)  # unknown key -> NotFoundError
        framework = self._registry.get(framework_id, version)
        if establishment_type not in framework.establishment_types:
            raise ValidationError(
                f"{framework.ref} does not apply to {establishment_type!r}; it applies to "
                f"{', '.join(framework.establishment_types)}")
        return framework.to_dict()

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
